"""Work log and attendance (seed 002 art. 9): each inspector's daily log is derived from what
they did — inspections, re-checks, hazards reported — so nothing is entered twice; leave is
asked for and approved; the team's month becomes an attendance sheet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fieldapp import clock, fields, policy
from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Conflict, InputError, NotFound
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import Enterprise, Hazard, HazardEvent, Inspection, LeaveRequest, User
from fieldapp.schemas import commands
from fieldapp.schemas.commands.people import LeaveAsked, LeaveSchema
from fieldapp.services import workdays

LEAVE_LABELS = {"annual": _l("年休假"), "sick": _l("病假"), "personal": _l("事假"), "other": _l("其他")}
LEAVE_STATUS = {"pending": _l("待批准"), "approved": _l("已批准"), "rejected": _l("未批准"), "cancelled": _l("已撤销")}


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def parse_month(raw: str | None, today: date) -> date | None:
    if not raw:
        return today.replace(day=1)
    try:
        day = datetime.strptime(raw.strip(), "%Y-%m").date()
    except ValueError:
        return None
    return day if fields.FIRST_YEAR <= day.year <= fields.LAST_YEAR else None


def _local_day(value: datetime) -> date:
    return value.astimezone(SHANGHAI).date()


@dataclass
class Entry:
    at: datetime
    kind: str  # inspection | recheck | report
    text: str
    link: str


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    leave: LeaveRequest | None = None


def log(person: User, month: date) -> list[Day]:
    """The person's days of the month with what they did (three queries)."""
    first, last = month_bounds(month)
    lo, hi = workdays.span(first, last)
    days: dict[date, Day] = {
        first + timedelta(days=i): Day(first + timedelta(days=i)) for i in range((last - first).days + 1)
    }
    for number, name, state, started, iid in db.session.execute(
        sa.select(Inspection.number, Enterprise.name, Inspection.state, Inspection.started_at, Inspection.id)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(Inspection.inspector_id == person.id, Inspection.started_at >= lo, Inspection.started_at < hi)
    ):
        label = _("现场检查 %(name)s（%(n)s）", name=name, n=number) + ("" if state != "draft" else _("，未完成"))
        days[_local_day(started)].entries.append(Entry(started, "inspection", label, f"/inspections/{iid}"))
    for action, at, hid, name in db.session.execute(
        sa.select(HazardEvent.action, HazardEvent.created_at, Hazard.id, Enterprise.name)
        .join(Hazard, Hazard.id == HazardEvent.hazard_id)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(
            HazardEvent.actor_id == person.id,
            HazardEvent.action.in_(("recheck_pass", "recheck_fail")),
            HazardEvent.created_at >= lo,
            HazardEvent.created_at < hi,
        )
    ):
        label = _(
            "复查 %(name)s 隐患 #%(id)d：%(result)s",
            name=name,
            id=hid,
            result=_("通过") if action == "recheck_pass" else _("不通过"),
        )
        days[_local_day(at)].entries.append(Entry(at, "recheck", label, f"/hazards/{hid}"))
    for created, hid, name in db.session.execute(
        sa.select(Hazard.created_at, Hazard.id, Enterprise.name)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(Hazard.reporter_id == person.id, Hazard.created_at >= lo, Hazard.created_at < hi)
    ):
        days[_local_day(created)].entries.append(
            Entry(created, "report", _("上报 %(name)s 隐患 #%(id)d", name=name, id=hid), f"/hazards/{hid}")
        )
    for leave in db.session.scalars(
        sa.select(LeaveRequest).where(
            LeaveRequest.user_id == person.id,
            LeaveRequest.status == "approved",
            LeaveRequest.starts_on <= last,
            LeaveRequest.ends_on >= first,
        )
    ):
        d = max(first, leave.starts_on)
        while d <= min(last, leave.ends_on):
            days[d].leave = leave
            d += timedelta(days=1)
    for entry in days.values():
        entry.entries.sort(key=lambda e: e.at)
    return list(days.values())


# --- leave --------------------------------------------------------------------------------------


@transaction
def request_leave(person: User, values: LeaveAsked | Mapping) -> LeaveRequest:
    policy.require(person, "inspection.create")
    asked = commands.read(LeaveSchema(), values)
    start, end = asked.starts_on, asked.ends_on
    errors: dict[str, str] = {}
    if not errors:
        clash = db.session.scalar(
            sa.select(LeaveRequest)
            .where(
                LeaveRequest.user_id == person.id,
                LeaveRequest.status.in_(("pending", "approved")),
                LeaveRequest.starts_on <= end,
                LeaveRequest.ends_on >= start,
            )
            .limit(1)
        )
        if clash is not None:
            errors["starts_on"] = _(
                "与已有的请假（%(a)s 至 %(b)s）重叠。", a=clash.starts_on.isoformat(), b=clash.ends_on.isoformat()
            )
    if errors:
        raise InputError(errors)
    row = LeaveRequest(user_id=person.id, kind=asked.kind, starts_on=start, ends_on=end, reason=asked.reason)
    db.session.add(row)
    commit()
    return row


