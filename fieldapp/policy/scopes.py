"""What each user may see: the scopes every list starts from and every object is fetched through,
so an id outside one's scope is indistinguishable from an id that does not exist.

Scopes by role (a user with several roles sees the union):
- grid / technical inspector: enterprises of the grids they serve;
- company safety manager: their own company only;
- enforcement officer, admin: their org-unit subtree (jurisdiction);
- social supervisor, discipline inspector: no enterprise files (they get
  their own features: clues, interference records).
"""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from flask import g, has_request_context

from fieldapp import fields, roles
from fieldapp.db import MAX_ID, db, in_ids, on_postgresql
from fieldapp.errors import NotFound
from fieldapp.i18n import gettext as _
from fieldapp.models import (
    CompanyManager,
    Enterprise,
    Grid,
    InspectorGrid,
    OrgUnit,
    OutboundMessage,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.queries import prebuilt

ENTERPRISE_JURISDICTION_ROLES = (roles.ENFORCEMENT_OFFICER, roles.ADMIN)


def _subtree(user_id) -> sa.Select:
    """Ids of org units inside the jurisdictions of ``user_id`` (a value or a bind parameter)."""
    anc = sa.orm.aliased(OrgUnit)
    return (
        sa.select(OrgUnit.id)
        .join(anc, OrgUnit.path.startswith(anc.path, autoescape=False))
        .join(UserOrgUnit, UserOrgUnit.org_unit_id == anc.id)
        .where(UserOrgUnit.user_id == user_id)
    )


def _subtree_org_ids(user: User, *, of_roles: tuple[str, ...]):
    """Ids of org units inside ``user``'s jurisdiction, if they hold one of ``of_roles``."""
    return _subtree(user.id) if user.has_role(*of_roles) else None


def org_unit_condition(user: User, *, of_roles=(roles.ADMIN,)):
    ids = _subtree_org_ids(user, of_roles=of_roles)
    return OrgUnit.id.in_(ids) if ids is not None else sa.false()


#: The grids of an inspector, or of an officer's or admin's jurisdiction, asked on nearly every
#: page: built once (as sessions._BY_TOKEN) — executing a prebuilt statement skips building it
#: and its cache key again. Someone with both kinds of role gets the two joined (_grid_id_query).
_SERVED_GRIDS = sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == sa.bindparam("user_id"))
_JURISDICTION_GRIDS = sa.select(Grid.id).where(Grid.org_unit_id.in_(_subtree(sa.bindparam("user_id"))))


def _grid_id_query(user: User) -> sa.Select | None:
    conds = []
    if user.has_role(*roles.INSPECTORS):
        conds.append(Grid.id.in_(sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == user.id)))
    subtree = _subtree_org_ids(user, of_roles=ENTERPRISE_JURISDICTION_ROLES)
    if subtree is not None:
        conds.append(Grid.org_unit_id.in_(subtree))
    return sa.select(Grid.id).where(sa.or_(*conds)) if conds else None


def scope_grid_ids(user: User) -> list[int]:
    """Ids of the grids ``user`` may see (served grids, or grids of their jurisdiction).

    Resolved to a literal list, once per request: the planner then sees how
    selective the scope really is (an inspector's one grid or a district's all)
    and picks the right index, where a subquery left it guessing.
    """
    key = ("scope_grid_ids", user.id)
    cache = g.setdefault("_policy_cache", {}) if has_request_context() else {}
    if key not in cache:
        inspector, jurisdiction = user.has_role(*roles.INSPECTORS), user.has_role(*ENTERPRISE_JURISDICTION_ROLES)
        if inspector != jurisdiction:
            prebuilt = _SERVED_GRIDS if inspector else _JURISDICTION_GRIDS
            cache[key] = sorted(db.session.scalars(prebuilt, {"user_id": user.id}))
        else:
            query = _grid_id_query(user)
            cache[key] = sorted(db.session.scalars(query)) if query is not None else []
    return cache[key]


def serves_grid(user: User, grid_id: int | None) -> bool:
    """Whether ``user`` is assigned to serve the grid (an inspector's own grids, not those of a
    jurisdiction): from the request's list of the user's grids when those are only served ones."""
    if not user.has_role(*roles.INSPECTORS) or grid_id is None:
        return False
    if not user.has_role(*ENTERPRISE_JURISDICTION_ROLES):
        return grid_id in scope_grid_ids(user)
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(InspectorGrid)
            .where(InspectorGrid.user_id == user.id, InspectorGrid.grid_id == grid_id)
        )
    )


