"""In-app notifications: what happened that concerns a person, with a link to it.

Delivery is in the app only; ``channel`` leaves room for SMS or WeChat senders later,
each marking ``sent_at`` for its own rows. ``key`` makes reminders idempotent: the
same reminder for the same person is stored once, however often the job runs.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key"),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    key: so.Mapped[str] = so.mapped_column(sa.String(120))
    hazard_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("hazards.id", ondelete="CASCADE"))
    #: Where a notification not about a hazard leads (a clue, an interference record, …).
    link: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    channel: so.Mapped[str] = so.mapped_column(sa.String(16), default="app")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    hazard = so.relationship("Hazard")
