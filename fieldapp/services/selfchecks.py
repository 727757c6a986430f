"""Risk points and self-checks kept by the company, and the gaps an inspector
looks for when reviewing them remotely (线上巡检, seed 002 art. 5(5)-(6))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from fieldapp import clock, codes, policy
from fieldapp.db import db, transaction
from fieldapp.errors import InputError, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.models import Enterprise, PatrolFinding, RiskPoint, SelfCheck, SelfCheckItem, User
from fieldapp.queries import enterprises as enterprise_statements


def clean_risk_point(raw: dict[str, Any]) -> dict[str, Any]:
    text = {
        k: (raw.get(k) or "").strip()
        for k in ("place", "hazard_type", "risk_level", "control_measures", "responsible_person", "check_every_days")
    }
    errors: dict[str, str] = {}
    if not text["place"]:
        errors["place"] = _("请填写风险点所在部位或设备。")
    elif len(text["place"]) > 200:
        errors["place"] = _("不能超过 %(n)d 个字。", n=200)
    if text["hazard_type"] not in codes.HAZARD_TYPES:
        errors["hazard_type"] = _("请选择可能导致的事故类型。")
    if text["risk_level"] not in codes.RISK_GRADES:
        errors["risk_level"] = _("请选择风险等级。")
    if len(text["control_measures"]) > 4000:
        errors["control_measures"] = _("不能超过 %(n)d 个字。", n=4000)
    if len(text["responsible_person"]) > 64:
        errors["responsible_person"] = _("不能超过 %(n)d 个字。", n=64)
    try:
        every = int(text["check_every_days"] or 30)
        if not 1 <= every <= 366:
            raise ValueError
    except ValueError:
        errors["check_every_days"] = _("自查周期应为 1 到 366 天。")
        every = 30
    if errors:
        raise InputError(errors)
    return {**text, "check_every_days": every}


def risk_point(enterprise: Enterprise, point_id: int) -> RiskPoint | None:
    """One of the enterprise's risk points (None: not one of its own)."""
    return db.session.scalar(
        sa.select(RiskPoint).where(RiskPoint.id == point_id, RiskPoint.enterprise_id == enterprise.id)
    )


def finding(enterprise: Enterprise, item_id: int) -> SelfCheckItem | None:
    """A line of one of the enterprise's self-checks (None: not one of its own)."""
    return db.session.scalar(
        sa.select(SelfCheckItem)
        .join(SelfCheck)
        .where(SelfCheckItem.id == item_id, SelfCheck.enterprise_id == enterprise.id)
    )


@transaction
def add_risk_point(actor: User, enterprise: Enterprise, raw: dict[str, Any]) -> RiskPoint:
    policy.require(actor, "riskpoint.manage", enterprise)
    point = RiskPoint(enterprise_id=enterprise.id, **clean_risk_point(raw))
    db.session.add(point)
    db.session.commit()
    return point


@transaction
def update_risk_point(actor: User, point: RiskPoint, raw: dict[str, Any]) -> None:
    enterprise = db.session.get(Enterprise, point.enterprise_id)
    policy.require(actor, "riskpoint.manage", enterprise)
    for key, value in clean_risk_point(raw).items():
        setattr(point, key, value)
    db.session.commit()


@transaction
def retire_risk_point(actor: User, point: RiskPoint) -> None:
    """A risk point that no longer exists (equipment removed) stops being due; its history stays."""
    enterprise = db.session.get(Enterprise, point.enterprise_id)
    policy.require(actor, "riskpoint.manage", enterprise)
    point.active = False
    db.session.commit()


def risk_points(enterprise: Enterprise, active_only: bool = True) -> list[RiskPoint]:
    return list(
        db.session.scalars(enterprise_statements.risk_points_statement(active_only), {"enterprise_id": enterprise.id})
    )


@dataclass
class ItemInput:
    risk_point_id: int
    ok: bool
    problem: str = ""
    fixed: bool = False


