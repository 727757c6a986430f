"""Draw the app icons (192, 512, maskable 512, apple-touch 180) with Pillow.

Run once after changing the design: `.venv/bin/python scripts/make_icons.py`. The
PNGs are committed; nothing is generated at run time.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BLUE = (11, 79, 138, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int, maskable: bool) -> Image.Image:
    # Maskable icons keep their content inside the central 80 % "safe zone".
    scale = 4  # draw large, downsample: smooth edges without antialiasing support in ImageDraw
    s = size * scale
    image = Image.new("RGBA", (s, s), BLUE if maskable else (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    if not maskable:
        d.rounded_rectangle([0, 0, s - 1, s - 1], radius=s // 5, fill=BLUE)
    inset = s * (0.22 if maskable else 0.14)
    w = s - 2 * inset
    top, left = inset, inset
    shield = [
        (left + w / 2, top),
        (left + w * 0.92, top + w * 0.14),
        (left + w * 0.92, top + w * 0.5),
        (left + w / 2, top + w * 1.0),
        (left + w * 0.08, top + w * 0.5),
        (left + w * 0.08, top + w * 0.14),
    ]
    d.polygon(shield, fill=WHITE)
    tick = [(left + w * 0.3, top + w * 0.5), (left + w * 0.45, top + w * 0.64), (left + w * 0.72, top + w * 0.34)]
    d.line(tick, fill=BLUE, width=int(w * 0.09), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        draw(size, maskable).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
