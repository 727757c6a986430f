"""What an inspector shows on the grid's public notice board (seed 002 art. 13)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class Portrait(db.Model):
    """A staff member's photo for the public notice board (a table of its own: users and
    photos already point at each other the other way)."""

    __tablename__ = "portraits"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    photo_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("photos.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    photo = so.relationship("Photo")
