"""The tamper-evident trail (全程留痕): one chain of events, each hash covering the one before.

``AuditHead`` is a single row holding the chain's end; appending locks it, so concurrent
transactions append one after another and the chain never forks. ``ReadLog`` records who
opened which case file (seed 001 art. 26(6): prying into case files is misconduct).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db

GENESIS = "0" * 64


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    #: From a row to its events: the check of rows against the trail reads each row's last one.
    __table_args__ = (sa.Index("ix_audit_events_object_type_object_id_seq", "object_type", "object_id", "seq"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, unique=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    actor_id: so.Mapped[int | None] = so.mapped_column()
    actor_role: so.Mapped[str] = so.mapped_column(sa.String(32), default="")
    action: so.Mapped[str] = so.mapped_column(sa.String(16))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(64))
    object_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    before_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    after_sha256: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class AuditHead(db.Model):
    __tablename__ = "audit_head"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), default=GENESIS)


class ReadLog(db.Model):
    __tablename__ = "read_log"
    __table_args__ = (sa.Index("ix_read_log_object_type_object_id", "object_type", "object_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    object_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[int] = so.mapped_column()
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    #: An attempt that was refused (an admin opening an interference record, say).
    denied: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    user = so.relationship("User")
