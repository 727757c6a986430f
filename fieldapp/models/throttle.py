"""Counters that throttle public forms, and tokens that may be used once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class UsedToken(db.Model):
    """A single-use token already used (a public form's stamp): its second use is refused."""

    __tablename__ = "used_tokens"

    token: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    used_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, index=True)


class ThrottleHit(db.Model):
    """One use of a throttled action (a public clue, a code look-up) by one key (an IP).
    In the database, so that the limit holds across app instances."""

    __tablename__ = "throttle_hits"
    __table_args__ = (sa.Index("ix_throttle_hits_bucket_key_at", "bucket", "key", "at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    bucket: so.Mapped[str] = so.mapped_column(sa.String(32))
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
