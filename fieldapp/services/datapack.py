"""The offline data pack: what an inspector's phone keeps to work a day without signal.

The enterprises of the inspector's grids (position, contacts, open hazards, last
inspection), the checklist templates, and the list of ids in scope (so the phone can
drop what left it). Refreshed by delta: ``since`` returns only enterprises changed
after that cursor; the ETag lets an unchanged pack cost a 304 and no body.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.db import db
from fieldapp.models import (
    ChecklistItem,
    ChecklistTemplate,
    Enterprise,
    Hazard,
    Inspection,
    InspectorGrid,
    InterestDeclaration,
    ItemResult,
    User,
)
from fieldapp.services import campaigns, inspections
from fieldapp.services.hazards import OPEN


def _template_choice(templates: list[dict]):
    """The same choice as ``checklists.template_for``, made from the pack's templates:
    the newest active template of the enterprise's industry, else the oldest general one."""
    by_industry: dict[str, int] = {}
    general = None
    for t in templates:  # ordered by id
        if t["industry"]:
            by_industry[t["industry"]] = t["id"]
        elif general is None:
            general = t["id"]
    return lambda industry: by_industry.get(industry or "", general)


def _recusals(user: User) -> dict[int, str]:
    """Enterprises the inspector must not inspect (a declared interest), with the reason."""
    rows = db.session.execute(
        sa.select(InterestDeclaration.enterprise_id, InterestDeclaration.kind).where(
            InterestDeclaration.user_id == user.id, InterestDeclaration.status.in_(("pending", "approved"))
        )
    ).all()
    return {eid: inspections.recusal_reason(kind) for eid, kind in rows}


def _enterprise_rows(user: User, since: datetime | None, templates: list[dict]) -> list[dict]:
    query = sa.select(Enterprise).where(policy.enterprise_condition(user)).options(sa.orm.joinedload(Enterprise.grid))
    if since is not None:
        # Changed themselves, or something shown with them changed (a hazard, an inspection).
        query = query.where(
            sa.or_(
                Enterprise.updated_at > since,
                Enterprise.id.in_(sa.select(Hazard.enterprise_id).where(Hazard.updated_at > since)),
                Enterprise.id.in_(sa.select(Inspection.enterprise_id).where(Inspection.updated_at > since)),
                Enterprise.id.in_(campaigns.changed_since(since)),
            )
        )
    enterprises = db.session.scalars(query.order_by(Enterprise.id)).all()
    ids = [e.id for e in enterprises]
    last = _last_visits(ids) if ids else {}
    hazards: dict[int, list[dict]] = {}
    if ids:
        for h, item_id, item_text in db.session.execute(
            sa.select(Hazard, ItemResult.item_id, ItemResult.text)
            .outerjoin(ItemResult, ItemResult.id == Hazard.item_result_id)
            .where(Hazard.enterprise_id.in_(ids), Hazard.status.in_(OPEN))
            .order_by(Hazard.id)
        ):
            hazards.setdefault(h.enterprise_id, []).append(
                {
                    "id": h.id,
                    "uuid": h.uuid,
                    "description": h.description,
                    "place": h.place,
                    "level": h.effective_level,
                    "status": h.status,
                    "reported_at": h.created_at.isoformat(),
                    "deadline": h.deadline.isoformat() if h.deadline else None,
                    # The checklist item it was found on: the phone suggests adding evidence to it
                    # rather than reporting the same thing twice (services/duplicates.py).
                    "item_id": item_id,
                    "item_text": item_text,
                }
            )
    template_of = _template_choice(templates)
    running = campaigns.ongoing_templates(ids) if ids else {}
    return [
        {
            "id": e.id,
            "name": e.name,
            "uscc": e.uscc,
            "grid": e.grid.code,
            "status": e.status,
            "address": e.operating_address or e.registered_address,
            "latitude": e.latitude,
            "longitude": e.longitude,
            "industry": e.industry,
            "risk_grade": e.risk_grade,
            # The phone tells an old poster's scan from the current one without signal.
            "checkin_version": e.checkin_version,
            "safety_manager_name": e.safety_manager_name,
            "safety_manager_mobile": e.safety_manager_mobile,
            "updated_at": e.updated_at.isoformat(),
            "last_inspected_at": last[e.id]["at"] if e.id in last else None,
            # What the capture form proposes again: the parts and content of the last visit, its signer.
            "last_visit": last.get(e.id),
            "open_hazards": hazards.get(e.id, []),
            "template_id": running[e.id][0] if e.id in running else template_of(e.industry),
            "campaign": running[e.id][1] if e.id in running else None,
        }
        for e in enterprises
    ]


