"""Small model factories: real rows through the same services the app uses."""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from types import SimpleNamespace

from fieldapp import roles
from fieldapp.db import db
from fieldapp.models import (
    CompanyManager,
    Enterprise,
    Grid,
    InspectorGrid,
    OrgUnit,
    User,
    UserOrgUnit,
    UserRole,
)
from fieldapp.services import uscc
from fieldapp.services.accounts import hash_password
from fieldapp.services.enterprises import district_id_of
from fieldapp.services.org import create_grid, create_org_unit

PASSWORD = "Field2026ok"


class Factory:
    def __init__(self, hash_method: str):
        self.hash_method = hash_method
        self.seq = itertools.count(1)
        self._hash: str | None = None

    def org_unit(self, parent: OrgUnit | None = None, kind: str | None = None, name: str = "") -> OrgUnit:
        n = next(self.seq)
        kind = kind or ("town" if parent else "district")
        unit = create_org_unit(f"T{n:06d}", name or f"测试单位{n}", kind, parent)
        db.session.commit()
        return unit

    def grid(self, unit: OrgUnit, name: str = "") -> Grid:
        n = next(self.seq)
        grid = create_grid(unit, f"G-{n:04d}", name or f"测试网格{n}")
        db.session.commit()
        return grid

    def enterprise(self, grid: Grid, name: str = "", status: str = "active") -> Enterprise:
        n = next(self.seq)
        e = Enterprise(name=name or f"苏州测试{n}有限公司", uscc=uscc.make("9", "1", "320506", f"{n:08d}"),
                       grid_id=grid.id, district_id=district_id_of(grid), status=status,
                       operating_address=f"测试路{n}号", latitude=31.26, longitude=120.6)
        db.session.add(e)
        db.session.commit()
        return e

    def user(self, *role_names: str, grids: Iterable[Grid] = (), units: Iterable[OrgUnit] = (),
             enterprises: Iterable[Enterprise] = (), org_unit: OrgUnit | None = None,
             username: str = "", mobile: str | None = None, active: bool = True,
             password: str = PASSWORD) -> User:
        n = next(self.seq)
        if password == PASSWORD:
            self._hash = self._hash or hash_password(PASSWORD, self.hash_method)
            password_hash = self._hash
        else:
            password_hash = hash_password(password, self.hash_method)
        grids, units, enterprises = list(grids), list(units), list(enterprises)
        home = org_unit or (units[0] if units else grids[0].org_unit if grids
                            else enterprises[0].grid.org_unit if enterprises else None)
        user = User(username=username or f"user{n}", mobile=mobile, display_name=f"测试用户{n}",
                    password_hash=password_hash, active=active, org_unit=home)
        user.role_rows = [UserRole(role=r) for r in role_names]
        db.session.add(user)
        db.session.flush()
        db.session.add_all(InspectorGrid(user_id=user.id, grid_id=g.id) for g in grids)
        db.session.add_all(UserOrgUnit(user_id=user.id, org_unit_id=u.id) for u in units)
        db.session.add_all(CompanyManager(user_id=user.id, enterprise_id=e.id) for e in enterprises)
        db.session.commit()
        return user


def build_world(f: Factory) -> SimpleNamespace:
    """A district with two towns, three grids, four enterprises and one user per role (and some twins)."""
    w = SimpleNamespace()
    w.district = f.org_unit(name="测试区")
    w.town_a = f.org_unit(w.district, name="甲镇")
    w.town_b = f.org_unit(w.district, kind="zone", name="乙开发区")
    w.grid_a1, w.grid_a2 = f.grid(w.town_a, "甲镇一网格"), f.grid(w.town_a, "甲镇二网格")
    w.grid_b1 = f.grid(w.town_b, "乙区一网格")
    w.ent_a1 = f.enterprise(w.grid_a1, "苏州甲一精密机械有限公司")
    w.ent_a1_other = f.enterprise(w.grid_a1, "苏州甲一化工有限公司", status="new")
    w.ent_a2 = f.enterprise(w.grid_a2, "苏州甲二纺织有限公司")
    w.ent_b1 = f.enterprise(w.grid_b1, "苏州乙一食品有限公司")
    w.inspector_a1 = f.user(roles.GRID_INSPECTOR, grids=[w.grid_a1], username="insp_a1", mobile="13912345601")
    w.inspector_b1 = f.user(roles.GRID_INSPECTOR, grids=[w.grid_b1], username="insp_b1")
    w.tech_a2 = f.user(roles.TECHNICAL_INSPECTOR, grids=[w.grid_a2], username="tech_a2")
    w.officer_a = f.user(roles.ENFORCEMENT_OFFICER, units=[w.town_a], username="officer_a")
    w.officer_district = f.user(roles.ENFORCEMENT_OFFICER, units=[w.district], username="officer_d")
    w.company_a1 = f.user(roles.COMPANY_MANAGER, enterprises=[w.ent_a1], username="company_a1")
    w.company_b1 = f.user(roles.COMPANY_MANAGER, enterprises=[w.ent_b1], username="company_b1")
    w.supervisor = f.user(roles.SOCIAL_SUPERVISOR, units=[w.district], username="supervisor1")
    w.admin = f.user(roles.ADMIN, units=[w.district], username="admin_d")
    w.admin_a = f.user(roles.ADMIN, units=[w.town_a], username="admin_a")
    w.discipline = f.user(roles.DISCIPLINE_INSPECTOR, units=[w.district], username="discipline1")
    return w
