"""Storing files content-addressed: each blob once, under its SHA-256.

What may be stored is decided by the callers (the photo pipeline checks photos by
decoding them); the uploaded file name is kept for display only.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.models import MediaFile, User
from fieldapp.services import storage


@dataclass
class Blob:
    data: bytes
    content_type: str
    original_name: str = ""
    width: int | None = None
    height: int | None = None


def store_blobs(blobs: list[Blob], actor: User | None) -> list[MediaFile]:
    """Store several blobs (already checked by the caller), in order; known content returns its
    existing row. One query finds which are known (a photo stores three at once)."""
    digests = [hashlib.sha256(b.data).hexdigest() for b in blobs]
    # No autoflush: this ends with a flush, so no new blob is ever left pending to be found; the
    # caller's other changes go out in that one flush, not in an extra one before this query.
    with db.session.no_autoflush:
        known = {m.sha256: m for m in db.session.scalars(sa.select(MediaFile).where(MediaFile.sha256.in_(digests)))}
    for blob, digest in zip(blobs, digests, strict=True):
        if digest in known:
            continue
        storage.current().put(digest, blob.data, blob.content_type)
        known[digest] = MediaFile(sha256=digest, content_type=blob.content_type, size=len(blob.data),
                                  width=blob.width, height=blob.height, original_name=(blob.original_name or "")[:200],
                                  uploaded_by_id=actor.id if actor else None)
        db.session.add(known[digest])
    db.session.flush()
    return [known[d] for d in digests]


def store_blob(data: bytes, content_type: str, actor: User | None, original_name: str = "",
               width: int | None = None, height: int | None = None) -> MediaFile:
    """Store bytes (already checked by the caller); returns the existing row for known content."""
    return store_blobs([Blob(data, content_type, original_name, width, height)], actor)[0]