@transaction
def record_self_check(
    actor: User,
    enterprise: Enterprise,
    checked_on_raw: str,
    checked_by: str,
    items: list[ItemInput],
    note: str = "",
    today: date | None = None,
) -> SelfCheck:
    policy.require(actor, "selfcheck.record", enterprise)
    today = today or clock.today()
    errors: dict[str, str] = {}
    try:
        checked_on = date.fromisoformat(checked_on_raw)
        if checked_on > today:
            errors["checked_on"] = _("自查日期不能晚于今天。")
        elif checked_on < today - timedelta(days=366):
            errors["checked_on"] = _("自查日期不能早于一年前。")
    except (TypeError, ValueError):
        errors["checked_on"] = _("请填写自查日期。")
        checked_on = today
    if not checked_by.strip():
        errors["checked_by"] = _("请填写检查人。")
    elif len(checked_by) > 64:
        errors["checked_by"] = _("不能超过 %(n)d 个字。", n=64)
    points = {p.id for p in risk_points(enterprise)}
    if not items:
        errors["items"] = _("请至少勾选一个检查过的风险点。")
    elif any(i.risk_point_id not in points for i in items):
        errors["items"] = _("所选风险点不属于本企业。")
    elif any(not i.ok and not i.problem.strip() for i in items):
        errors["items"] = _("发现问题的风险点请写明问题。")
    if errors:
        raise InputError(errors)
    check = SelfCheck(
        enterprise_id=enterprise.id,
        checked_on=checked_on,
        checked_by=checked_by.strip(),
        note=note.strip()[:2000],
        recorded_by_id=actor.id,
    )
    check.items = [
        SelfCheckItem(
            risk_point_id=i.risk_point_id,
            ok=i.ok,
            problem=i.problem.strip()[:2000],
            fixed=(not i.ok and i.fixed),
            fixed_on=checked_on if (not i.ok and i.fixed) else None,
        )
        for i in items
    ]
    db.session.add(check)
    db.session.commit()
    return check


@transaction
def mark_fixed(actor: User, item: SelfCheckItem, today: date | None = None) -> None:
    check = db.session.get(SelfCheck, item.self_check_id)
    enterprise = db.session.get(Enterprise, check.enterprise_id)
    policy.require(actor, "selfcheck.record", enterprise)
    if item.ok or item.fixed:
        raise ServiceError(_("该项没有待整改的问题。"))
    item.fixed = True
    item.fixed_on = today or clock.today()
    db.session.commit()


def self_checks(enterprise: Enterprise, limit: int = 20) -> list[SelfCheck]:
    return list(db.session.scalars(_SELF_CHECKS, {"enterprise_id": enterprise.id, "limit": limit}))


#: Built once, as the other statements of the enterprise page.
_SELF_CHECKS = (
    sa.select(SelfCheck)
    .where(SelfCheck.enterprise_id == sa.bindparam("enterprise_id"))
    .options(sa.orm.selectinload(SelfCheck.items).joinedload(SelfCheckItem.risk_point))
    .order_by(SelfCheck.checked_on.desc(), SelfCheck.id.desc())
    .limit(sa.bindparam("limit"))
)


# --- online patrol ------------------------------------------------------------


@dataclass
class Gap:
    kind: str  # missing_measures | overdue_check | never_checked | unfixed_problem
    risk_point: RiskPoint
    text: str
    item: SelfCheckItem | None = None
    last_checked: date | None = None
    days_overdue: int = 0


