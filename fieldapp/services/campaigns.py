"""Special campaigns (专项整治): an admin names a topic, its checklist, its targets (by
industry, by grid or as a list of credit codes) and its dates. While it runs, its checklist
is the one used for its targets — online, and offline through the data pack, which carries it
per enterprise — and each target is a task for its grid's inspectors until a finished
inspection within the dates covers it. Progress per grid and a report follow from the records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from fieldapp import clock, codes, fields, policy
from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, transaction
from fieldapp.errors import InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import (
    Campaign,
    CampaignTarget,
    ChecklistTemplate,
    Enterprise,
    Grid,
    Hazard,
    Inspection,
    InspectorGrid,
    OrgUnit,
    User,
)
from fieldapp.schemas import commands
from fieldapp.schemas.commands.admin import CampaignPlan, CampaignSchema
from fieldapp.services import audit, coverage, hazards, workdays

MAX_TARGETS = 20_000


def _bounds(c: Campaign) -> tuple[datetime, datetime]:
    return workdays.span(c.starts_on, c.ends_on)


def done_condition(c: Campaign, enterprise=Enterprise):
    lo, hi = _bounds(c)
    return sa.exists().where(
        Inspection.enterprise_id == enterprise.id,
        Inspection.state != "draft",
        Inspection.started_at >= lo,
        Inspection.started_at < hi,
    )


scope = policy.records.campaigns


def recent(admin: User) -> list[Campaign]:
    """The campaigns ``admin`` launched or can see, newest first (the last 100)."""
    return list(db.session.scalars(scope(admin).order_by(Campaign.starts_on.desc()).limit(100)))


def get(admin: User, campaign_id) -> Campaign:
    return policy.get_in_scope(scope(admin), Campaign, campaign_id)


@transaction
def launch(admin: User, values: CampaignPlan | Mapping, grid_ids: list[str]) -> Campaign:
    policy.require(admin, "checklist.manage")
    plan, errors = commands.problems(CampaignSchema(), values)
    template_id = plan.template_id if plan else fields.ident(commands.given_value(values, "template_id"))
    template = (
        db.session.scalar(
            sa.select(ChecklistTemplate).where(ChecklistTemplate.id == template_id, ChecklistTemplate.active.is_(True))
        )
        if template_id
        else None
    )
    if template is None:
        errors["template_id"] = _("请选择专项检查表。")
    unit = policy.managed_unit(admin, commands.given_value(values, "org_unit_id"))
    if unit is None:
        errors["org_unit_id"] = _("请选择您管理的区域。")
    if errors:
        raise InputError(errors)
    query, criteria = _targets(admin, plan, grid_ids)
    if not criteria:
        raise InputError({"industry": _("请按行业、网格或名单至少选择一种方式确定对象。")})
    query = query.where(
        Enterprise.grid_id.in_(
            sa.select(Grid.id).join(OrgUnit).where(OrgUnit.path.startswith(unit.path, autoescape=False))
        )
    )
    ids = list(db.session.scalars(query.with_only_columns(Enterprise.id).limit(MAX_TARGETS + 1)))
    if not ids:
        raise InputError({"industry": _("按这些条件没有找到企业。")})
    if len(ids) > MAX_TARGETS:
        raise InputError({"industry": _("对象超过 %(n)d 家，请缩小范围。", n=MAX_TARGETS)})
    campaign = Campaign(
        org_unit_id=unit.id,
        name=plan.name,
        description=plan.description,
        template_id=template.id,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        criteria="；".join(criteria),
        created_by_id=admin.id,
    )
    db.session.add(campaign)
    db.session.flush()
    db.session.execute(sa.insert(CampaignTarget), [{"campaign_id": campaign.id, "enterprise_id": i} for i in ids])
    audit.bulk_rows(
        db.session,
        "create",
        db.session.scalars(sa.select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id)),
    )
    commit()
    return campaign


def _targets(admin: User, plan: CampaignPlan, grid_ids: list[str]) -> tuple[sa.Select, list[str]]:
    """The campaign's targets: enterprises of the area that operate, narrowed by industry, grids
    and/or a list of credit codes; with the criteria as the campaign states them."""
    query = policy.enterprise_scope(admin).where(Enterprise.status.in_(coverage.DUE_STATUSES))
    criteria = []
    if plan.industry:
        query = query.where(Enterprise.industry == plan.industry)
        criteria.append(f"{_('行业')}: {codes.label(codes.INDUSTRIES, plan.industry)}")
    chosen = [g for g in map(fields.ident, grid_ids) if g]
    if chosen:
        query = query.where(Enterprise.grid_id.in_(chosen))
        criteria.append(f"{_('网格')}: {len(chosen)}")
    if plan.usccs:
        query = query.where(Enterprise.uscc.in_(plan.usccs))
        criteria.append(f"{_('名单')}: {len(plan.usccs)}")
    return query, criteria


def ongoing_templates(enterprise_ids, on: date | None = None) -> dict[int, tuple[int, str]]:
    """Enterprise id -> (template id, campaign name) for targets of campaigns running ``on``
    (the latest-starting one wins)."""
    on = on or clock.today()
    rows = db.session.execute(
        sa.select(CampaignTarget.enterprise_id, Campaign.template_id, Campaign.name)
        .join(Campaign, Campaign.id == CampaignTarget.campaign_id)
        .join(ChecklistTemplate, ChecklistTemplate.id == Campaign.template_id)
        .where(
            CampaignTarget.enterprise_id.in_(enterprise_ids),
            Campaign.starts_on <= on,
            Campaign.ends_on >= on,
            ChecklistTemplate.active.is_(True),
        )
        .order_by(Campaign.starts_on, Campaign.id)
    ).all()
    return {eid: (tid, name) for eid, tid, name in rows}


def changed_since(since: datetime, today: date | None = None) -> sa.Select:
    """Targets whose checklist may have changed since ``since``: campaigns created since, or
    whose first or last day was crossed since (phones refresh these enterprises)."""
    today = today or clock.today()
    last = since.astimezone(SHANGHAI).date()
    return (
        sa.select(CampaignTarget.enterprise_id)
        .join(Campaign)
        .where(
            sa.or_(
                Campaign.created_at > since,
                sa.and_(Campaign.starts_on > last, Campaign.starts_on <= today),
                sa.and_(Campaign.ends_on >= last, Campaign.ends_on < today),
            )
        )
    )


def fingerprint(today: date | None = None) -> str:
    """For the pack's ETag: which campaigns run today, and the newest one."""
    today = today or clock.today()
    running = db.session.scalars(
        sa.select(Campaign.id).where(Campaign.starts_on <= today, Campaign.ends_on >= today).order_by(Campaign.id)
    ).all()
    newest = db.session.scalar(sa.select(sa.func.max(Campaign.id)))
    return f"{running}:{newest}"


