"""Messages to people outside the app (email, SMS, WeCom and DingTalk robots): an outbox written in
the same transaction as what they announce, delivered later by ``flask fieldapp notify``
(services/outbound.py), so a request never waits for a provider and nothing is lost; and who
wants them how — a person's channels and quiet hours, a department's robots and routes."""

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
        # What a target had in the last minute (a provider's cap) and waits to fold into a digest.
        sa.Index("ix_outbound_messages_channel_target_sent_at", "channel", "target", "sent_at"),
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
    #: Folded with the same target's other waiting messages of its kind into one (a digest).
    digest: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    #: The department it concerns: whose robot a group message goes to, which admins see it.
    org_unit_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("org_units.id", ondelete="SET NULL"))


class AlertPreference(db.Model):
    """How one person wants to hear of what concerns them outside the app. No row: by SMS to
    the account's mobile when the deployment sends SMS, no email, no quiet hours."""

    __tablename__ = "alert_preferences"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    by_sms: so.Mapped[bool] = so.mapped_column(default=True)
    by_email: so.Mapped[bool] = so.mapped_column(default=False)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    #: Local minutes after midnight; none or equal ends mean no quiet hours. 重大 ignores them.
    quiet_start: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    quiet_end: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class DepartmentAlerts(db.Model):
    """A department's group robots and its routing (services/announce.py ROUTES): what its people
    hear outside the app. Applies to the department's subtree unless a unit below has its own.
    The webhooks and the secret are write-only in the UI: never shown again once saved."""

    __tablename__ = "department_alerts"

    org_unit_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True)
    wecom_webhook: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    dingtalk_webhook: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    dingtalk_secret: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: General (not 重大) new hazards reach a group or a person at most this often, folded.
    digest_minutes: so.Mapped[int] = so.mapped_column(default=30)
    #: Route kind → on/off where it differs from ROUTES' default.
    routes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
