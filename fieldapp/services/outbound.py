"""The outbox of messages to people outside the app (issue 35): written in the same transaction as
what they announce (``enqueue``), delivered by ``flask fieldapp notify`` (``run_once``), so a
request never waits for a provider and a message is never lost.

Delivery: a worker claims what is due with a lease (two workers never send the same message; a
worker that dies mid-send leaves it to be claimed again once the lease ends), sends it through its
channel (services/channels/), and marks it sent, due again after a backoff (1, 2, 4 … minutes, at
most an hour), or dead — refused by the provider, or after MAX_ATTEMPTS — for an admin to see and
send again (``resend``).

A digest: messages marked ``digest`` wait to be folded — when one of them is due, every waiting
message of its kind for the same target goes with it, as one (services/announce.py sets when).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from fieldapp import clock, policy
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Conflict
from fieldapp.i18n import gettext as _
from fieldapp.models import OutboundMessage, User
from fieldapp.services import alert_settings
from fieldapp.services.channels import Refused, Retry, robots, sms
from fieldapp.services.channels import email as email_channel

CHANNELS = {
    "email": email_channel.send,
    "sms": sms.send,
    "wecom": robots.send_wecom,
    "dingtalk": robots.send_dingtalk,
}
ROBOTS = ("wecom", "dingtalk")
#: Channels whose provider caps how many messages a minute one target takes.
PER_MINUTE = {"wecom": robots.PER_MINUTE, "dingtalk": robots.PER_MINUTE, "sms": sms.PER_MINUTE}
#: How many messages a digest lists line by line (the rest are counted).
DIGEST_LINES = 10
MAX_ATTEMPTS = 10
#: A send takes at most the channel's timeout; past this, its worker is taken for dead.
LEASE = timedelta(minutes=2)
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


def enqueue(
    channel: str,
    target: str,
    kind: str,
    title: str,
    key: str,
    body: str = "",
    link: str = "",
    *,
    due_at: datetime | None = None,
    digest: bool = False,
    org_unit_id: int | None = None,
) -> OutboundMessage | None:
    """Add a message to the outbox in the caller's transaction (not committed here). The same key
    again adds nothing: an event announced twice is one message per person and channel."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if db.session.scalar(sa.select(OutboundMessage.id).where(OutboundMessage.key == key)) is not None:
        return None
    message = OutboundMessage(
        key=key,
        channel=channel,
        target=target,
        kind=kind,
        title=title[:200],
        body=body,
        link=link[:500],
        due_at=due_at or clock.now(),
        digest=digest,
        org_unit_id=org_unit_id,
    )
    db.session.add(message)
    return message


def _claimable(now: datetime):
    return sa.or_(
        sa.and_(OutboundMessage.status == "pending", OutboundMessage.due_at <= now),
        sa.and_(OutboundMessage.status == "sending", OutboundMessage.lease_until < now),
    )


def _take(ids, takeable, now: datetime) -> list[OutboundMessage]:
    """The messages of ``ids`` this worker now holds: each taken by an UPDATE that only one
    worker can win (the row must still be ``takeable``), committed at once."""
    held = [
        message_id
        for message_id in ids
        if db.session.execute(
            sa.update(OutboundMessage)
            .where(OutboundMessage.id == message_id, takeable)
            .values(status="sending", lease_until=now + LEASE, attempts=OutboundMessage.attempts + 1)
        ).rowcount
    ]
    db.session.commit()
    return list(db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.id.in_(held)))) if held else []


def claim(now: datetime, limit: int = 50) -> list[OutboundMessage]:
    """Messages this worker now holds: what is due, oldest first."""
    ids = db.session.scalars(
        sa.select(OutboundMessage.id).where(_claimable(now)).order_by(OutboundMessage.due_at).limit(limit)
    ).all()
    return _take(ids, _claimable(now), now)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _over_the_cap(message: OutboundMessage, now: datetime) -> datetime | None:
    """When the provider takes this target's next message, if it has had its minute's share."""
    cap = PER_MINUTE.get(message.channel)
    if cap is None:
        return None
    recent = db.session.scalars(  # a digest's messages share one sending
        sa.select(OutboundMessage.sent_at)
        .distinct()
        .where(
            OutboundMessage.channel == message.channel,
            OutboundMessage.target == message.target,
            OutboundMessage.sent_at > now - timedelta(minutes=1),
        )
        .order_by(OutboundMessage.sent_at)
    ).all()
    return recent[-cap] + timedelta(minutes=1) if len(recent) >= cap else None


def _config(message) -> dict:
    """The settings a message is sent with: a robot's are its department's (or the deployment's)."""
    if message.channel in ROBOTS:
        return alert_settings.channel_config(message.org_unit_id, current_app.config)
    return current_app.config


def _folded(messages: list[OutboundMessage]):
    """One message standing for a digest's: the first's title with the count, a line each."""
    if len(messages) == 1:
        return messages[0]
    first = messages[0]
    lines = [m.body for m in messages[:DIGEST_LINES]]
    if len(messages) > DIGEST_LINES:
        lines.append(f"… +{len(messages) - DIGEST_LINES}")
    links = {m.link for m in messages}
    return SimpleNamespace(
        key=f"{first.key}+{len(messages) - 1}",
        channel=first.channel,
        target=first.target,
        kind=first.kind,
        title=f"{first.title}（{len(messages)}）",
        body="\n".join(lines),
        # The list they are on, when each has its own page (…/hazards/12 → …/hazards).
        link=first.link if len(links) == 1 else first.link.rpartition("/")[0],
        org_unit_id=first.org_unit_id,
    )


