"""Real image files made with Pillow, for upload tests: EXIF orientation, time and GPS included."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def _exif(
    orientation: int | None = None,
    taken: str | None = None,
    offset: str | None = None,
    gps: tuple[float, float] | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    sub = {}
    if taken:
        sub[36867] = taken
    if offset:
        sub[36881] = offset
    if sub:
        exif[0x8769] = sub
    if gps:
        lat, lng = gps

        def dms(value: float):
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 4)
            return (float(d), float(m), s)

        exif[0x8825] = {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lng >= 0 else "W", 4: dms(lng)}
    return exif


def jpeg(width: int = 64, height: int = 48, color=(200, 60, 40), quality: int = 85, **exif) -> bytes:
    """A JPEG whose top-left quarter is marked, so orientation can be checked after decoding."""
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).rectangle([0, 0, width // 4, height // 4], fill=(0, 0, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, exif=_exif(**exif) if exif else Image.Exif())
    return out.getvalue()


def png(width: int = 32, height: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 255)).save(out, "PNG")
    return out.getvalue()


def webp(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 10)).save(out, "WEBP")
    return out.getvalue()


def noisy_jpeg(width: int, height: int, quality: int = 90) -> bytes:
    """A photo-like JPEG (noise compresses like a real scene, unlike a flat colour)."""
    import os

    image = Image.frombytes("RGB", (width // 8, height // 8), os.urandom((width // 8) * (height // 8) * 3))
    image = image.resize((width, height), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
