"""Storing files content-addressed: each blob once, under its SHA-256.

What may be stored is decided by the callers (the photo pipeline checks photos by
decoding them); the uploaded file name is kept for display only.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.models import MediaFile, User
from fieldapp.services import storage


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