@dataclass
class GridProgress:
    grid: Grid
    targets: int
    done: int


def progress(campaign: Campaign) -> list[GridProgress]:
    done = sa.case((done_condition(campaign), 1), else_=0)
    rows = db.session.execute(
        sa.select(Grid, sa.func.count(), sa.func.sum(done))
        .select_from(CampaignTarget)
        .join(Enterprise, Enterprise.id == CampaignTarget.enterprise_id)
        .join(Grid, Grid.id == Enterprise.grid_id)
        .where(CampaignTarget.campaign_id == campaign.id)
        .group_by(Grid.id)
        .order_by(Grid.code)
    ).all()
    return [GridProgress(g, int(n), int(d or 0)) for g, n, d in rows]


def report(campaign: Campaign) -> dict:
    """Targets inspected, hazards found in the campaign's inspections (by level), still open."""
    lo, hi = _bounds(campaign)
    targets = sa.select(CampaignTarget.enterprise_id).where(CampaignTarget.campaign_id == campaign.id)
    in_campaign = sa.select(Inspection.id).where(
        Inspection.enterprise_id.in_(targets),
        Inspection.state != "draft",
        Inspection.started_at >= lo,
        Inspection.started_at < hi,
    )
    found = dict(
        db.session.execute(
            sa.select(sa.func.coalesce(Hazard.level, Hazard.proposed_level), sa.func.count())
            .where(Hazard.inspection_id.in_(in_campaign))
            .group_by(sa.func.coalesce(Hazard.level, Hazard.proposed_level))
        ).all()
    )
    still_open = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Hazard)
        .where(Hazard.inspection_id.in_(in_campaign), Hazard.status.in_(hazards.OPEN))
    )
    grid_rows = progress(campaign)
    return {
        "targets": sum(g.targets for g in grid_rows),
        "done": sum(g.done for g in grid_rows),
        "inspections": db.session.scalar(sa.select(sa.func.count()).select_from(in_campaign.subquery())),
        "hazards": found,
        "open": still_open,
    }


def tasks_for(user: User, on: date | None = None) -> list[tuple[Campaign, Enterprise]]:
    """An inspector's open campaign tasks: targets in their grids not yet covered (one query
    per running campaign; there are few)."""
    on = on or clock.today()
    served = sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == user.id)
    running = db.session.scalars(
        sa.select(Campaign)
        .where(
            Campaign.starts_on <= on,
            Campaign.ends_on >= on,
            Campaign.id.in_(
                sa.select(CampaignTarget.campaign_id)
                .join(Enterprise, Enterprise.id == CampaignTarget.enterprise_id)
                .where(Enterprise.grid_id.in_(served))
            ),
        )
        .order_by(Campaign.ends_on, Campaign.id)
    ).all()
    out = []
    for campaign in running:
        out += [
            (campaign, e)
            for e in db.session.scalars(
                sa.select(Enterprise)
                .join(CampaignTarget, CampaignTarget.enterprise_id == Enterprise.id)
                .where(
                    CampaignTarget.campaign_id == campaign.id, Enterprise.grid_id.in_(served), ~done_condition(campaign)
                )
                .order_by(Enterprise.name)
                .limit(500)
            )
        ]
    return out
