"""Declarations of interests and part-time jobs, and the recusal they cause (seed 000;
seed 002 art. 7).

Inspectors and officers declare relatives employed at, former employment with,
shareholdings in, and part-time jobs at a unit; the unit is matched to the registry by
its credit code or exact name. A pending or approved declaration naming an enterprise
bars the person from it at once (policy/recusal.py — every action path asks
it). Part-time jobs need an admin's approval, which is refused when the employer is a
supervised enterprise in the person's own jurisdiction. Admins see where a recusal
leaves a grid or a hazard without someone to act (``reassignments``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import commit, db, transaction
from fieldapp.errors import Conflict as StateConflict
from fieldapp.errors import Forbidden, InputError
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import Enterprise, Hazard, InterestDeclaration, User
from fieldapp.policy import recusal as recusal_rules
from fieldapp.queries.paging import Page, paginate
from fieldapp.schemas import commands
from fieldapp.schemas.commands.people import Declaration, DeclarationSchema
from fieldapp.services import notifications, org

KIND_LABELS = recusal_rules.KIND_LABELS
STATUS_LABELS = {"pending": _l("待审核"), "approved": _l("已确认"), "rejected": _l("未予确认"), "ended": _l("已结束")}
BLOCKING = recusal_rules.BLOCKING
HAZARD_OPEN = ("reported", "confirmed", "rectifying", "awaiting_recheck", "awaiting_closure")


def _match(unit_name: str, code: str) -> Enterprise | None:
    """The registered enterprise the declaration is about (credit code first, then exact name)."""
    if code:
        found = db.session.scalar(sa.select(Enterprise).where(Enterprise.uscc == code).limit(1))
        if found:
            return found
    return db.session.scalar(sa.select(Enterprise).where(Enterprise.name == unit_name).order_by(Enterprise.id).limit(1))


@transaction
def declare(user: User, values: Declaration | Mapping) -> InterestDeclaration:
    policy.require(user, "declaration.create")
    declared = commands.read(DeclarationSchema(), values)
    enterprise = _match(declared.unit_name, declared.uscc)
    row = InterestDeclaration(
        user_id=user.id,
        enterprise_id=enterprise.id if enterprise else None,
        kind=declared.kind,
        status="pending",
        unit_name=declared.unit_name,
        role_title=declared.role_title,
        pay=declared.pay,
        period_start=declared.period_start,
        period_end=declared.period_end,
        note=declared.note,
    )
    db.session.add(row)
    db.session.flush()
    notifications.notify(_admins_of(user), "declaration", f"declaration:{row.id}", "/admin/declarations")
    commit()
    return row


def _admins_of(user: User) -> list[int]:
    """Admins whose jurisdiction holds the person's department (never the person)."""
    if not user.org_unit_id:
        return []
    return [uid for uid in policy.holders(user.org_unit_id, roles.ADMIN) if uid != user.id]


def mine(user: User) -> list[InterestDeclaration]:
    return list(
        db.session.scalars(
            sa.select(InterestDeclaration)
            .where(InterestDeclaration.user_id == user.id)
            .options(sa.orm.joinedload(InterestDeclaration.enterprise))
            .order_by(InterestDeclaration.id.desc())
        )
    )


# --- deciding ----------------------------------------------------------------------------------

scope = policy.records.declarations


def queue(admin: User, pending_only: bool, page: int, per_page: int) -> Page:
    """Page ``page`` of the declarations ``admin`` decides on, newest first: those waiting, or all."""
    query = scope(admin)
    if pending_only:
        query = query.where(InterestDeclaration.status == "pending")
    return paginate(query.order_by(InterestDeclaration.id.desc()), page, per_page)