def grid_condition(user: User):
    """Grids a user may see: served grids (inspectors) or grids in their jurisdiction."""
    ids = scope_grid_ids(user)
    return in_ids(Grid.id, ids) if ids else sa.false()


class Shape(NamedTuple):
    """Which conditions make up a user's scope. Hot pages build their statements once per shape
    (``fieldapp.queries.prebuilt``) with the scope's values as bind parameters (``SCOPE_GRIDS``,
    ``SCOPE_USER``) and bind ``scope_binding``'s values when they run them: building a statement
    and its cache key costs more CPU than running it (a fifth to a third of a page's)."""

    grids: bool  # the user sees some grids (served, or of a jurisdiction)
    company: bool  # a company safety manager
    staff: bool  # an inspector, officer or admin
    array: bool = False  # the database takes id lists as one array (``db.in_ids``): PostgreSQL


SCOPE_GRIDS = sa.bindparam("scope_grids", expanding=True)
SCOPE_USER = sa.bindparam("scope_user")
STAFF_ROLES = (*roles.INSPECTORS, roles.ENFORCEMENT_OFFICER, roles.ADMIN)


def scope_binding(user: User) -> tuple[Shape, dict]:
    """The shape of ``user``'s scope and the values its conditions bind."""
    grid_ids = scope_grid_ids(user)
    shape = Shape(bool(grid_ids), user.has_role(roles.COMPANY_MANAGER), user.has_role(*STAFF_ROLES), on_postgresql())
    return shape, {"scope_grids": grid_ids, "scope_user": user.id}


@prebuilt
def _grids_by_code(array: bool) -> sa.Select:
    """The grids of a user's scope by code, for the lists' grid filter: built once."""
    return sa.select(Grid.id, Grid.code, Grid.name).where(in_ids(Grid.id, SCOPE_GRIDS, array)).order_by(Grid.code)


def scope_grids(user: User) -> list[sa.Row]:
    """The grids ``user`` may see (``grid_scope``), by code: their id, code and name, all a
    filter shows (rows, not ORM objects: a town officer's 40 on every list page)."""
    grid_ids = scope_grid_ids(user)
    return list(db.session.execute(_grids_by_code(on_postgresql()), {"scope_grids": grid_ids})) if grid_ids else []


def enterprise_condition(user: User):
    shape, values = scope_binding(user)
    return _enterprise_condition(shape, values["scope_grids"], user.id)


@prebuilt
def enterprise_condition_of(shape: Shape):
    """``enterprise_condition`` for a shape, built once; values bound when it runs."""
    return _enterprise_condition(shape, SCOPE_GRIDS, SCOPE_USER)


def _enterprise_condition(shape: Shape, grid_ids, user_id):
    """The rule, once: with the values, or with bind parameters standing for them."""
    conds = []
    if shape.grids:
        conds.append(in_ids(Enterprise.grid_id, grid_ids, shape.array))
    if shape.company:
        conds.append(
            Enterprise.id.in_(sa.select(CompanyManager.enterprise_id).where(CompanyManager.user_id == user_id))
        )
    return sa.or_(*conds) if conds else sa.false()


def enterprise_scope(user: User) -> sa.Select:
    return sa.select(Enterprise).where(enterprise_condition(user))


def grid_scope(user: User) -> sa.Select:
    return sa.select(Grid).where(grid_condition(user))


def org_unit_scope(user: User) -> sa.Select:
    """Org units a user administers (admins' subtree)."""
    return sa.select(OrgUnit).where(org_unit_condition(user))


def outbound_condition(user: User) -> sa.ColumnElement[bool]:
    """Messages to outside the app an admin sees (and may send again): those about the departments
    of their subtree; the deployment's own (no department) to admins of a top unit."""
    ids = _subtree_org_ids(user, of_roles=(roles.ADMIN,))
    if ids is None:
        return sa.false()
    top = sa.exists().where(OrgUnit.id.in_(ids), OrgUnit.parent_id.is_(None))
    return sa.or_(OutboundMessage.org_unit_id.in_(ids), sa.and_(OutboundMessage.org_unit_id.is_(None), top))


def user_scope(user: User) -> sa.Select:
    """Accounts an admin manages: those whose managing department is in their subtree."""
    return sa.select(User).where(User.org_unit_id.in_(sa.select(OrgUnit.id).where(org_unit_condition(user))))


