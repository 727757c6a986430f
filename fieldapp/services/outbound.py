"""The outbox of messages to people outside the app (issue 35): written in the same transaction as
what they announce (``enqueue``), delivered by ``flask fieldapp notify`` (``run_once``), so a
request never waits for a provider and a message is never lost.

Delivery: a worker claims what is due with a lease (two workers never send the same message; a
worker that dies mid-send leaves it to be claimed again once the lease ends), sends it through its
channel (services/channels/), and marks it sent, due again after a backoff (1, 2, 4 … minutes, at
most an hour), or dead — refused by the provider, or after MAX_ATTEMPTS — for an admin to see and
send again (``resend``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock
from fieldapp.db import commit, db
from fieldapp.models import OutboundMessage
from fieldapp.services.channels import Refused, Retry, robots
from fieldapp.services.channels import email as email_channel

CHANNELS = {"email": email_channel.send, "wecom": robots.send_wecom, "dingtalk": robots.send_dingtalk}
#: Channels whose provider caps how many messages a minute one target takes.
PER_MINUTE = {"wecom": robots.PER_MINUTE, "dingtalk": robots.PER_MINUTE}
MAX_ATTEMPTS = 10
#: A send takes at most the channel's timeout; past this, its worker is taken for dead.
LEASE = timedelta(minutes=2)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


def enqueue(
    channel: str, target: str, kind: str, title: str, key: str, body: str = "", link: str = ""
) -> OutboundMessage | None:
    """Add a message to the outbox in the caller's transaction (not committed here). The same key
    again adds nothing: an event announced twice is one message per person and channel."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if db.session.scalar(sa.select(OutboundMessage.id).where(OutboundMessage.key == key)) is not None:
        return None
    message = OutboundMessage(
        key=key, channel=channel, target=target, kind=kind, title=title[:200], body=body, link=link[:500]
    )
    db.session.add(message)
    return message


def _claimable(now: datetime):
    return sa.or_(
        sa.and_(OutboundMessage.status == "pending", OutboundMessage.due_at <= now),
        sa.and_(OutboundMessage.status == "sending", OutboundMessage.lease_until < now),
    )


def claim(now: datetime, limit: int = 50) -> list[OutboundMessage]:
    """Messages this worker now holds: each taken by an UPDATE that only one worker can win."""
    ids = db.session.scalars(
        sa.select(OutboundMessage.id).where(_claimable(now)).order_by(OutboundMessage.due_at).limit(limit)
    ).all()
    held = []
    for message_id in ids:
        won = db.session.execute(
            sa.update(OutboundMessage)
            .where(OutboundMessage.id == message_id, _claimable(now))
            .values(status="sending", lease_until=now + LEASE, attempts=OutboundMessage.attempts + 1)
        ).rowcount
        if won:
            held.append(message_id)
    db.session.commit()
    return list(db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.id.in_(held)))) if held else []


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _over_the_cap(message: OutboundMessage, now: datetime) -> datetime | None:
    """When the provider takes this target's next message, if it has had its minute's share."""
    cap = PER_MINUTE.get(message.channel)
    if cap is None:
        return None
    recent = db.session.scalars(
        sa.select(OutboundMessage.sent_at)
        .where(
            OutboundMessage.channel == message.channel,
            OutboundMessage.target == message.target,
            OutboundMessage.sent_at > now - timedelta(minutes=1),
        )
        .order_by(OutboundMessage.sent_at)
    ).all()
    return recent[-cap] + timedelta(minutes=1) if len(recent) >= cap else None


def deliver(message: OutboundMessage, now: datetime | None = None) -> str:
    """Send one claimed message; its new status."""
    now = now or clock.now()
    wait = _over_the_cap(message, now)
    if wait is not None:  # not an attempt: the provider would refuse it for the minute
        message.status, message.due_at, message.lease_until = "pending", wait, None
        message.attempts -= 1
        db.session.commit()
        return "deferred"
    try:
        receipt = CHANNELS[message.channel](message, current_app.config)
    except Refused as error:
        message.status, message.last_error = "dead", str(error)
    except Retry as error:
        message.last_error = str(error)
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "dead"
        else:
            message.status, message.due_at = "pending", now + backoff(message.attempts)
    else:
        message.status, message.sent_at, message.receipt, message.last_error = "sent", clock.now(), receipt[:200], ""
    message.lease_until = None
    db.session.commit()
    return message.status


def run_once(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """One pass of the worker: what was due, sent; counts by outcome."""
    now = now or clock.now()
    outcome: dict[str, int] = {}
    for message in claim(now, limit):
        status = deliver(message, now)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def resend(message: OutboundMessage) -> OutboundMessage:
    """A dead message back in the queue, due now (an admin fixed the address or the server)."""
    message.status, message.attempts, message.due_at, message.last_error = "pending", 0, clock.now(), ""
    commit()
    return message
