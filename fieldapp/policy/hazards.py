"""Hazards: who sees which (``scope``), and who may take which step of the loop when
(``TRANSITIONS`` and ``refusal``) — the division of powers the rules set: inspectors report and
re-check but never decide (seed 001 art. 13); enforcement officers confirm, grade, order stop-work
and close (seed 002 art. 8); companies rectify. services/hazards carries the steps out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from fieldapp import roles
from fieldapp.db import db, in_ids
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import CompanyManager, Hazard, User
from fieldapp.models.hazards import HAZARD_RECTIFYING
from fieldapp.policy import scopes
from fieldapp.policy.recusal import recusal, recusal_reason
from fieldapp.queries import prebuilt

OFFICER = frozenset({roles.ENFORCEMENT_OFFICER})
COMPANY = frozenset({roles.COMPANY_MANAGER})
INSPECTOR = frozenset(roles.INSPECTORS)
#: Company managers never see what an officer has not confirmed.
COMPANY_VISIBLE = ("confirmed", "rectifying", "awaiting_recheck", "awaiting_closure", "closed")
OPEN = ("reported", "confirmed", "rectifying", "awaiting_recheck", "awaiting_closure")
RECTIFYING = HAZARD_RECTIFYING

STATUS_LABELS = {
    "reported": _l("待确认"),
    "confirmed": _l("已确认待整改"),
    "rejected": _l("不予确认"),
    "rectifying": _l("整改中"),
    "awaiting_recheck": _l("待复查"),
    "awaiting_closure": _l("复查通过待销号"),
    "closed": _l("已销号"),
}


@dataclass(frozen=True)
class Transition:
    label: Any
    sources: tuple[str, ...]
    target: str | None  # None: decided by the transition (same status, or by level)
    roles: frozenset[str]
    refused: Any  # said to anyone else who tries


TRANSITIONS: dict[str, Transition] = {
    "confirm": Transition(
        _l("确认隐患"), ("reported",), "confirmed", OFFICER, _l("只有执法人员可以确认隐患（网格员只上报、不作认定）。")
    ),
    "reject": Transition(_l("不予确认"), ("reported",), "rejected", OFFICER, _l("只有执法人员可以决定不予确认。")),
    "regrade": Transition(
        _l("调整等级"),
        ("confirmed", "rectifying", "awaiting_recheck"),
        None,
        OFFICER,
        _l("只有执法人员可以调整隐患等级。"),
    ),
    "acknowledge": Transition(
        _l("签收整改通知"), ("confirmed",), "rectifying", COMPANY, _l("只有企业安全负责人可以签收整改通知。")
    ),
    "progress": Transition(
        _l("记录整改进展"), ("rectifying",), None, COMPANY, _l("只有企业安全负责人可以记录整改进展。")
    ),
    "submit": Transition(
        _l("提交整改并申请复查"),
        ("rectifying",),
        "awaiting_recheck",
        COMPANY,
        _l("只有企业安全负责人可以提交整改情况。"),
    ),
    "recheck_pass": Transition(
        _l("复查通过"), ("awaiting_recheck",), None, INSPECTOR, _l("只有网格员或技术检查员可以现场复查。")
    ),
    "recheck_fail": Transition(
        _l("复查不通过"), ("awaiting_recheck",), "rectifying", INSPECTOR, _l("只有网格员或技术检查员可以现场复查。")
    ),
    # Evidence found on a later visit, added instead of a second report (services/duplicates.py);
    # it changes nothing of the hazard's state. Any state: a hazard closed while the phone was
    # offline still gets what was found (its officer is told), the signed record stays as signed.
    "evidence": Transition(
        _l("补充现场证据"), tuple(STATUS_LABELS), None, INSPECTOR, _l("只有网格员或技术检查员可以补充现场证据。")
    ),
    "close": Transition(
        _l("销号"),
        ("awaiting_closure",),
        "closed",
        OFFICER,
        _l("重大事故隐患须由执法人员销号，企业和网格员不能自行销号。"),
    ),
}


# --- scope ------------------------------------------------------------------------------


def scope(user: User) -> sa.Select:
    """Hazards ``user`` may see: staff those of their grids (served or in jurisdiction), a
    company manager those of their company that an officer confirmed."""
    shape, values = scopes.scope_binding(user)
    return sa.select(Hazard).where(_condition(shape, values["scope_grids"], user.id))


@prebuilt
def scope_condition(shape: scopes.Shape) -> sa.ColumnElement[bool]:
    """``scope``'s condition for a shape (``policy.Shape``), built once; values bound later."""
    return _condition(shape, scopes.SCOPE_GRIDS, scopes.SCOPE_USER)


def _condition(shape: scopes.Shape, grid_ids, user_id) -> sa.ColumnElement[bool]:
    conds = []
    if shape.grids:
        conds.append(in_ids(Hazard.grid_id, grid_ids, shape.array))
    if shape.company:
        conds.append(
            sa.and_(
                Hazard.status.in_(COMPANY_VISIBLE),
                Hazard.enterprise_id.in_(
                    sa.select(CompanyManager.enterprise_id).where(CompanyManager.user_id == user_id)
                ),
            )
        )
    return sa.or_(*conds) if conds else sa.false()


def in_scope(user: User, hazard: Hazard) -> bool:
    # A hazard of one of the user's grids is in scope (the first condition of ``scope``), known
    # from the grids the request has already listed; otherwise the database is asked.
    if hazard.grid_id is not None and hazard.grid_id in scopes.scope_grid_ids(user):
        return True
    return db.session.scalar(scope(user).with_only_columns(Hazard.id).where(Hazard.id == hazard.id)) is not None


# --- steps -------------------------------------------------------------------------------

#: What ``refusal`` says when only asked whether (``asked`` given), not why.
REFUSED = "refused"


def allowed(user: User, hazard: Hazard) -> list[str]:
    """The steps ``user`` may take on ``hazard`` now (for the page's buttons)."""
    if not in_scope(user, hazard):
        return []
    asked: dict = {}  # whether, not why: no reasons are worded, the recusal is asked once
    return [name for name in TRANSITIONS if refusal(user, hazard, name, True, asked) is None]


def refusal(
    user: User, hazard: Hazard, action: str, in_scope_: bool | None = None, asked: dict | None = None
) -> str | None:
    """Why ``user`` may not take ``action`` now, or None. With ``asked`` (a dict kept across the
    actions of one page), only whether: ``REFUSED`` instead of a worded reason."""
    t = TRANSITIONS[action]
    if not user.has_role(*t.roles):
        return str(t.refused) if asked is None else REFUSED
    # Services may be called with any object: the scope is checked here too, not only by the view.
    if not (in_scope_ if in_scope_ is not None else in_scope(user, hazard)):
        return _("找不到该记录，或您无权查看。")
    if hazard.status not in t.sources:
        return (
            REFUSED
            if asked is not None
            else _("该隐患当前为「%(status)s」，不能%(action)s。", status=STATUS_LABELS[hazard.status], action=t.label)
        )
    if action == "close" and hazard.effective_level != "major":
        return _("一般隐患复查通过即销号，无需执法人员销号。")
    if t.roles & (INSPECTOR | OFFICER):
        if asked is None:
            conflict = recusal(user, hazard.enterprise)
        else:
            if "recusal" not in asked:
                asked["recusal"] = recusal(user, hazard.enterprise)
            conflict = asked["recusal"]
        if conflict is not None:
            return recusal_reason(conflict.kind)
    if t.roles is INSPECTOR and not scopes.serves_grid(user, hazard.enterprise.grid_id):
        return _("该企业不在您负责的网格内，不能复查。")
    return None
