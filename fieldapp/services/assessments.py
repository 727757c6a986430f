"""Half-yearly assessment of inspectors (seed 002 art. 17–19).

The department configures score items; each may name a figure the system already knows,
which is pre-filled beside it (coverage of the person's grids, hazards reported and
confirmed, re-checks and how many were on time, overdue hazards in their grids, criticism
from the public about their grids). The assessor scores each item within its maximum and
comments; the grade follows the total; figures and items are frozen with the scores, so
the history reads as it was. The best are flagged for commendation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.db import commit, db, transaction
from fieldapp.errors import InputError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import (
    Assessment,
    AssessmentItem,
    Clue,
    Enterprise,
    Hazard,
    HazardEvent,
    InspectorGrid,
    OrgUnit,
    User,
    UserOrgUnit,
)
from fieldapp.schemas import commands
from fieldapp.schemas.commands.admin import assessment_schema
from fieldapp.services import coverage, hazards, workdays

METRICS = {
    "coverage": _l("负责网格巡查覆盖率（%）"),
    "hazards_reported": _l("上报隐患（项）"),
    "hazards_confirmed": _l("其中确认（项）"),
    "rechecks": _l("复查（次）"),
    "rechecks_on_time": _l("按时复查率（%）"),
    "overdue": _l("负责网格逾期未整改隐患（项）"),
    "complaints": _l("群众批评投诉（条）"),
}
DEFAULT_ITEMS = [
    ("巡查覆盖", 30, "coverage"),
    ("隐患排查", 25, "hazards_confirmed"),
    ("复查及时", 20, "rechecks_on_time"),
    ("工作纪律", 15, ""),
    ("群众评价", 10, "complaints"),
]
GRADE_LABELS = {"excellent": _l("优秀"), "good": _l("良好"), "pass": _l("合格"), "fail": _l("不合格")}
RECHECK_DAYS = 3  # a re-check within three days of the company's submission is on time


def half_of(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def parse_half(raw: str | None) -> str | None:
    m = re.fullmatch(r"(20\d\d)-H([12])", (raw or "").strip())
    return m.group(0) if m else None


def half_bounds(half: str) -> tuple[date, date]:
    year, part = int(half[:4]), int(half[-1])
    return (date(year, 1, 1), date(year, 6, 30)) if part == 1 else (date(year, 7, 1), date(year, 12, 31))


def previous_half(half: str) -> str:
    start, _end = half_bounds(half)
    return half_of(start - timedelta(days=1))


def _home_unit(admin: User) -> int | None:
    """The department whose items apply: the admin's top jurisdiction."""
    return db.session.scalar(
        sa.select(OrgUnit.id)
        .join(UserOrgUnit, UserOrgUnit.org_unit_id == OrgUnit.id)
        .where(UserOrgUnit.user_id == admin.id)
        .order_by(OrgUnit.path)
        .limit(1)
    )


def items(admin: User) -> list[AssessmentItem]:
    """The department's active items; the default set is created the first time."""
    unit = _home_unit(admin)
    if unit is None:
        return []
    rows = list(
        db.session.scalars(
            sa.select(AssessmentItem)
            .where(AssessmentItem.org_unit_id == unit, AssessmentItem.active.is_(True))
            .order_by(AssessmentItem.position)
        )
    )
    if not rows:
        rows = [
            AssessmentItem(org_unit_id=unit, name=name, max_score=top, metric=metric, position=i)
            for i, (name, top, metric) in enumerate(DEFAULT_ITEMS)
        ]
        db.session.add_all(rows)
        commit()
    return rows


