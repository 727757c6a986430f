"""Full coverage every two months (seed 002: each enterprise of a grid patrolled at least once
in every bimonthly period: Jan–Feb, Mar–Apr, …).

An enterprise counts as due while it operates (active, newly found or suspended — not closed
or moved away) and as covered once a finished inspection (signed, or refused with a photo)
started within the period, China time. Coverage belongs to the enterprise, so an enterprise
that moves to another grid brings its coverage along; an inspector's figures are those of
the grids they serve now.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.db import db, in_ids, on_postgresql
from fieldapp.models import Enterprise, Grid, Inspection, InspectorGrid, OrgUnit, User
from fieldapp.services import workdays

#: Enterprises that must be patrolled (also the patrol list's).
DUE_STATUSES = ("active", "new", "suspended")


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
    return _covered_between(enterprise, *period.bounds())


def _covered_between(enterprise, lo, hi):
    """A finished inspection of ``enterprise`` started in [lo, hi): values, or parameters bound later.

    The start of its latest finished inspection (``last_inspected_at``, kept by the database)
    answers for every enterprise not inspected again since ``hi`` — all of them for the current
    period: a district's coverage reads its enterprises once instead of probing the inspections
    of each (19,200 probes, ~50 ms of PostgreSQL). Only those inspected since ask their
    inspections (a CASE evaluates its branches in order)."""
    last = enterprise.last_inspected_at
    inspected = sa.exists().where(
        Inspection.enterprise_id == enterprise.id,
        Inspection.state != "draft",
        Inspection.started_at >= lo,
        Inspection.started_at < hi,
    )
    return sa.case((sa.or_(last.is_(None), last < lo), sa.false()), (last < hi, sa.true()), else_=inspected)


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
    rows = db.session.execute(_by_grid_statement(on_postgresql()), {"grids": grid_ids, "lo": lo, "hi": hi})
    units: dict[int, Unit] = {}
    return [
        Row(
            GridLine(grid_id, code, name, units.setdefault(unit_id, Unit(unit_id, unit_code, unit_name))),
            int(due),
            int(done),
        )
        for grid_id, code, name, unit_id, unit_code, unit_name, due, done in rows
    ]


#: The grids and the period bound when it runs: building the statement and its cache key on each
#: request cost more CPU than running it. ``array``: ``on_postgresql()`` (``db.in_ids``).
@functools.cache
def _by_grid_statement(array: bool) -> sa.Select:
    grids = sa.bindparam("grids", expanding=True)
    covered = sa.case((_covered_between(Enterprise, sa.bindparam("lo"), sa.bindparam("hi")), 1), else_=0)
    counts = (
        sa.select(Enterprise.grid_id, sa.func.count().label("due"), sa.func.sum(covered).label("covered"))
        .where(Enterprise.status.in_(DUE_STATUSES), in_ids(Enterprise.grid_id, grids, array))
        .group_by(Enterprise.grid_id)
        .subquery()
    )
    return (
        sa.select(
            Grid.id,
            Grid.code,
            Grid.name,
            OrgUnit.id,
            OrgUnit.code,
            OrgUnit.name,
            sa.func.coalesce(counts.c.due, 0),
            sa.func.coalesce(counts.c.covered, 0),
        )
        .join(OrgUnit, OrgUnit.id == Grid.org_unit_id)
        .join(counts, counts.c.grid_id == Grid.id, isouter=True)
        .where(in_ids(Grid.id, grids, array))
        .order_by(Grid.code)
    )


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
    links_of, people_of, own_of = _by_inspector_statements(on_postgresql())
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


@functools.cache
def _by_inspector_statements(array: bool) -> tuple[sa.Select, sa.Select, sa.Select]:
    """``by_inspector``'s three statements, built once (as ``_by_grid_statement``): who serves the
    grids, those people, and how many enterprises each covered in person."""
    grids, people = sa.bindparam("grids", expanding=True), sa.bindparam("people", expanding=True)
    links = (
        sa.select(InspectorGrid.user_id, InspectorGrid.grid_id)
        .join(User, User.id == InspectorGrid.user_id)
        .where(in_ids(InspectorGrid.grid_id, grids, array), User.active.is_(True))
    )
    people_of = sa.select(User).where(in_ids(User.id, people, array))
    own = (
        sa.select(Inspection.inspector_id, sa.func.count(sa.distinct(Inspection.enterprise_id)))
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(
            in_ids(Inspection.inspector_id, people, array),
            Inspection.state != "draft",
            Inspection.started_at >= sa.bindparam("lo"),
            Inspection.started_at < sa.bindparam("hi"),
            in_ids(Enterprise.grid_id, grids, array),
        )
        .group_by(Inspection.inspector_id)
    )
    return links, people_of, own


def uncovered(user: User, period: Period, grid: Grid | None = None, limit: int = 500) -> list[Enterprise]:
    """Enterprises still to visit this period: one grid, or all the user's grids."""
    query = policy.enterprise_scope(user).where(Enterprise.status.in_(DUE_STATUSES), ~covered_condition(period))
    if grid is not None:
        query = query.where(Enterprise.grid_id == grid.id)
    return list(db.session.scalars(query.order_by(Enterprise.name).limit(limit)))


def still_to_visit(user: User, period: Period | None = None) -> list[Enterprise]:
    """An inspector's own list: the enterprises of the grids they serve not yet covered."""
    lo, hi = (period or current()).bounds()
    return list(db.session.scalars(_STILL_TO_VISIT, {"user_id": user.id, "lo": lo, "hi": hi}))


#: Built once (the inspector's home page asks on every visit); the user and period are bound.
#: Only the columns the list shows: up to 300 enterprises of thirty columns each would cost the
#: driver and the ORM for nothing. Reading another one raises.
_STILL_TO_VISIT = (
    sa.select(Enterprise)
    .options(
        sa.orm.load_only(
            Enterprise.id,
            Enterprise.name,
            Enterprise.operating_address,
            Enterprise.latitude,
            Enterprise.longitude,
            raiseload=True,
        )
    )
    .where(
        Enterprise.grid_id.in_(
            sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == sa.bindparam("user_id"))
        ),
        Enterprise.status.in_(DUE_STATUSES),
        ~_covered_between(Enterprise, sa.bindparam("lo"), sa.bindparam("hi")),
    )
    .order_by(Enterprise.name)
    .limit(300)
)
