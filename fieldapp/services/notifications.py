"""Notifications about hazards: who hears of each step, reminders, the unread count.

Delivered in the app (the notifications page and the badge in the navigation). Each row
has a ``channel`` and ``sent_at`` so an SMS or WeChat sender can be added later that
delivers rows and marks them; nothing pretends to send anything today.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import db, transaction
from fieldapp.i18n import lazy_gettext as _l
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
    for user_id in _officers(hazard):
        db.session.add(Notification(user_id=user_id, kind="reported", key=f"reported:{hazard.id}", hazard_id=hazard.id))
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
    people: set[int] = set()
    for who in _AUDIENCE.get(event.action, ()):
        if who == "company":
            people.update(_company_managers(hazard))
        elif who == "reporter":
            people.add(hazard.reporter_id)
        elif who == "officer":
            people.update([hazard.officer_id] if hazard.officer_id else _officers(hazard))
    people.discard(event.actor_id)
    for user_id in sorted(people):
        db.session.add(
            Notification(
                user_id=user_id, kind=event.action, hazard_id=hazard.id, key=f"{event.action}:{hazard.id}:{event.id}"
            )
        )


@transaction
def remind(on: date | None = None) -> int:
    """Reminders for deadlines within 3 days, overdue rectification and re-checks due.
    Idempotent: each reminder has a key, stored once per person (run it as often as cron likes)."""
    on = on or clock.today()
    wanted: list[tuple[int, str, str, int]] = []  # (user, kind, key, hazard)
    soon = db.session.scalars(
        sa.select(Hazard).where(
            Hazard.status.in_(RECTIFYING), Hazard.deadline >= on, Hazard.deadline <= on + timedelta(days=REMIND_DAYS)
        )
    )
    for h in soon:
        for user_id in _company_managers(h):
            wanted.append((user_id, "deadline_soon", f"deadline_soon:{h.id}:{h.deadline}", h.id))
    overdue = sa.and_(Hazard.status.in_(RECTIFYING), Hazard.deadline < on)
    for h in db.session.scalars(sa.select(Hazard).where(overdue)):
        for user_id in {*_company_managers(h), *([h.officer_id] if h.officer_id else [])}:
            wanted.append((user_id, "overdue", f"overdue:{h.id}:{h.deadline}", h.id))
    for h in db.session.scalars(sa.select(Hazard).where(Hazard.status == "awaiting_recheck")):
        submitted = max((e.id for e in h.events if e.action == "submit"), default=0)
        wanted.append((h.reporter_id, "recheck_due", f"recheck_due:{h.id}:{submitted}", h.id))
    if not wanted:
        return 0
    existing = set(
        db.session.execute(
            sa.select(Notification.user_id, Notification.key).where(Notification.key.in_({w[2] for w in wanted}))
        ).all()
    )
    created = 0
    for user_id, kind, key, hazard_id in wanted:
        if (user_id, key) in existing:
            continue
        existing.add((user_id, key))
        db.session.add(Notification(user_id=user_id, kind=kind, key=key, hazard_id=hazard_id))
        created += 1
    db.session.commit()
    return created


NOTIFICATION_TEXT = {
    "reported": _l("新上报的隐患待您确认"),
    "confirm": _l("隐患已确认，请按期整改"),
    "reject": _l("您上报的隐患不予确认"),
    "regrade": _l("隐患等级已调整"),
    "acknowledge": _l("企业已签收整改通知"),
    "progress": _l("企业记录了整改进展"),
    "submit": _l("企业已提交整改，请到现场复查"),
    "recheck_pass": _l("复查通过"),
    "recheck_fail": _l("复查不通过，请继续整改"),
    "close": _l("隐患已销号"),
    "evidence": _l("网格员为一条隐患补充了现场证据"),
    "deadline_soon": _l("整改期限将在 3 天内到期"),
    "overdue": _l("隐患整改已逾期"),
    "recheck_due": _l("有隐患待您复查"),
    "interference": _l("收到一条领导干部干预执法的记录"),
    "interference_supplement": _l("干预记录有新的补充"),
    "clue_new": _l("收到一条新的线索或意见"),
    "clue_assigned": _l("有一条线索交由您办理"),
    "clue_task": _l("有一条线索需要您到现场核查"),
    "bulletin": _l("执法工作情况通报已发布"),
    "declaration": _l("有新的利害关系申报待审核"),
    "declaration_decided": _l("您的申报已审核"),
}


def notify(user_ids, kind: str, key: str, link: str) -> None:
    """Tell people of something that is not a hazard step (a clue, an interference record,
    a bulletin, a declaration): ``link`` is where opening it leads."""
    for user_id in sorted(set(user_ids)):
        db.session.add(Notification(user_id=user_id, kind=kind, key=key, link=link))


#: On every page (the badge): built once, like sessions._BY_TOKEN.
_UNREAD = (
    sa.select(sa.func.count())
    .select_from(Notification)
    .where(Notification.user_id == sa.bindparam("user_id"), Notification.read_at.is_(None))
)


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user.id})
