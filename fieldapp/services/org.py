"""Building the organisation tree."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.db import db
from fieldapp.models import Grid, InspectorGrid, OrgUnit, User


def create_org_unit(code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, path="")
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def create_grid(unit: OrgUnit, code: str, name: str, area: str = "") -> Grid:
    grid = Grid(org_unit=unit, code=code, name=name, area=area)
    db.session.add(grid)
    return grid


def inspectors_of(grid_id: int, besides: int | None = None) -> list[User]:
    """The active people serving a grid, by name (``besides``: all but that one): who can patrol,
    check or be shown on its board."""
    query = (
        sa.select(User)
        .join(InspectorGrid, InspectorGrid.user_id == User.id)
        .where(InspectorGrid.grid_id == grid_id, User.active.is_(True))
    )
    if besides is not None:
        query = query.where(User.id != besides)
    return list(db.session.scalars(query.order_by(User.display_name).options(sa.orm.selectinload(User.role_rows))))


def grid_named(code: str | None) -> Grid | None:
    """The grid with this code, if any (a link or QR code names one)."""
    return db.session.scalar(sa.select(Grid).where(Grid.code == code[:32])) if code else None


def units_in_scope(user: User) -> list[OrgUnit]:
    """The departments ``user`` manages, in tree order (a form's choices)."""
    return list(db.session.scalars(policy.org_unit_scope(user).order_by(OrgUnit.path)))


def unit_choices(user: User) -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in units_in_scope(user)]


def grids_in_scope(user: User) -> list[Grid]:
    """The grids of ``user``'s scope, by code (a form's choices)."""
    return list(db.session.scalars(policy.grid_scope(user).order_by(Grid.code)))