def org_ids_of(user: User, *of_roles: str) -> sa.Select | None:
    """Org units in the jurisdiction ``user`` holds as one of ``of_roles`` (None without them)."""
    return _subtree_org_ids(user, of_roles=of_roles)


def holders(unit_id, *of_roles: str) -> list[int]:
    """Active users holding one of ``of_roles`` over the org unit ``unit_id`` (an id, or a scalar
    subquery giving one): their jurisdiction is the unit or one above it. Who hears of what
    happens in a department — its officers, admins, discipline inspectors."""
    path = sa.select(OrgUnit.path).where(OrgUnit.id == unit_id).scalar_subquery()
    return list(
        db.session.scalars(
            sa.select(UserOrgUnit.user_id)
            .distinct()
            .join(OrgUnit, OrgUnit.id == UserOrgUnit.org_unit_id)
            .join(UserRole, UserRole.user_id == UserOrgUnit.user_id)
            .join(User, User.id == UserOrgUnit.user_id)
            .where(UserRole.role.in_(of_roles), User.active.is_(True), path.startswith(OrgUnit.path, autoescape=False))
            .order_by(UserOrgUnit.user_id)
        )
    )


def holds(user: User, unit_id: int, *of_roles: str) -> bool:
    """Does ``user`` hold one of ``of_roles`` over the org unit ``unit_id`` (it lies in their subtree)?"""
    ids = org_ids_of(user, *of_roles)
    return (
        ids is not None
        and db.session.scalar(
            sa.select(sa.func.count()).select_from(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.id.in_(ids))
        )
        == 1
    )


def managed_unit(user: User, raw_id) -> OrgUnit | None:
    """The org unit a form names, if ``user`` administers it (else None)."""
    unit_id = fields.ident(raw_id)
    return db.session.scalar(org_unit_scope(user).where(OrgUnit.id == unit_id)) if unit_id else None


def interference_condition(user: User):
    """Interference records a user may read: their own, and — for discipline inspectors —
    those sent to a department in their jurisdiction. Nobody else, admins included."""
    from fieldapp.models import InterferenceRecord

    conds = [InterferenceRecord.recorder_id == user.id]
    ids = org_ids_of(user, roles.DISCIPLINE_INSPECTOR)
    if ids is not None:
        conds.append(InterferenceRecord.org_unit_id.in_(ids))
    return sa.or_(*conds)


def clue_condition(user: User):
    """Clues a user may read: handlers' jurisdiction, the inspector a site check was
    given to, the assignee, and a supervisor's own."""
    from fieldapp.models import Clue

    conds = [Clue.submitter_id == user.id, Clue.assignee_id == user.id, Clue.task_inspector_id == user.id]
    ids = org_ids_of(user, roles.ENFORCEMENT_OFFICER, roles.ADMIN)
    if ids is not None:
        conds.append(Clue.org_unit_id.in_(ids))
    return sa.or_(*conds)


def get_in_scope(scope: sa.Select, model, obj_id) -> object:
    return _found(db.session.scalar(scope.where(model.id == _valid_id(obj_id))))


def get_prebuilt(statement: sa.Select, values: dict, obj_id) -> object:
    """``get_in_scope`` for a statement built once with its scope's bind parameters and the
    object's id as ``:id``; ``values`` binds the scope's."""
    return _found(db.session.scalar(statement, {**values, "id": _valid_id(obj_id)}))


def _valid_id(obj_id) -> int:
    try:
        obj_id = int(obj_id)
    except (TypeError, ValueError):
        obj_id = None
    if obj_id is None or not (0 < obj_id <= MAX_ID):
        raise NotFound(_("找不到该记录，或您无权查看。"))
    return obj_id


def _found(obj):
    if obj is None:
        # Same answer whether it does not exist or is out of scope: no leak.
        raise NotFound(_("找不到该记录，或您无权查看。"))
    return obj


def get_enterprise(user: User, enterprise_id, *options) -> Enterprise:
    return get_in_scope(enterprise_scope(user).options(*options), Enterprise, enterprise_id)


def get_grid(user: User, grid_id) -> Grid:
    return get_in_scope(grid_scope(user), Grid, grid_id)


def get_managed_user(user: User, user_id) -> User:
    return get_in_scope(user_scope(user), User, user_id)
