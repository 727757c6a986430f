"""Real image files made with Pillow, for upload tests."""
import io

from PIL import Image


def jpeg(width: int = 64, height: int = 48, color=(200, 60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def png(width: int = 32, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 255)).save(out, "PNG")
    return out.getvalue()