def figures(person: User, half: str, today: date | None = None) -> dict[str, int]:
    start, end = half_bounds(half)
    lo, hi = workdays.span(start, end)
    grids = sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == person.id)
    # Coverage over the bimonthly periods of the half that have begun.
    due = covered = 0
    period = coverage.period_of(start)
    last = min(end, today or clock.today())
    while period.start <= last:
        row = db.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((coverage.covered_condition(period), 1), else_=0)), 0),
            ).where(Enterprise.grid_id.in_(grids), Enterprise.status.in_(coverage.DUE_STATUSES))
        ).one()
        due, covered = due + row[0], covered + int(row[1])
        period = period.next()
    reported = (
        sa.select(sa.func.count())
        .select_from(Hazard)
        .where(Hazard.reporter_id == person.id, Hazard.created_at >= lo, Hazard.created_at < hi)
    )
    confirmed = reported.where(Hazard.confirmed_at.is_not(None))
    rechecks = db.session.execute(
        sa.select(HazardEvent.hazard_id, HazardEvent.created_at).where(
            HazardEvent.actor_id == person.id,
            HazardEvent.action.in_(("recheck_pass", "recheck_fail")),
            HazardEvent.created_at >= lo,
            HazardEvent.created_at < hi,
        )
    ).all()
    on_time = 0
    if rechecks:
        submits = db.session.execute(
            sa.select(HazardEvent.hazard_id, HazardEvent.created_at).where(
                HazardEvent.hazard_id.in_({h for h, _ in rechecks}), HazardEvent.action == "submit"
            )
        ).all()
        for hazard_id, at in rechecks:
            before = [t for h, t in submits if h == hazard_id and t <= at]
            if before and at - max(before) <= timedelta(days=RECHECK_DAYS):
                on_time += 1
    return {
        "coverage": round(covered * 100 / due) if due else 100,
        "hazards_reported": db.session.scalar(reported) or 0,
        "hazards_confirmed": db.session.scalar(confirmed) or 0,
        "rechecks": len(rechecks),
        "rechecks_on_time": round(on_time * 100 / len(rechecks)) if rechecks else 100,
        "overdue": db.session.scalar(
            sa.select(sa.func.count()).select_from(Hazard).where(Hazard.grid_id.in_(grids), hazards.overdue_condition())
        )
        or 0,
        "complaints": db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Clue)
            .where(Clue.grid_id.in_(grids), Clue.kind == "criticism", Clue.created_at >= lo, Clue.created_at < hi)
        )
        or 0,
    }


def grade_of(total: int, max_total: int) -> str:
    share = total * 100 / max_total if max_total else 0
    return "excellent" if share >= 90 else "good" if share >= 75 else "pass" if share >= 60 else "fail"


@transaction
def save(admin: User, person: User, half: str, values: Mapping) -> Assessment:
    """Score every item within its maximum; refused scores come back with messages."""
    policy.require(admin, "user.manage", person)
    scoring = items(admin)
    if not scoring:
        raise InputError({"_": _("没有配置考核项目。")})
    said = commands.read(assessment_schema(scoring), values)
    scored = [
        {"item": item.name, "max": item.max_score, "score": said[f"item-{item.id}"], "metric": item.metric}
        for item in scoring
    ]
    comments = said["comments"]
    total, max_total = sum(s["score"] for s in scored), sum(s["max"] for s in scored)
    row = db.session.scalar(
        sa.select(Assessment).where(Assessment.user_id == person.id, Assessment.half == half)
    ) or Assessment(user_id=person.id, half=half)
    row.assessor_id, row.figures, row.scores = admin.id, figures(person, half), scored
    row.total, row.max_total, row.grade, row.comments = total, max_total, grade_of(total, max_total), comments
    db.session.add(row)
    commit()
    return row


def for_half(admin: User, half: str) -> dict[int, Assessment]:
    from fieldapp.services import corps

    people = corps.people_scope(admin).with_only_columns(User.id)
    return {
        a.user_id: a
        for a in db.session.scalars(
            sa.select(Assessment).where(Assessment.half == half, Assessment.user_id.in_(people))
        )
    }


def history(person: User) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment).where(Assessment.user_id == person.id).order_by(Assessment.half.desc())
        )
    )


def commended(rows: list[Assessment]) -> set[int]:
    """The best for commendation: excellent, and in the top tenth of the half (at least one)."""
    excellent = sorted(
        (a for a in rows if a.grade == "excellent"), key=lambda a: a.total * 1000 // max(1, a.max_total), reverse=True
    )
    if not excellent:
        return set()
    keep = max(1, len(rows) // 10)
    cut = excellent[min(keep, len(excellent)) - 1]
    bar = cut.total * 1000 // max(1, cut.max_total)
    return {a.user_id for a in excellent if a.total * 1000 // max(1, a.max_total) >= bar}
