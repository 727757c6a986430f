"""Photos: the evidence as uploaded and the copies people look at."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class Photo(db.Model):
    """A photo as evidence: the uploaded bytes untouched, a watermarked display copy,
    a thumbnail, and what its EXIF said."""

    __tablename__ = "photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    original_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("media_files.id"))
    #: Made on first view (services.photos.rendition); empty until then.
    display_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))
    thumb_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("media_files.id"))
    #: The lines burnt into the display copy (time, position, work-ID, record), kept so the
    #: copy can be made later, by any instance, to the same bytes.
    watermark: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    width: so.Mapped[int]
    height: so.Mapped[int]
    #: From EXIF, when the camera wrote them.
    taken_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    latitude: so.Mapped[float | None]
    longitude: so.Mapped[float | None]
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)

    original = so.relationship("MediaFile", foreign_keys=[original_id])
    display = so.relationship("MediaFile", foreign_keys=[display_id])
    thumb = so.relationship("MediaFile", foreign_keys=[thumb_id])
