"""The photo pipeline: evidence kept untouched, a watermarked display copy, a thumbnail.

For each upload: refuse what is not a JPEG, PNG or WebP photo (with a reason a
person understands), refuse decompression bombs and oversized files, and read the
capture time and GPS position from EXIF. The uploaded bytes are stored as they
came, under their SHA-256, as evidence, with the watermark's text (time, position,
work-ID, record number).

The copies people look at — a 1600 px display copy with the watermark burnt in and
a 320 px thumbnail — are made the first time one is asked for (``rendition``), not
with the upload: making them is most of a photo's CPU (decode fast in JPEG draft
mode, apply the EXIF orientation, encode twice), a phone syncing a record waits for
none of it, and many routine photos are never opened. They are derived from the
original and the stored text alone, so any instance makes the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db
from fieldapp.errors import ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import MediaFile, Photo, User
from fieldapp.services import storage
from fieldapp.services.media import Blob, store_blob, store_blobs
from fieldapp.services.media import known as media_known

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024
#: JPEGs decode in draft mode at 1/2 to 1/8 scale, so big ones are cheap; others are not.
MAX_PIXELS_JPEG = 110_000_000
MAX_PIXELS_OTHER = 50_000_000
DISPLAY_SIDE = 1600
THUMB_SIDE = 320
#: The display copy stays under this, so a record with ten photos loads on a weak signal.
DISPLAY_MAX_BYTES = 350 * 1024
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL, DATETIME = 36867, 36881, 306


class PhotoError(ServiceError):
    status = 400


@dataclass
class Watermark:
    when: datetime
    latitude: float | None = None
    longitude: float | None = None
    work_id: str = ""
    record: str = ""

    def lines(self) -> list[str]:
        local = self.when.astimezone(SHANGHAI)
        first = local.strftime("%Y-%m-%d %H:%M:%S +08:00")
        if self.latitude is not None and self.longitude is not None:
            first += (
                f"  {abs(self.latitude):.5f}{'N' if self.latitude >= 0 else 'S'}"
                f" {abs(self.longitude):.5f}{'E' if self.longitude >= 0 else 'W'}"
            )
        second = "  ".join(
            p for p in (f"ID {self.work_id}" if self.work_id else "", f"REC {self.record}" if self.record else "") if p
        )
        # ASCII only: the default font has no CJK glyphs, and none is needed.
        return [line.encode("ascii", "replace").decode() for line in (first, second) if line]


@dataclass
class Processed:
    original: bytes
    content_type: str
    width: int
    height: int
    display: bytes
    thumb: bytes
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


def _refuse_unsupported(data: bytes) -> None:
    head = data[:64]
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1", b"avif"):
        raise PhotoError(
            _("暂不支持 HEIC/HEIF 格式。请在本应用内拍照（会自动转为 JPEG），或在手机相机设置中选择“兼容性最佳”。")
        )
    stripped = head.lstrip()
    if stripped.startswith((b"<", b"\xef\xbb\xbf<")):
        raise PhotoError(_("这不是照片（可能是 SVG 矢量图或网页文件），请上传现场拍摄的照片。"))


def _taken_at(exif: Image.Exif) -> datetime | None:
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            sign = 1 if offset[0] == "+" else -1
            return naive.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
        except ValueError:
            pass
    # Cameras without an offset write local time; in this product that is China time.
    return naive.replace(tzinfo=SHANGHAI)


def _degrees(value, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return -result if ref in ("S", "W") else result


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps:
        return None, None
    lat, lng = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None, None
    return round(lat, 7), round(lng, 7)


@lru_cache(maxsize=64)
def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _burn(image: Image.Image, lines: list[str]) -> None:
    if not lines:
        return
    size = max(12, image.width // 55)
    font = _font(size)
    while size > 8 and max(font.getlength(line) for line in lines) > image.width - size:
        size -= 1
        font = _font(size)
    pad = size // 2
    line_h = size + pad // 2
    height = line_h * len(lines) + pad
    overlay = Image.new("RGBA", (image.width, height), (0, 0, 0, 110))
    draw = ImageDraw.Draw(overlay)
    for i, line in enumerate(lines):
        draw.text((pad, pad // 2 + i * line_h), line, font=font, fill=(255, 255, 255, 235))
    image.paste(overlay, (0, image.height - height), overlay)


def _jpeg(image: Image.Image, quality: int, max_bytes: int | None = None) -> bytes:
    """Encode as JPEG; with ``max_bytes``, step the quality down until it fits
    (busy scenes such as foliage or gravel need it, most photos fit first time)."""
    while True:
        out = io.BytesIO()
        # Baseline, not progressive: a progressive encode costs 3-4x the time on the server.
        image.save(out, "JPEG", quality=quality, optimize=False)
        if max_bytes is None or out.tell() <= max_bytes or quality <= 40:
            return out.getvalue()
        # Each encode costs ~10 ms at 1600 px: step further down the further over it is.
        over = out.tell() / max_bytes
        quality = max(40, quality - (10 if over < 1.2 else 20 if over < 1.6 else 30))


@dataclass
class _Decoded:
    image: Image.Image
    fmt: str
    width: int
    height: int
    exif: Image.Exif
    target: tuple[int, int]


def empty_message() -> str:
    return _("文件是空的，请重新拍照或选择图片。")


def _open(data: bytes) -> tuple[Image.Image, str, Image.Exif]:
    """Refuse what is not a usable photo by its size, its first bytes and its header; the
    pixels are not decoded yet."""
    if not data:
        raise PhotoError(empty_message())
    if len(data) > MAX_BYTES:
        raise PhotoError(
            _("照片超过 %(mb)d MB，请在本应用内拍照（会自动压缩）或压缩后再上传。", mb=MAX_BYTES // (1024 * 1024))
        )
    _refuse_unsupported(data)
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise PhotoError(
            _("图片像素过多（超过 %(mp)d 百万像素），无法处理。", mp=MAX_PIXELS_JPEG // 1_000_000)
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoError(_("无法识别为图片，文件可能已损坏或不是照片。")) from None
    fmt = image.format
    if fmt not in FORMATS:
        image.close()
        raise PhotoError(_("只接受 JPEG、PNG 或 WebP 格式的照片。"))
    width, height = image.size
    limit = MAX_PIXELS_JPEG if fmt == "JPEG" else MAX_PIXELS_OTHER
    if width * height > limit:
        image.close()
        raise PhotoError(_("图片像素过多（超过 %(mp)d 百万像素），无法处理。", mp=limit // 1_000_000))
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block is common and must not cost the photo
        exif = Image.Exif()
    return image, fmt, exif


def _decode(data: bytes, side: int = DISPLAY_SIDE) -> _Decoded:
    """Refuse what is not a usable photo; decode the rest (a JPEG at the smallest DCT scale
    that still gives ``side`` pixels on the long edge)."""
    image, fmt, exif = _open(data)
    with image:
        width, height = image.size
        scale = min(1.0, side / max(width, height))
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        if fmt == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT, never below the target.
            image.draft("RGB", target)
        try:
            image.load()
        except (OSError, SyntaxError, ValueError):
            raise PhotoError(_("照片不完整或已损坏（可能没有上传完整），请重新拍照上传。")) from None
    return _Decoded(image, fmt, width, height, exif, target)


@dataclass
class Described:
    """What the header says: enough to file a photo without decoding its pixels."""

    content_type: str
    width: int
    height: int
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


def describe(data: bytes) -> Described:
    """Type, size as displayed (EXIF orientation applied) and EXIF time and place; raises
    PhotoError for what ``_open`` refuses. Reads the header only."""
    image, fmt, exif = _open(data)
    with image:
        width, height = image.size
    if exif.get(0x0112) in (5, 6, 7, 8):
        width, height = height, width
    latitude, longitude = _gps(exif)
    return Described(FORMATS[fmt], width, height, _taken_at(exif), latitude, longitude)


def check(data: bytes) -> str:
    """Is this a photo we can use? Its content type, or PhotoError with the reason.

    A JPEG is decoded at 1/8 scale: every byte of the compressed stream is still read (a
    truncated or corrupt file fails as it would at full size), at a fraction of the cost —
    the sync checks each photo on upload and processes it again with its record."""
    return FORMATS[_decode(data, side=1).fmt]


def _render(decoded: _Decoded, lines: list[str]) -> tuple[bytes, bytes]:
    """The display copy (watermarked, at most ``DISPLAY_MAX_BYTES``) and the thumbnail, as JPEG."""
    image, target = decoded.image, decoded.target
    # Resize first, then rotate: rotating the small copy is what keeps 12 MP photos fast.
    # Bilinear after the DCT-domain reduction looks the same at 1600 px and costs a third less.
    display = image.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0) if image.size != target else image
    orientation = decoded.exif.get(0x0112)
    if orientation in (2, 3, 4, 5, 6, 7, 8):
        display = display.transpose(
            {
                2: Image.Transpose.FLIP_LEFT_RIGHT,
                3: Image.Transpose.ROTATE_180,
                4: Image.Transpose.FLIP_TOP_BOTTOM,
                5: Image.Transpose.TRANSPOSE,
                6: Image.Transpose.ROTATE_270,
                7: Image.Transpose.TRANSVERSE,
                8: Image.Transpose.ROTATE_90,
            }[orientation]
        )
    if display.mode != "RGB":
        background = Image.new("RGB", display.size, (255, 255, 255))
        rgba = display.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        display = background
    _burn(display, lines)
    # An integer box reduction: a thumbnail needs no finer filter, and it is the cheapest step.
    factor = -(-max(display.size) // THUMB_SIDE)
    thumb = display.reduce(factor) if factor > 1 else display
    return _jpeg(display, 80, DISPLAY_MAX_BYTES), _jpeg(thumb, 70)


def process(data: bytes, watermark: Watermark | None = None) -> Processed:
    """The whole pipeline on one upload at once — what ``store`` files and ``rendition`` later
    makes; raises PhotoError with a message for the user."""
    described = describe(data)
    display, thumb = _render(_decode(data), watermark.lines() if watermark else [])
    return Processed(
        original=data,
        content_type=described.content_type,
        width=described.width,
        height=described.height,
        display=display,
        thumb=thumb,
        taken_at=described.taken_at,
        latitude=described.latitude,
        longitude=described.longitude,
    )


def store(
    data: bytes, actor: User | None, watermark: Watermark | None = None, original_name: str = "", sha256: str = ""
) -> Photo:
    """Check and file a photo: the original blob and the Photo row with its watermark text; the
    display copy and thumbnail follow on first view (``rendition``). ``sha256``: the digest of
    ``data`` if the server has computed it already (hashing a photo costs ~4 ms)."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    known = media_known([digest]).get(digest)
    if known is None or known.content_type not in FORMATS.values():
        check(data)  # content filed as a photo was checked when it was stored (a synced upload)
    described = describe(data)
    original = (
        known
        if known is not None and known.content_type == described.content_type
        else store_blob(data, described.content_type, actor, original_name, described.width, described.height, digest)
    )
    # By relationship, so reading ``photo.original`` later in the transaction needs no query.
    photo = Photo(
        original=original,
        width=described.width,
        height=described.height,
        taken_at=described.taken_at,
        latitude=described.latitude,
        longitude=described.longitude,
        watermark="\n".join(watermark.lines()) if watermark else "",
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(photo)  # flushed with the caller's rows: callers link it by relationship
    return photo


def rendition(photo: Photo, variant: str) -> MediaFile:
    """The stored file to serve for ``variant`` (display, thumb or original); the display copy
    and thumbnail are made and stored on the first request for either.

    Two first requests at once (a page's thumbnail and its display copy) make the same bytes;
    the second to commit meets the first's files (unique hash), rolls back and serves those. So
    do two photos of one picture (attached twice, the same watermark): identical copies are one
    stored file, which the second photo then links to."""
    if variant == "original" or photo.display_id is not None:
        return getattr(photo, variant)
    photo_id, store = photo.id, storage.current()
    if not store.exists(photo.original.sha256):  # media not restored, say: the caller answers 404
        return photo.original
    data = store.get(photo.original.sha256)
    if hashlib.sha256(data).hexdigest() != photo.original.sha256:
        # Replaced or damaged on the server: no copy is made of it (serving the original refuses it).
        log.error("photo %s: the original no longer matches its SHA-256; no copies made", photo_id)
        return photo.original
    try:
        decoded = _decode(data)
    except PhotoError:  # checked when stored, so only a changed library could get here
        log.exception("photo %s: the original no longer decodes; serving it as it is", photo_id)
        return photo.original
    made = [Blob(data, "image/jpeg") for data in _render(decoded, photo.watermark.splitlines())]
    for attempt in (1, 2):
        try:
            display, thumb = store_blobs(made, None)
            photo.display_id, photo.thumb_id = display.id, thumb.id
            commit()
            break
        except sa.exc.IntegrityError:
            # Stored meanwhile by another request: for this photo (then it has its copies now),
            # or for another of the same picture (then the files are found on the second try).
            db.session.rollback()
            photo = db.session.get(Photo, photo_id)
            if photo.display_id is not None or attempt == 2:
                break
    if photo.display_id is None:
        raise RuntimeError(f"photo {photo_id}: its copies could not be stored")
    return getattr(photo, variant)


def render_pending(limit: int = 200) -> int:
    """Make the copies of up to ``limit`` photos not viewed yet, oldest first; returns how many.
    For quiet hours (cron): the first view of a photo is then no slower than any other."""
    ids = db.session.scalars(
        sa.select(Photo.id).where(Photo.display_id.is_(None)).order_by(Photo.id).limit(limit)
    ).all()
    for photo_id in ids:
        photo = db.session.get(Photo, photo_id)
        if photo is not None:
            rendition(photo, "thumb")  # commits each: a long run holds no lock and loses nothing
    return len(ids)


def store_evidence(data: bytes, actor: User | None, original_name: str = "") -> MediaFile:
    """Check a photo and keep its bytes as they came (no copies): for attachments such as
    the photo of a status report."""
    content_type = check(data)
    return store_blob(data, content_type, actor, original_name)
