"""Building the organisation tree."""
from __future__ import annotations

from fieldapp.db import db
from fieldapp.models import Grid, OrgUnit


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