def _last_visits(ids: list[int]) -> dict[int, dict]:
    """Each enterprise's last final record: when, the parts and content inspected, who signed."""
    ranked = (
        sa.select(
            Inspection.enterprise_id,
            Inspection.started_at,
            Inspection.parts,
            Inspection.content,
            Inspection.signer_name,
            sa.func.row_number()
            .over(partition_by=Inspection.enterprise_id, order_by=(Inspection.started_at.desc(), Inspection.id.desc()))
            .label("n"),
        )
        .where(Inspection.enterprise_id.in_(ids), Inspection.state != "draft")
        .subquery()
    )
    rows = db.session.execute(sa.select(ranked).where(ranked.c.n == 1)).all()
    return {
        r.enterprise_id: {
            "at": r.started_at.isoformat(),
            "parts": r.parts,
            "content": r.content,
            "signer_name": r.signer_name,
        }
        for r in rows
    }


def _rechecks(user: User) -> list[dict]:
    """Hazards waiting for this inspector's re-check on site: in their grids, rectification
    submitted. Sent whole every time, so one re-checked by someone else leaves the phone."""
    rows = db.session.execute(
        sa.select(Hazard, Enterprise.name)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .join(InspectorGrid, InspectorGrid.grid_id == Enterprise.grid_id)
        .where(InspectorGrid.user_id == user.id, Hazard.status == "awaiting_recheck")
        .order_by(Hazard.deadline)
    ).all()
    return [
        {
            "id": h.id,
            "enterprise_id": h.enterprise_id,
            "enterprise_name": name,
            "description": h.description,
            "place": h.place,
            "level": h.effective_level,
            "required_measures": h.required_measures,
            "deadline": h.deadline.isoformat() if h.deadline else None,
        }
        for h, name in rows
    ]


def _templates() -> list[dict]:
    templates = db.session.scalars(
        sa.select(ChecklistTemplate)
        .where(ChecklistTemplate.active.is_(True))
        .options(sa.orm.selectinload(ChecklistTemplate.items))
        .order_by(ChecklistTemplate.id)
    ).all()
    return [
        {
            "id": t.id,
            "name": t.name,
            "industry": t.industry,
            "default_parts": t.default_parts,
            "default_content": t.default_content,
            "items": [
                {
                    "id": i.id,
                    "position": i.position,
                    "category": i.category,
                    "text": i.text,
                    "basis": i.basis,
                    "phrases": i.phrase_list,
                }
                for i in t.items
                if i.active
            ],
        }
        for t in templates
    ]


def etag(user: User) -> str:
    """Changes whenever anything in the pack would: enterprises in scope (and their last
    change), inspections and hazards of them, templates."""
    scope = policy.enterprise_condition(user)
    parts = db.session.execute(
        sa.select(sa.func.count(Enterprise.id), sa.func.max(Enterprise.updated_at), sa.func.sum(Enterprise.id)).where(
            scope
        )
    ).one()
    visible = sa.select(Enterprise.id).where(scope)
    hazards = db.session.execute(
        sa.select(sa.func.count(Hazard.id), sa.func.max(Hazard.id), sa.func.max(Hazard.updated_at)).where(
            Hazard.enterprise_id.in_(visible)
        )
    ).one()
    inspections = db.session.execute(
        sa.select(sa.func.count(Inspection.id), sa.func.max(Inspection.updated_at)).where(
            Inspection.enterprise_id.in_(visible)
        )
    ).one()
    templates = db.session.execute(
        sa.select(
            sa.func.count(ChecklistItem.id), sa.func.max(ChecklistItem.id), sa.func.max(ChecklistTemplate.id)
        ).join(ChecklistTemplate)
    ).one()
    conflicts = db.session.execute(
        sa.select(InterestDeclaration.enterprise_id, InterestDeclaration.status)
        .where(InterestDeclaration.user_id == user.id)
        .order_by(InterestDeclaration.id)
    ).all()
    text = "|".join(
        str(v)
        for v in (
            user.id,
            user.display_name,
            user.work_id,
            conflicts,
            campaigns.fingerprint(),
            *parts,
            *hazards,
            *inspections,
            *templates,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def build(user: User, since: datetime | None = None) -> dict:
    """The pack (or the delta after ``since``). ``cursor`` is what to send as ``since`` next time."""
    cursor = clock.now()
    templates = _templates()
    ids = list(
        db.session.scalars(sa.select(Enterprise.id).where(policy.enterprise_condition(user)).order_by(Enterprise.id))
    )
    return {
        "generated_at": cursor.isoformat(),
        "cursor": cursor.isoformat(),
        "full": since is None,
        "enterprise_ids": ids,
        "me": {"id": user.id, "display_name": user.display_name, "work_id": user.work_id or ""},
        "enterprises": _enterprise_rows(user, since, templates),
        "templates": templates,
        # Sent whole every time (it is short), so a new or withdrawn declaration reaches the phone.
        "recused": {str(k): v for k, v in _recusals(user).items()},
        "rechecks": _rechecks(user),
    }
