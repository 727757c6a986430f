"""Full coverage every two months (seed 002: each enterprise of a grid patrolled at least once
in every bimonthly period: Jan–Feb, Mar–Apr, …).

An enterprise counts as due while it operates (active, newly found or suspended — not closed
or moved away) and as covered once a finished inspection (signed, or refused with a photo)
started within the period, China time. Coverage belongs to the enterprise, so an enterprise
that moves to another grid brings its coverage along; an inspector's figures are those of
the grids they serve now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fieldapp import clock, policy
from fieldapp.db import db, on_postgresql
from fieldapp.models import Enterprise, Grid, User
from fieldapp.queries import coverage as statements
from fieldapp.services import workdays

#: An enterprise counts as due while it operates (see fieldapp/queries/coverage.py).
DUE_STATUSES = statements.DUE_STATUSES


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def months(self) -> tuple[int, int]:
        return self.start.month, self.end.month

    def bounds(self) -> tuple[datetime, datetime]:
        return workdays.span(self.start, self.end)

    def days_left(self, today: date) -> int:
        """Days left including today; 0 once the period is over."""
        return max(0, (self.end - today).days + 1) if today >= self.start else (self.end - self.start).days + 1

    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_of(self.end + timedelta(days=1))


def period_of(day: date) -> Period:
    first = 2 * ((day.month - 1) // 2) + 1
    start = date(day.year, first, 1)
    after = date(day.year + 1, 1, 1) if first == 11 else date(day.year, first + 2, 1)
    return Period(start, after - timedelta(days=1))


def current() -> Period:
    return period_of(clock.today())


def parse(key: str | None) -> Period | None:
    """A period from its URL key ("2026-11"); None if it is not one."""
    try:
        day = datetime.strptime((key or "").strip(), "%Y-%m").date()
    except ValueError:
        return None
    if not 2000 <= day.year <= 2100:
        return None
    return period_of(day)


def covered_condition(period: Period, enterprise=Enterprise):
    return statements.covered_between(enterprise, *period.bounds())


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class GridLine:
    """What the coverage pages show of a grid: read as plain columns, not as ORM objects (a
    district's 400 grids with their departments cost ~12 ms of CPU to load as objects)."""

    id: int
    code: str
    name: str
    org_unit: Unit

    @property
    def org_unit_id(self) -> int:
        return self.org_unit.id


@dataclass
class Row:
    grid: GridLine
    due: int
    covered: int

    @property
    def percent(self) -> int:
        return 100 if not self.due else int(self.covered * 100 / self.due)

    @property
    def left(self) -> int:
        return self.due - self.covered


def by_grid(user: User, period: Period) -> list[Row]:
    """Due and covered enterprises per grid in the user's scope (one query)."""
    grid_ids = policy.scope_grid_ids(user)
    if not grid_ids:
        return []
    lo, hi = period.bounds()
    rows = db.session.execute(statements.by_grid_statement(on_postgresql()), {"grids": grid_ids, "lo": lo, "hi": hi})
    units: dict[int, Unit] = {}
    return [
        Row(
            GridLine(grid_id, code, name, units.setdefault(unit_id, Unit(unit_id, unit_code, unit_name))),
            int(due),
            int(done),
        )
        for grid_id, code, name, unit_id, unit_code, unit_name, due, done in rows
    ]


@dataclass
class UnitRow:
    unit: Unit
    grids: int
    due: int
    covered: int

    @property
    def percent(self) -> int:
        return 100 if not self.due else int(self.covered * 100 / self.due)


def by_unit(rows: list[Row]) -> list[UnitRow]:
    """The grid rows summed per department."""
    units: dict[int, UnitRow] = {}
    for r in rows:
        u = units.setdefault(r.grid.org_unit_id, UnitRow(r.grid.org_unit, 0, 0, 0))
        u.grids, u.due, u.covered = u.grids + 1, u.due + r.due, u.covered + r.covered
    return sorted(units.values(), key=lambda u: (u.percent, u.unit.name))


@dataclass
class InspectorRow:
    user: User
    grids: list[GridLine]
    due: int
    covered: int
    own: int  # enterprises this inspector covered personally

    @property
    def percent(self) -> int:
        return 100 if not self.due else int(self.covered * 100 / self.due)


def by_inspector(user: User, period: Period, grid_rows: list[Row]) -> list[InspectorRow]:
    """Per inspector serving grids in scope: the coverage of their grids, and their own share."""
    by_id = {r.grid.id: r for r in grid_rows}
    if not by_id:
        return []
    links_of, people_of, own_of = statements.by_inspector_statements(on_postgresql())
    grids = list(by_id)
    links = db.session.execute(links_of, {"grids": grids}).all()
    people = {u.id: u for u in db.session.scalars(people_of, {"people": list({u for u, _ in links})})}
    lo, hi = period.bounds()
    own = dict(db.session.execute(own_of, {"people": list(people), "grids": grids, "lo": lo, "hi": hi}).all())
    grouped: dict[int, list[Row]] = {}
    for user_id, grid_id in links:
        grouped.setdefault(user_id, []).append(by_id[grid_id])
    out = [
        InspectorRow(
            people[uid], [r.grid for r in rows], sum(r.due for r in rows), sum(r.covered for r in rows), own.get(uid, 0)
        )
        for uid, rows in grouped.items()
    ]
    return sorted(out, key=lambda r: (r.percent, r.user.display_name))


def uncovered(user: User, period: Period, grid: Grid | None = None, limit: int = 500) -> list[Enterprise]:
    """Enterprises still to visit this period: one grid, or all the user's grids."""
    query = policy.enterprise_scope(user).where(
        Enterprise.status.in_(statements.DUE_STATUSES), ~covered_condition(period)
    )
    if grid is not None:
        query = query.where(Enterprise.grid_id == grid.id)
    return list(db.session.scalars(query.order_by(Enterprise.name).limit(limit)))


def still_to_visit(user: User, period: Period | None = None) -> list[Enterprise]:
    """An inspector's own list: the enterprises of the grids they serve not yet covered."""
    lo, hi = (period or current()).bounds()
    return list(db.session.scalars(statements.STILL_TO_VISIT, {"user_id": user.id, "lo": lo, "hi": hi}))