def _same_digest(a: OutboundMessage, b: OutboundMessage) -> bool:
    return b.digest and (a.channel, a.target, a.kind) == (b.channel, b.target, b.kind)


def _fold_in(message: OutboundMessage, now: datetime, held: list[OutboundMessage]) -> list[OutboundMessage]:
    """A claimed digest message with the others of its kind for the same target: those this
    worker holds already, and those waiting (due or not: they go together), each taken as
    ``claim`` takes them (``_take``)."""
    mine = [m for m in held if m is not message and _same_digest(message, m)]
    waiting = db.session.scalars(
        sa.select(OutboundMessage.id).where(
            OutboundMessage.channel == message.channel,
            OutboundMessage.target == message.target,
            OutboundMessage.kind == message.kind,
            OutboundMessage.digest.is_(True),
            OutboundMessage.status == "pending",
            OutboundMessage.id != message.id,
        )
    ).all()
    others = _take(waiting, OutboundMessage.status == "pending", now)
    return sorted([message, *mine, *others], key=lambda m: m.id)


def deliver(message: OutboundMessage, now: datetime | None = None, together: list | None = None) -> str:
    """Send one claimed message (with ``together``, the digest's others); the new status."""
    now = now or clock.now()
    group = together or [message]
    wait = _over_the_cap(message, now)
    if wait is not None:  # not an attempt: the provider would refuse it for the minute
        for row in group:
            row.status, row.due_at, row.lease_until = "pending", wait, None
            row.attempts -= 1
        db.session.commit()
        return "deferred"
    try:
        receipt = CHANNELS[message.channel](_folded(group), _config(message))
    except Refused as error:
        status, error_text, due = "dead", str(error), None
    except Retry as error:
        error_text = str(error)
        if message.attempts >= MAX_ATTEMPTS:
            status, due = "dead", None
        else:
            status, due = "pending", now + backoff(message.attempts)
    else:
        sent_at = clock.now()
        for row in group:
            row.status, row.sent_at, row.receipt, row.last_error = "sent", sent_at, receipt[:200], ""
            row.lease_until = None
        db.session.commit()
        return "sent"
    for row in group:
        row.status, row.last_error, row.lease_until = status, error_text, None
        if due is not None:
            row.due_at = due
    db.session.commit()
    return status


def run_once(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """One pass of the worker: what was due, sent; counts by outcome (a digest counts once)."""
    now = now or clock.now()
    outcome: dict[str, int] = {}
    done: set[int] = set()
    held = claim(now, limit)
    for message in held:
        if message.id in done:
            continue  # went with a digest already
        group = _fold_in(message, now, [m for m in held if m.id not in done]) if message.digest else [message]
        done.update(m.id for m in group)
        status = deliver(message, now, group)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def resend(message: OutboundMessage) -> OutboundMessage:
    """A dead message back in the queue, due now (an admin fixed the address or the server)."""
    message.status, message.attempts, message.due_at, message.last_error = "pending", 0, clock.now(), ""
    commit()
    return message


# --- what an admin sees of it (their departments' messages: policy.outbound_condition) ----------


def _seen_by(user: User) -> sa.Select:
    return sa.select(OutboundMessage).where(policy.outbound_condition(user))


def tallies(user: User, now: datetime | None = None) -> dict[str, int]:
    """Waiting, being sent, given up (dead) — and sent in the last 24 hours."""
    now = now or clock.now()
    seen = policy.outbound_condition(user)
    counts = dict(
        db.session.execute(
            sa.select(OutboundMessage.status, sa.func.count())
            .where(seen, OutboundMessage.status.in_(("pending", "sending", "dead")))
            .group_by(OutboundMessage.status)
        ).all()
    )
    counts["sent_today"] = db.session.scalar(
        sa.select(sa.func.count()).where(seen, OutboundMessage.sent_at > now - timedelta(days=1))
    )
    return counts


def troubled(user: User, limit: int = 50) -> list[OutboundMessage]:
    """Messages given up on, then those still being retried after a failure: newest first."""
    return list(
        db.session.scalars(
            _seen_by(user)
            .where(
                sa.or_(
                    OutboundMessage.status == "dead",
                    sa.and_(OutboundMessage.status == "pending", OutboundMessage.attempts > 0),
                )
            )
            .order_by((OutboundMessage.status == "dead").desc(), OutboundMessage.id.desc())
            .limit(limit)
        )
    )


def sent_to(targets: list[str], limit: int = 10) -> list[OutboundMessage]:
    """The latest messages to these numbers or addresses (a person's own, on their account page)."""
    targets = [t for t in targets if t]
    if not targets:
        return []
    return list(
        db.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.target.in_(targets), OutboundMessage.channel.in_(("sms", "email")))
            .order_by(OutboundMessage.id.desc())
            .limit(limit)
        )
    )


def get_for(user: User, message_id) -> OutboundMessage:
    return policy.get_in_scope(_seen_by(user), OutboundMessage, message_id)


@transaction
def resend_for(user: User, message_id) -> OutboundMessage:
    """An admin sends a message of their departments again; only one given up on."""
    message = get_for(user, message_id)
    if message.status != "dead":
        raise Conflict(_("这条消息没有发送失败，无需重新发送。"))
    return resend(message)
