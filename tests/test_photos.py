"""The photo pipeline, against real images made with Pillow, and the bad-input corpus."""

import io
import struct
import zlib
from datetime import UTC, datetime

import pytest
from PIL import Image, ImageStat

from fieldapp.services import photos
from tests.images import jpeg, noisy_jpeg, png, webp

WATERMARK = photos.Watermark(
    datetime(2026, 11, 22, 2, 30, tzinfo=UTC), 31.2639, 120.508, "WZ2026001", "XJ-20261122-000001"
)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(bare_app, orientation):
    """A 64x48 picture with a blue top-left corner, stored with each EXIF orientation
    (the pixels transformed the way a camera would), must display with the blue corner top-left."""
    upright = Image.new("RGB", (64, 48), (200, 60, 40))
    upright.paste((0, 0, 255), (0, 0, 16, 12))
    # What a camera stores for each orientation is the inverse of what the tag asks viewers to do.
    stored = {
        1: upright,
        2: upright.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        3: upright.transpose(Image.Transpose.ROTATE_180),
        4: upright.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        5: upright.transpose(Image.Transpose.TRANSPOSE),
        6: upright.transpose(Image.Transpose.ROTATE_90),
        7: upright.transpose(Image.Transpose.TRANSVERSE),
        8: upright.transpose(Image.Transpose.ROTATE_270),
    }[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif)
    with bare_app.test_request_context():
        result = photos.process(out.getvalue())
    display = decoded(result.display)
    assert display.size == (64, 48) and (result.width, result.height) == (64, 48)
    r, g, b = display.getpixel((3, 3))
    assert b > 150 and r < 100, (orientation, (r, g, b))
    r, g, b = display.getpixel((60, 44))
    assert r > 150 and b < 100


def test_exif_time_and_gps_are_read(bare_app):
    with bare_app.test_request_context():
        result = photos.process(jpeg(taken="2026:11:22 10:30:00", offset="+08:00", gps=(31.2639, 120.508)))
    assert result.taken_at == datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
    assert abs(result.latitude - 31.2639) < 1e-4 and abs(result.longitude - 120.508) < 1e-4


def test_exif_time_without_offset_is_china_time(bare_app):
    with bare_app.test_request_context():
        result = photos.process(jpeg(taken="2026:11:22 10:30:00"))
    assert result.taken_at.astimezone(UTC) == datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


def test_no_exif_is_fine(bare_app):
    with bare_app.test_request_context():
        result = photos.process(jpeg())
    assert result.taken_at is None and result.latitude is None


def test_display_copy_is_watermarked_and_original_untouched(bare_app):
    data = noisy_jpeg(4000, 3000)
    with bare_app.test_request_context():
        result = photos.process(data, WATERMARK)
    assert result.original == data
    display = decoded(result.display)
    assert max(display.size) == photos.DISPLAY_SIDE and (result.width, result.height) == (4000, 3000)
    assert len(result.display) <= 350 * 1024
    thumb = decoded(result.thumb)
    assert max(thumb.size) == photos.THUMB_SIDE
    # The bottom band is darkened by the watermark's bar; the top is not.
    top = ImageStat.Stat(display.crop((0, 0, 400, 20)).convert("L")).mean[0]
    bottom = ImageStat.Stat(display.crop((0, display.height - 8, 400, display.height)).convert("L")).mean[0]
    assert bottom < top - 20
    assert WATERMARK.lines()[0].startswith("2026-11-22 10:30:00 +08:00  31.26390N 120.50800E")
    assert WATERMARK.lines()[1] == "ID WZ2026001  REC XJ-20261122-000001"


@pytest.mark.parametrize("data", [png(), webp()], ids=["png", "webp"])
def test_png_and_webp_are_accepted(bare_app, data):
    with bare_app.test_request_context():
        result = photos.process(data)
    assert decoded(result.display).format == "JPEG"


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims huge dimensions (a decompression bomb's header)."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


def _jpeg_header_claiming(width: int, height: int) -> bytes:
    real = jpeg(16, 16)
    at = real.index(b"\xff\xc0") + 5  # SOF0: precision, then height and width
    return real[:at] + struct.pack(">HH", height, width) + real[at + 4 :]


BAD = {
    "empty": (b"", "文件是空的"),
    "text": (b"just some text, not a photo" * 10, "无法识别为图片"),
    "html renamed .jpg": (b"<html><script>alert(1)</script></html>", "这不是照片"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "这不是照片"),
    "truncated jpeg": (noisy_jpeg(800, 600)[:6000], "照片不完整或已损坏"),
    "200 megapixel jpeg": (_jpeg_header_claiming(16330, 12250), "图片像素过多"),
    "png bomb": (_png_header_only(30000, 30000), "图片像素过多"),
    "gif": (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "只接受 JPEG、PNG 或 WebP",
    ),
    "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "暂不支持 HEIC"),
    "over size": (b"\xff\xd8" + b"\x00" * (photos.MAX_BYTES + 1), "照片超过 25 MB"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_refused_with_a_clear_message(bare_app, name):
    data, message = BAD[name]
    with bare_app.test_request_context(), pytest.raises(photos.PhotoError) as refused:
        photos.process(data)
    assert message in refused.value.message, (name, refused.value.message)