def gaps(enterprise: Enterprise, today: date | None = None) -> list[Gap]:
    """What an inspector should follow up, worst first: problems not fixed, risk
    points without control measures, self-checks overdue or never done."""
    today = today or clock.today()
    points = risk_points(enterprise)
    last = dict(
        db.session.execute(
            sa.select(SelfCheckItem.risk_point_id, sa.func.max(SelfCheck.checked_on))
            .join(SelfCheck, SelfCheck.id == SelfCheckItem.self_check_id)
            .where(SelfCheck.enterprise_id == enterprise.id)
            .group_by(SelfCheckItem.risk_point_id)
        ).all()
    )
    unfixed = db.session.execute(
        sa.select(SelfCheckItem, SelfCheck.checked_on)
        .join(SelfCheck, SelfCheck.id == SelfCheckItem.self_check_id)
        .where(SelfCheck.enterprise_id == enterprise.id, SelfCheckItem.ok.is_(False), SelfCheckItem.fixed.is_(False))
        .order_by(SelfCheck.checked_on)
    ).all()
    by_id = {p.id: p for p in points}
    out: list[Gap] = []
    for item, found_on in unfixed:
        point = by_id.get(item.risk_point_id)
        if point is not None:
            out.append(
                Gap(
                    "unfixed_problem",
                    point,
                    _("%(date)s 自查发现的问题尚未整改：%(problem)s", date=found_on.isoformat(), problem=item.problem),
                    item=item,
                    last_checked=found_on,
                    days_overdue=(today - found_on).days,
                )
            )
    for point in points:
        if not point.control_measures.strip():
            out.append(Gap("missing_measures", point, _("风险点没有填写管控措施。")))
        checked = last.get(point.id)
        if checked is None:
            out.append(
                Gap(
                    "never_checked",
                    point,
                    ngettext(
                        "该风险点从未自查（要求每 %(num)d 天一次）。",
                        "该风险点从未自查（要求每 %(num)d 天一次）。",
                        point.check_every_days,
                    ),
                )
            )
        elif (today - checked).days > point.check_every_days:
            overdue = (today - checked).days - point.check_every_days
            out.append(
                Gap(
                    "overdue_check",
                    point,
                    ngettext(
                        "自查已逾期 %(num)d 天（上次 %(date)s，要求每 %(n)d 天一次）。",
                        "自查已逾期 %(num)d 天（上次 %(date)s，要求每 %(n)d 天一次）。",
                        overdue,
                        date=checked.isoformat(),
                        n=point.check_every_days,
                    ),
                    last_checked=checked,
                    days_overdue=overdue,
                )
            )
    severity = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    kind_order = {"unfixed_problem": 0, "missing_measures": 1, "overdue_check": 2, "never_checked": 3}
    out.sort(key=lambda g: (kind_order[g.kind], severity[g.risk_point.risk_level], -g.days_overdue))
    return out


FINDING_KINDS = ("missing_measures", "overdue_check", "never_checked", "unfixed_problem", "other")


@transaction
def record_finding(
    actor: User,
    enterprise: Enterprise,
    gap_kind: str,
    description: str,
    risk_point_id: int | None = None,
    self_check_item_id: int | None = None,
) -> PatrolFinding:
    """The inspector turns a gap into a finding; it becomes a hazard report once hazards exist."""
    policy.require(actor, "finding.record", enterprise)
    errors = {}
    if gap_kind not in FINDING_KINDS:
        errors["gap_kind"] = _("请选择问题类型。")
    if not description.strip():
        errors["description"] = _("请描述发现的问题。")
    elif len(description) > 2000:
        errors["description"] = _("不能超过 %(n)d 个字。", n=2000)
    if (
        risk_point_id is not None
        and db.session.scalar(
            sa.select(RiskPoint.id).where(RiskPoint.id == risk_point_id, RiskPoint.enterprise_id == enterprise.id)
        )
        is None
    ):
        errors["risk_point_id"] = _("所选风险点不属于本企业。")
    if (
        self_check_item_id is not None
        and db.session.scalar(
            sa.select(SelfCheckItem.id)
            .join(SelfCheck)
            .where(SelfCheckItem.id == self_check_item_id, SelfCheck.enterprise_id == enterprise.id)
        )
        is None
    ):
        errors["self_check_item_id"] = _("所选自查记录不属于本企业。")
    if errors:
        raise InputError(errors)
    finding = PatrolFinding(
        enterprise_id=enterprise.id,
        inspector_id=actor.id,
        gap_kind=gap_kind,
        description=description.strip(),
        risk_point_id=risk_point_id,
        self_check_item_id=self_check_item_id,
    )
    db.session.add(finding)
    db.session.commit()
    return finding


def findings(enterprise: Enterprise) -> list[PatrolFinding]:
    return list(db.session.scalars(_FINDINGS, {"enterprise_id": enterprise.id}))


_FINDINGS = (
    sa.select(PatrolFinding)
    .where(PatrolFinding.enterprise_id == sa.bindparam("enterprise_id"))
    .options(sa.orm.joinedload(PatrolFinding.inspector), sa.orm.joinedload(PatrolFinding.risk_point))
    .order_by(PatrolFinding.at.desc())
)
