"""Storing files content-addressed: each blob once, under its SHA-256.

What may be stored is decided by the callers (the photo pipeline checks photos by
decoding them); the uploaded file name is kept for display only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock
from fieldapp.db import db
from fieldapp.errors import Conflict, NotFound
from fieldapp.i18n import gettext as _
from fieldapp.models import MediaFile, User
from fieldapp.services import storage

#: Stored files this session has already loaded, by SHA-256 (see ``remember``).
_LOADED = "media_by_sha256"


@dataclass
class Blob:
    data: bytes
    content_type: str
    original_name: str = ""
    width: int | None = None
    height: int | None = None
    sha256: str = ""  # when the caller has already hashed the data


def remember(files) -> None:
    """Files loaded with something else (a synced record's uploads, found in one query), so
    that storing the same content again finds them without a query each. Only stored rows:
    media are never deleted, so they stay valid whatever this session does next."""
    db.session.info.setdefault(_LOADED, {}).update((m.sha256, m) for m in files)


def known(digests: list[str]) -> dict[str, MediaFile]:
    """The stored files among ``digests``: remembered ones, the others in one query."""
    loaded = db.session.info.get(_LOADED, {})
    found = {d: loaded[d] for d in digests if d in loaded}
    missing = [d for d in digests if d not in found]
    if missing:
        # No autoflush: callers end with a flush, so no new blob is ever left pending to be found;
        # their other changes go out in that one flush, not in an extra one before this query.
        with db.session.no_autoflush:
            found.update(
                (m.sha256, m) for m in db.session.scalars(sa.select(MediaFile).where(MediaFile.sha256.in_(missing)))
            )
    return found


def store_blobs(blobs: list[Blob], actor: User | None, flush: bool = True, new: bool = False) -> list[MediaFile]:
    """Store several blobs (already checked by the caller), in order; known content returns its
    existing row. One query finds which are known (a photo stores three at once), none when the
    caller has just looked and found none of them (``new``: the same content stored meanwhile
    fails the unique SHA-256 at the commit, as without it). Flushed, so that the rows have their
    ids, unless ``flush`` is false (they go out with the caller's)."""
    digests = [b.sha256 or hashlib.sha256(b.data).hexdigest() for b in blobs]
    known_files = {} if new else known(digests)
    for blob, digest in zip(blobs, digests, strict=True):
        if digest in known_files:
            continue
        storage.current().put(digest, blob.data, blob.content_type)
        known_files[digest] = MediaFile(
            sha256=digest,
            content_type=blob.content_type,
            size=len(blob.data),
            width=blob.width,
            height=blob.height,
            original_name=(blob.original_name or "")[:200],
            uploaded_by_id=actor.id if actor else None,
        )
        db.session.add(known_files[digest])
    if flush:
        db.session.flush()
    return [known_files[d] for d in digests]


def store_blob(
    data: bytes,
    content_type: str,
    actor: User | None,
    original_name: str = "",
    width: int | None = None,
    height: int | None = None,
    sha256: str = "",
    flush: bool = True,
    new: bool = False,
) -> MediaFile:
    """Store bytes (already checked by the caller); returns the existing row for known content."""
    return store_blobs([Blob(data, content_type, original_name, width, height, sha256)], actor, flush, new)[0]


def orphans(older_than: timedelta) -> list[str]:
    """Stored files no row names, written before ``older_than`` ago (a file just written belongs to
    a request that has not committed yet). The rows are read after the listing, so a row committed
    meanwhile still protects its file: a file a row names is never among these."""
    cutoff = clock.now() - older_than
    candidates = [key for key, written in storage.current().keys() if written < cutoff]
    named: set[str] = set()
    digests = [k for k in candidates if len(k) == 64]
    for start in range(0, len(digests), 1000):
        batch = digests[start : start + 1000]
        named.update(db.session.scalars(sa.select(MediaFile.sha256).where(MediaFile.sha256.in_(batch))))
    return [k for k in candidates if k not in named]


def prune_orphans(older_than: timedelta = timedelta(hours=24)) -> int:
    """Remove the files of refused or abandoned uploads (and crashed writes' temporary files)."""
    found = orphans(older_than)
    for key in found:
        storage.current().delete(key)
    return len(found)


def verified_bytes(item: MediaFile) -> bytes:
    """The stored file's bytes, checked against the SHA-256 recorded when it was stored: a file
    replaced or damaged on the server is never served as the evidence it claims to be."""
    try:
        data = storage.current().get(item.sha256)
    except FileNotFoundError:
        raise NotFound(_("找不到该文件。")) from None
    if hashlib.sha256(data).hexdigest() != item.sha256:
        current_app.logger.error("stored file %s (media %s) no longer matches its SHA-256", item.sha256, item.id)
        raise Conflict(_("该文件与存档时的校验值不符（可能在服务器上被替换或损坏），已拒绝提供并记录。请联系管理员。"))
    return data
