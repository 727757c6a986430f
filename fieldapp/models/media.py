"""Stored files (photos, documents), content-addressed by SHA-256."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class MediaFile(db.Model):
    __tablename__ = "media_files"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: Hex SHA-256 of the stored bytes; also the storage key.
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    content_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int]
    width: so.Mapped[int | None]
    height: so.Mapped[int | None]
    original_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)


class ClientMedia(db.Model):
    """A file a phone uploaded under its own UUID, before the record that uses it arrives
    (the sync sends media first). Same UUID and content again: the same row."""

    __tablename__ = "client_media"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    owner_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    media_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("media_files.id"))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    media = so.relationship("MediaFile")
