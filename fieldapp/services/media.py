"""Storing files safely: images checked by decoding, everything content-addressed.

A file is accepted as an image only if Pillow decodes it fully as JPEG, PNG or
WebP within the size and pixel limits; the bytes are stored under their
SHA-256, so the same file uploaded twice is stored once. The uploaded file name
and declared type are not trusted for anything but display.
"""
from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from fieldapp.db import db
from fieldapp.models import MediaFile, User
from fieldapp.services import ServiceError, storage

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40 MP phone photo; beyond that it is a bomb, not a photo
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class MediaError(ServiceError):
    status = 400


def _inspect(data: bytes) -> tuple[str, int, int]:
    if not data:
        raise MediaError(_("文件是空的，请重新拍照或选择图片。"))
    if len(data) > MAX_BYTES:
        raise MediaError(_("图片超过 %(mb)d MB，请压缩后再上传。", mb=MAX_BYTES // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise MediaError(_("只接受 JPEG、PNG 或 WebP 格式的图片。"))
            if width * height > MAX_PIXELS:
                raise MediaError(_("图片像素过多，无法处理。"))
            probe.verify()
        with Image.open(io.BytesIO(data)) as full:
            full.load()  # verify() does not decode pixel data; truncated files fail here
    except MediaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaError(_("无法识别为图片，文件可能已损坏。")) from None
    return FORMATS[fmt], width, height


def store_blob(data: bytes, content_type: str, actor: User | None, original_name: str = "",
               width: int | None = None, height: int | None = None) -> MediaFile:
    """Store bytes (already checked by the caller); returns the existing row for known content."""
    digest = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(sa.select(MediaFile).where(MediaFile.sha256 == digest))
    if existing:
        return existing
    storage.current().put(digest, data, content_type)
    media = MediaFile(sha256=digest, content_type=content_type, size=len(data), width=width, height=height,
                      original_name=(original_name or "")[:200], uploaded_by_id=actor.id if actor else None)
    db.session.add(media)
    db.session.flush()
    return media


def store_image(stream: BinaryIO, actor: User | None, original_name: str = "") -> MediaFile:
    """Check and store an uploaded image."""
    data = stream.read(MAX_BYTES + 1)
    content_type, width, height = _inspect(data)
    return store_blob(data, content_type, actor, original_name, width, height)
