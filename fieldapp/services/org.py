"""Building the organisation tree."""
from __future__ import annotations

import sqlalchemy as sa

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
    query = sa.select(User).join(InspectorGrid, InspectorGrid.user_id == User.id).where(
        InspectorGrid.grid_id == grid_id, User.active.is_(True))
    if besides is not None:
        query = query.where(User.id != besides)
    return list(db.session.scalars(query.order_by(User.display_name).options(sa.orm.selectinload(User.role_rows))))
