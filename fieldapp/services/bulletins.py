"""Enforcement summaries published to social supervisors (seed 001 art. 20: the department
reports its enforcement figures to supervisors periodically). Figures are counted over the
department's subtree for the period and frozen when published."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa

from fieldapp import policy, roles
from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Conflict, InputError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import Bulletin, Clue, Enterprise, Grid, Hazard, Inspection, OrgUnit, User, UserOrgUnit, UserRole
from fieldapp.schemas import commands
from fieldapp.schemas.commands.admin import BulletinAsked, BulletinSchema
from fieldapp.services import notifications, workdays

FIGURES = (
    ("inspections", _l("现场检查（次）")),
    ("enterprises_covered", _l("检查覆盖企业（家）")),
    ("hazards_reported", _l("上报隐患（项）")),
    ("hazards_confirmed", _l("确认隐患（项）")),
    ("hazards_major", _l("其中重大事故隐患（项）")),
    ("hazards_closed", _l("整改销号（项）")),
    ("hazards_overdue", _l("期末逾期未整改（项）")),
    ("clues_received", _l("收到线索和意见（条）")),
    ("clues_answered", _l("已答复（条）")),
    ("clues_answered_on_time", _l("其中按期答复（条）")),
)


def figures(org_unit: OrgUnit, start: date, end: date) -> dict[str, int]:
    lo, hi = workdays.span(start, end)
    units = sa.select(OrgUnit.id).where(OrgUnit.path.startswith(org_unit.path, autoescape=False))
    grids = sa.select(Grid.id).where(Grid.org_unit_id.in_(units))
    enterprises = sa.select(Enterprise.id).where(Enterprise.grid_id.in_(grids))
    done = (
        sa.select(Inspection)
        .where(
            Inspection.enterprise_id.in_(enterprises),
            Inspection.state != "draft",
            Inspection.started_at >= lo,
            Inspection.started_at < hi,
        )
        .subquery()
    )
    h = Hazard
    in_grids = h.grid_id.in_(grids)

    def count(query) -> int:
        return db.session.scalar(query) or 0

    in_units = Clue.org_unit_id.in_(units)
    answered = db.session.execute(
        sa.select(Clue.answered_at, Clue.due_on).where(
            in_units, Clue.status == "answered", Clue.answered_at >= lo, Clue.answered_at < hi
        )
    ).all()
    return {
        "inspections": count(sa.select(sa.func.count()).select_from(done)),
        "enterprises_covered": count(sa.select(sa.func.count(sa.distinct(done.c.enterprise_id)))),
        "hazards_reported": count(
            sa.select(sa.func.count()).select_from(h).where(in_grids, h.created_at >= lo, h.created_at < hi)
        ),
        "hazards_confirmed": count(
            sa.select(sa.func.count()).select_from(h).where(in_grids, h.confirmed_at >= lo, h.confirmed_at < hi)
        ),
        "hazards_major": count(
            sa.select(sa.func.count())
            .select_from(h)
            .where(in_grids, h.confirmed_at >= lo, h.confirmed_at < hi, h.level == "major")
        ),
        "hazards_closed": count(
            sa.select(sa.func.count()).select_from(h).where(in_grids, h.closed_at >= lo, h.closed_at < hi)
        ),
        "hazards_overdue": count(
            sa.select(sa.func.count())
            .select_from(h)
            .where(
                in_grids,
                h.status.in_(("confirmed", "rectifying")),
                h.deadline < end + timedelta(days=1),
                h.created_at < hi,
            )
        ),
        "clues_received": count(
            sa.select(sa.func.count()).select_from(Clue).where(in_units, Clue.created_at >= lo, Clue.created_at < hi)
        ),
        "clues_answered": len(answered),
        "clues_answered_on_time": sum(1 for at, due in answered if at.astimezone(SHANGHAI).date() <= due),
    }


@transaction
def publish(user: User, values: BulletinAsked | Mapping) -> Bulletin:
    policy.require(user, "bulletin.publish")
    unit = policy.managed_unit(user, commands.given_value(values, "org_unit_id"))
    asked, errors = commands.problems(BulletinSchema(), values)
    if unit is None:
        errors = {"org_unit_id": _("请选择您管理的区域。"), **errors}
    if errors:
        raise InputError(errors)
    start, end, remarks = asked.period_start, asked.period_end, asked.remarks
    if db.session.scalar(
        sa.select(Bulletin.id).where(
            Bulletin.org_unit_id == unit.id, Bulletin.period_start == start, Bulletin.period_end == end
        )
    ):
        raise Conflict(_("该区域这一时段的通报已经发布过。"))
    bulletin = Bulletin(
        org_unit_id=unit.id,
        period_start=start,
        period_end=end,
        figures=figures(unit, start, end),
        remarks=remarks,
        published_by_id=user.id,
    )
    db.session.add(bulletin)
    db.session.flush()
    notifications.notify(_supervisors(unit), "bulletin", f"bulletin:{bulletin.id}", f"/clues/bulletins/{bulletin.id}")
    commit()
    return bulletin


def _supervisors(unit: OrgUnit) -> list[int]:
    related = sa.orm.aliased(OrgUnit)
    return list(
        db.session.scalars(
            sa.select(UserOrgUnit.user_id)
            .distinct()
            .join(related, related.id == UserOrgUnit.org_unit_id)
            .join(UserRole, UserRole.user_id == UserOrgUnit.user_id)
            .join(User, User.id == UserOrgUnit.user_id)
            .where(
                UserRole.role == roles.SOCIAL_SUPERVISOR,
                User.active.is_(True),
                sa.or_(
                    sa.literal(unit.path).startswith(related.path, autoescape=False),
                    related.path.startswith(unit.path, autoescape=False),
                ),
            )
        )
    )


def recent(user: User) -> list[Bulletin]:
    """The bulletins ``user`` sees, latest period first (the last 100)."""
    return list(
        db.session.scalars(
            scope(user)
            .options(sa.orm.joinedload(Bulletin.org_unit))
            .order_by(Bulletin.period_end.desc(), Bulletin.id.desc())
            .limit(100)
        )
    )


def get(user: User, bulletin_id) -> Bulletin:
    return policy.get_in_scope(scope(user), Bulletin, bulletin_id)


scope = policy.records.bulletins
