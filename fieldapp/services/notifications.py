"""Notifications: who hears of each step of a hazard, of a clue, an interference record, a
bulletin; reminders; the unread count.

Delivered in the app (the notifications page and the badge in the navigation), and outside it by
each person's channels and their department's robots as services/announce.py routes them, in the
same transaction (through the outbox: nothing here waits for a provider).
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import db, transaction
from fieldapp.models import (
    CompanyManager,
    Grid,
    Hazard,
    HazardEvent,
    Notification,
    User,
)
from fieldapp.models.hazards import HAZARD_RECTIFYING
from fieldapp.services import announce

RECTIFYING = HAZARD_RECTIFYING
REMIND_DAYS = 3


def reported(hazard: Hazard) -> None:
    """A new report reaches the officers of the jurisdiction (and, proposed 重大, their groups)."""
    officers = _officers(hazard)
    for user_id in officers:
        db.session.add(Notification(user_id=user_id, kind="reported", key=f"reported:{hazard.id}", hazard_id=hazard.id))
    announce.people(officers, "reported", f"reported:{hazard.id}", hazard)
    announce.hazard_reported(hazard)


def _company_managers(hazard: Hazard) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(CompanyManager.user_id).where(CompanyManager.enterprise_id == hazard.enterprise_id)
        )
    )


def _officers(hazard: Hazard) -> list[int]:
    """Officers whose jurisdiction holds the hazard's grid."""
    unit = sa.select(Grid.org_unit_id).where(Grid.id == hazard.grid_id).scalar_subquery()
    return policy.holders(unit, roles.ENFORCEMENT_OFFICER)


#: Who hears of each step (besides the one who took it).
_AUDIENCE = {
    "confirm": ("company", "reporter"),
    "reject": ("reporter",),
    "regrade": ("company", "reporter"),
    "acknowledge": ("officer",),
    "progress": ("officer",),
    "submit": ("reporter", "officer"),
    "recheck_pass": ("company", "officer"),
    "recheck_fail": ("company", "officer"),
    "close": ("company", "reporter"),
    "evidence": ("officer",),
}


def for_event(hazard: Hazard, event: HazardEvent) -> None:
    """Tell the people concerned by one step of a hazard (in the same transaction)."""
    audiences: dict[str, set[int]] = {}
    for who in _AUDIENCE.get(event.action, ()):
        if who == "company":
            audiences[who] = set(_company_managers(hazard))
        elif who == "reporter":
            audiences[who] = {hazard.reporter_id}
        elif who == "officer":
            audiences[who] = set([hazard.officer_id] if hazard.officer_id else _officers(hazard))
    for users in audiences.values():
        users.discard(event.actor_id)
    key = f"{event.action}:{hazard.id}:{event.id}"
    for user_id in sorted(set().union(*audiences.values())):
        db.session.add(Notification(user_id=user_id, kind=event.action, hazard_id=hazard.id, key=key))
    announce.people(announce.outside_audience(event.action, audiences), event.action, key, hazard)


@transaction
def remind(on: date | None = None) -> int:
    """Reminders for deadlines within 3 days, overdue rectification and re-checks due.
    Idempotent: each reminder has a key, stored once per person (run it as often as cron likes)."""
    on = on or clock.today()
    wanted: list[tuple[int, str, str, Hazard]] = []  # (user, kind, key, hazard)
    soon = db.session.scalars(
        sa.select(Hazard).where(
            Hazard.status.in_(RECTIFYING), Hazard.deadline >= on, Hazard.deadline <= on + timedelta(days=REMIND_DAYS)
        )
    )
    for h in soon:
        for user_id in _company_managers(h):
            wanted.append((user_id, "deadline_soon", f"deadline_soon:{h.id}:{h.deadline}", h))
    overdue = sa.and_(Hazard.status.in_(RECTIFYING), Hazard.deadline < on)
    for h in db.session.scalars(sa.select(Hazard).where(overdue)):
        for user_id in {*_company_managers(h), *([h.officer_id] if h.officer_id else [])}:
            wanted.append((user_id, "overdue", f"overdue:{h.id}:{h.deadline}", h))
    for h in db.session.scalars(sa.select(Hazard).where(Hazard.status == "awaiting_recheck")):
        submitted = max((e.id for e in h.events if e.action == "submit"), default=0)
        wanted.append((h.reporter_id, "recheck_due", f"recheck_due:{h.id}:{submitted}", h))
    if not wanted:
        return 0
    existing = set(
        db.session.execute(
            sa.select(Notification.user_id, Notification.key).where(Notification.key.in_({w[2] for w in wanted}))
        ).all()
    )
    created = 0
    for user_id, kind, key, hazard in wanted:
        if (user_id, key) in existing:
            continue
        existing.add((user_id, key))
        db.session.add(Notification(user_id=user_id, kind=kind, key=key, hazard_id=hazard.id))
        announce.people([user_id], kind, key, hazard)
        created += 1
    db.session.commit()
    return created


def notify(user_ids, kind: str, key: str, link: str, unit_id: int | None = None) -> None:
    """Tell people of something that is not a hazard step (a clue, an interference record,
    a bulletin, a declaration): ``link`` is where opening it leads; ``unit_id`` the department
    it happens in (whose routing applies outside the app)."""
    user_ids = sorted(set(user_ids))
    for user_id in user_ids:
        db.session.add(Notification(user_id=user_id, kind=kind, key=key, link=link))
    announce.people(user_ids, kind, key, unit_id=unit_id, link=link)


#: On every page (the badge): built once, like sessions._BY_TOKEN.
_UNREAD = (
    sa.select(sa.func.count())
    .select_from(Notification)
    .where(Notification.user_id == sa.bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user.id})
