"""Messages to people outside the app (email, WeCom and DingTalk robots; SMS next): an outbox written in
the same transaction as what they announce, delivered later by ``flask fieldapp notify``
(services/outbound.py), so a request never waits for a provider and nothing is lost."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp import clock
from fieldapp.db import UTCDateTime, db
from fieldapp.models.enterprises import _in

OUTBOUND_STATES = ("pending", "sending", "sent", "dead")


class OutboundMessage(db.Model):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OUTBOUND_STATES), name="status"),
        # The worker's question: what is due (or was left half-sent by a worker that died)?
        sa.Index("ix_outbound_messages_status_due_at", "status", "due_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: One message per event, person and channel: enqueuing it again changes nothing; it is also
    #: the idempotency key the provider sees (an email's Message-ID).
    key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: An email address, a mobile number or a robot's name: never a secret (those stay in settings).
    target: so.Mapped[str] = so.mapped_column(sa.String(300))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    link: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(12), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    #: When to try (again): now for a new message, later after a failure (backoff).
    due_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    #: A worker sending it holds it until then; past it, the worker is taken for dead.
    lease_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    #: What the provider answered on acceptance (its message id), for tracing.
    receipt: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