def pending_count(admin: User) -> int:
    """Declarations waiting for ``admin``'s decision (the home page's count)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(scope(admin).where(InterestDeclaration.status == "pending").subquery())
    )


def get(admin: User, conflict_id) -> InterestDeclaration:
    return policy.get_in_scope(scope(admin), InterestDeclaration, conflict_id)


def supervised_employer(row: InterestDeclaration) -> Enterprise | None:
    """The supervised enterprise in the declarant's own jurisdiction that employs them, if any."""
    person = db.session.get(User, row.user_id)
    query = policy.enterprise_scope(person)
    if row.enterprise_id:
        return db.session.scalar(query.where(Enterprise.id == row.enterprise_id))
    return db.session.scalar(query.where(Enterprise.name == row.unit_name).limit(1))


@transaction
def decide(admin: User, row: InterestDeclaration, verdict: str, note: str) -> None:
    """approve (a part-time job: permitted; a relationship: confirmed on file), reject, or end."""
    policy.require(admin, "declaration.decide")
    if row.user_id == admin.id:
        raise Forbidden(_("不能审核自己的申报。"))
    note = (note or "").strip()
    if len(note) > 2000:
        raise InputError({"note": _("不能超过 %(n)d 个字。", n=2000)})
    wanted = {"approve": ("pending", "approved"), "reject": ("pending", "rejected"), "end": ("approved", "ended")}
    if verdict not in wanted:
        raise InputError({"verdict": _("未知的审核结果。")})
    source, target = wanted[verdict]
    if row.status != source:
        raise StateConflict(_("该申报当前为「%(status)s」，不能这样处理。", status=STATUS_LABELS[row.status]))
    if verdict in ("reject", "end") and not note:
        raise InputError({"note": _("请写明理由。")})
    if verdict == "approve" and row.kind == "part_time":
        employer = supervised_employer(row)
        if employer is not None:
            raise Forbidden(
                _(
                    "不能批准：兼职单位「%(name)s」是申报人辖区内的监管企业，按规定不得在监管对象兼职。",
                    name=employer.name,
                )
            )
    row.status, row.decided_by_id, row.decided_at, row.decision_note = target, admin.id, clock.now(), note
    notifications.notify(
        [row.user_id], "declaration_decided", f"declaration_decided:{row.id}:{target}", "/declarations"
    )
    commit()


# --- where recusal needs someone else ----------------------------------------------------------


@dataclass
class Reassignment:
    conflict: InterestDeclaration
    person: User
    enterprise: Enterprise
    serves_grid: bool
    open_hazards: list[Hazard]
    substitutes: list[User]

    @property
    def needs_action(self) -> bool:
        return self.serves_grid or bool(self.open_hazards)


def reassignments(admin: User) -> list[Reassignment]:
    """Blocking declarations on enterprises of the admin's jurisdiction, with what the person
    can no longer do there and who else on the grid could."""
    rows = db.session.scalars(
        sa.select(InterestDeclaration)
        .join(Enterprise, Enterprise.id == InterestDeclaration.enterprise_id)
        .where(InterestDeclaration.status.in_(BLOCKING), policy.enterprise_condition(admin))
        .options(sa.orm.joinedload(InterestDeclaration.user), sa.orm.joinedload(InterestDeclaration.enterprise))
        .order_by(InterestDeclaration.id)
    ).all()
    out = []
    for row in rows:
        enterprise = row.enterprise
        inspectors = org.inspectors_of(enterprise.grid_id)
        barred = set(
            db.session.scalars(
                sa.select(InterestDeclaration.user_id).where(
                    InterestDeclaration.enterprise_id == enterprise.id, InterestDeclaration.status.in_(BLOCKING)
                )
            )
        )
        hazards = db.session.scalars(
            sa.select(Hazard).where(
                Hazard.enterprise_id == enterprise.id,
                Hazard.status.in_(HAZARD_OPEN),
                sa.or_(Hazard.officer_id == row.user_id, Hazard.reporter_id == row.user_id),
            )
        ).all()
        out.append(
            Reassignment(
                row,
                row.user,
                enterprise,
                row.user_id in {u.id for u in inspectors},
                list(hazards),
                [u for u in inspectors if u.id not in barred],
            )
        )
    return out