def mine(person: User) -> list[LeaveRequest]:
    return list(
        db.session.scalars(
            sa.select(LeaveRequest)
            .where(LeaveRequest.user_id == person.id)
            .order_by(LeaveRequest.starts_on.desc())
            .limit(50)
        )
    )


def team_scope(admin: User) -> sa.Select:
    from fieldapp.services import corps

    return corps.people_scope(admin)


def team_member(admin: User, raw_id) -> User:
    """The person of ``admin``'s team a page names (``?user=``); NotFound otherwise."""
    return policy.get_in_scope(team_scope(admin), User, raw_id)


def pending(admin: User) -> list[LeaveRequest]:
    return list(
        db.session.scalars(
            sa.select(LeaveRequest)
            .where(
                LeaveRequest.status == "pending", LeaveRequest.user_id.in_(team_scope(admin).with_only_columns(User.id))
            )
            .options(sa.orm.joinedload(LeaveRequest.user))
            .order_by(LeaveRequest.starts_on)
        )
    )


@transaction
def decide(admin: User, leave_id: int, approve: bool, note: str = "") -> LeaveRequest:
    policy.require(admin, "user.manage")
    row = db.session.scalar(
        sa.select(LeaveRequest).where(
            LeaveRequest.id == leave_id, LeaveRequest.user_id.in_(team_scope(admin).with_only_columns(User.id))
        )
    )
    if row is None:  # missing or another team's: the same answer
        raise NotFound(_("找不到该记录，或您无权查看。"))
    if row.status != "pending":
        raise Conflict(_("该请假已处理（%(s)s）。", s=LEAVE_STATUS[row.status]))
    row.status, row.decided_by_id, row.decision_note = ("approved" if approve else "rejected"), admin.id, note[:1000]
    commit()
    return row


# --- the monthly sheet --------------------------------------------------------------------------

#: The sheet's marks, by code: field work that day, approved leave, a weekend or holiday off.
MARKS = {"work": _l("出勤"), "leave": _l("假"), "off": _l("休"), "": ""}


def attendance(admin: User, month: date) -> tuple[list[date], list[tuple[User, list[str], dict[str, int]]]]:
    """For each person of the team and each day a code of ``MARKS``: work (field work that
    day), leave (approved leave), off (weekend or holiday without work), or empty; with totals."""
    first, last = month_bounds(month)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    people = db.session.scalars(team_scope(admin).where(User.active.is_(True)).order_by(User.display_name)).all()
    ids = [p.id for p in people]
    lo, hi = workdays.span(first, last)
    worked: dict[int, set[date]] = defaultdict(set)
    if ids:
        for uid, at in db.session.execute(
            sa.select(Inspection.inspector_id, Inspection.started_at).where(
                Inspection.inspector_id.in_(ids), Inspection.started_at >= lo, Inspection.started_at < hi
            )
        ):
            worked[uid].add(_local_day(at))
        for uid, at in db.session.execute(
            sa.select(HazardEvent.actor_id, HazardEvent.created_at).where(
                HazardEvent.actor_id.in_(ids), HazardEvent.created_at >= lo, HazardEvent.created_at < hi
            )
        ):
            worked[uid].add(_local_day(at))
    leave: dict[int, set[date]] = defaultdict(set)
    for row in db.session.scalars(
        sa.select(LeaveRequest).where(
            LeaveRequest.user_id.in_(ids or [-1]),
            LeaveRequest.status == "approved",
            LeaveRequest.starts_on <= last,
            LeaveRequest.ends_on >= first,
        )
    ):
        d = max(first, row.starts_on)
        while d <= min(last, row.ends_on):
            leave[row.user_id].add(d)
            d += timedelta(days=1)
    calendar = {d: workdays.is_workday(d) for d in days}
    today = clock.today()
    sheet = []
    for person in people:
        marks = []
        for d in days:
            if d in worked[person.id]:
                marks.append("work")
            elif d in leave[person.id]:
                marks.append("leave" if calendar[d] else "off")
            elif not calendar[d]:
                marks.append("off")
            else:
                marks.append("")
        counts = {
            "work": marks.count("work"),
            "leave": marks.count("leave"),
            "absent": sum(1 for d, m in zip(days, marks, strict=True) if m == "" and calendar[d] and d <= today),
        }
        sheet.append((person, marks, counts))
    return days, sheet
