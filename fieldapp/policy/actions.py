"""Who may do what: the roles each action needs (``ACTION_ROLES``) and ``can``/``require``, the one
entry every view and service asks — with an object, the object's own rule too (its scope, a
hazard's step, the people one manages)."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import roles
from fieldapp.db import db
from fieldapp.errors import Forbidden
from fieldapp.i18n import gettext as _
from fieldapp.models import Enterprise, Grid, Hazard, OrgUnit, User
from fieldapp.policy import hazards
from fieldapp.policy.scopes import (
    ENTERPRISE_JURISDICTION_ROLES,
    enterprise_condition,
    grid_condition,
    org_unit_condition,
)

#: action -> roles that may perform it at all (object checks come on top).
_STAFF = frozenset(roles.INSPECTORS | set(ENTERPRISE_JURISDICTION_ROLES))
ACTION_ROLES: dict[str, frozenset[str]] = {
    "enterprise.list": _STAFF | {roles.COMPANY_MANAGER},
    "enterprise.view": _STAFF | {roles.COMPANY_MANAGER},
    "enterprise.export": _STAFF,
    # The registry is the department's: admins create, edit, import, confirm.
    "enterprise.create": frozenset({roles.ADMIN}),
    "enterprise.edit": frozenset({roles.ADMIN}),
    "enterprise.import": frozenset({roles.ADMIN}),
    "enterprise.review": frozenset({roles.ADMIN}),
    # 一企一码: the posters and their rotation are the registry's too (services/checkin.py).
    "enterprise.checkin_code": frozenset({roles.ADMIN}),
    # Inspectors keep the count current from the field (seed 002 art. 5(3)).
    "enterprise.report_status": frozenset(roles.INSPECTORS),
    "enterprise.report_new": frozenset(roles.INSPECTORS),
    # Companies keep their own risk points and self-checks (seed 002 art. 5(5)-(6)).
    "riskpoint.manage": frozenset({roles.COMPANY_MANAGER}),
    "selfcheck.record": frozenset({roles.COMPANY_MANAGER}),
    # Online patrol: staff review a company's risk points and self-checks remotely.
    "patrol.online": _STAFF,
    "finding.record": frozenset(roles.INSPECTORS),
    # On-site inspection records (seed 002 art. 7-8); who may read which is inspections.scope().
    "inspection.create": frozenset(roles.INSPECTORS),
    "inspection.view": _STAFF | {roles.COMPANY_MANAGER},
    "checklist.manage": frozenset({roles.ADMIN}),
    # Hazards (seed 002 art. 8): each step's own roles are in services/hazards.TRANSITIONS.
    "hazard.view": _STAFF | {roles.COMPANY_MANAGER},
    # Each step of the loop: the roles of hazards.TRANSITIONS; with a hazard, its whole rule.
    **{f"hazard.{name}": t.roles for name, t in hazards.TRANSITIONS.items()},
    "notification.view": frozenset(roles.ALL),
    # Dashboards: bimonthly coverage and hazard statistics of one's grids or jurisdiction.
    "coverage.view": _STAFF,
    "statistics.view": frozenset({roles.ENFORCEMENT_OFFICER, roles.ADMIN}),
    # The daily work log is derived from field work (seed 002 art. 9): inspectors their own, admins their team's.
    "worklog.view": frozenset(roles.INSPECTORS | {roles.ADMIN}),
    "user.manage": frozenset({roles.ADMIN}),
    "admin.overview": frozenset({roles.ADMIN}),
    # Declarations of interests (seed 000; seed 002 art. 7): staff who act on enterprises declare,
    # admins of their department decide.
    "declaration.create": frozenset(roles.INSPECTORS | {roles.ENFORCEMENT_OFFICER}),
    "declaration.decide": frozenset({roles.ADMIN}),
    "holiday.manage": frozenset({roles.ADMIN}),
    # Who hears what outside the app: a department's robots and routes, undelivered messages.
    "alerts.manage": frozenset({roles.ADMIN}),
    # Leaders' interference (seed 003): those who enforce record it; discipline inspectors receive it.
    # Admins are deliberately absent: a record must not reach the leaders it may concern.
    "interference.record": frozenset(roles.INSPECTORS | {roles.ENFORCEMENT_OFFICER}),
    "interference.review": frozenset({roles.DISCIPLINE_INSPECTOR}),
    "interference.view": frozenset(roles.INSPECTORS | {roles.ENFORCEMENT_OFFICER, roles.DISCIPLINE_INSPECTOR}),
    # Clues (seed 001 art. 19-20): supervisors submit signed in (the public anonymously);
    # the department's officers and admins handle them.
    "clue.submit": frozenset({roles.SOCIAL_SUPERVISOR}),
    "clue.handle": frozenset({roles.ENFORCEMENT_OFFICER, roles.ADMIN}),
    "clue.view": _STAFF | {roles.SOCIAL_SUPERVISOR},
    "bulletin.publish": frozenset({roles.ADMIN}),
    "bulletin.view": frozenset({roles.SOCIAL_SUPERVISOR, roles.ENFORCEMENT_OFFICER, roles.ADMIN}),
    # Who opened a hazard, record or clue (the read log, seed 003's trace): admins of the department.
    "read_log.view": frozenset({roles.ADMIN}),
}


def can(user: User | None, action: str, obj: object = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    allowed = ACTION_ROLES.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}")  # a typo must not silently deny or allow
    if not user.has_role(*allowed):
        return False
    if obj is None:
        return True
    if isinstance(obj, Hazard) and action.removeprefix("hazard.") in hazards.TRANSITIONS:
        return hazards.refusal(user, obj, action.removeprefix("hazard."), asked={}) is None
    if isinstance(obj, Enterprise):
        return (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Enterprise)
                .where(Enterprise.id == obj.id, enterprise_condition(user))
            )
            == 1
        )
    if isinstance(obj, User):
        if obj.id == user.id:
            return False  # nobody disables or re-roles themselves
        return (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(User)
                .where(User.id == obj.id, User.org_unit_id.in_(sa.select(OrgUnit.id).where(org_unit_condition(user))))
            )
            == 1
        )
    if isinstance(obj, (Grid, OrgUnit)):
        cond = grid_condition(user) if isinstance(obj, Grid) else org_unit_condition(user)
        model = type(obj)
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.id == obj.id, cond)) == 1
    raise TypeError(f"no rule for {type(obj).__name__}")


def require(user: User | None, action: str, obj: object = None) -> None:
    if not can(user, action, obj):
        raise Forbidden(_("您没有权限执行此操作。"))
