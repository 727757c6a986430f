"""Hazard statistics over the user's grids or jurisdiction (issue: dashboards).

All figures are counted in the database (grouped sums), so a district's 150,000 hazards are
never loaded: found (reported in the range), confirmed, rejected, closed (in the range),
overdue (now), the rectification rate (closed of those confirmed) and the median days from
confirmation to closure; broken down by org unit, grid, industry and level, and by month.
Months are China-time months.

A scope made of whole departments (a town, a district) is counted per department from the
running tallies (models/tallies.py) — a few thousand rows instead of every hazard; beyond
``GRIDS_ON_ONE_PAGE`` grids (a district) its grids are a department's drill-down (``unit``),
else one pass over the hazards grouped by grid adds them. Other scopes (an inspector's grids,
one grid) are counted from the hazards themselves. Overdue, a state of now, is partly counted live; the
median days to closure come from counts of days per department (when no industry or level is
chosen) or from the hazards.
"""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from fieldapp import clock, codes, fields, policy
from fieldapp.db import db, on_postgresql
from fieldapp.models import User
from fieldapp.queries import statistics as statements
from fieldapp.services import hazards, workdays

DIMENSIONS = ("org_unit", "grid", "industry", "level")
#: Beyond this many grids a dashboard first shows one line per department (a district's 400
#: grids are a department's drill-down, not a phone screen).
GRIDS_ON_ONE_PAGE = 60


@dataclass
class Filters:
    start: date  # first day of the first month
    end: date  # last day of the last month
    grid_id: int | None = None
    unit_id: int | None = None  # one department's grids
    industry: str | None = None
    level: str | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        return workdays.span(self.start, self.end)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, n: int) -> date:
    month = day.month - 1 + n
    return date(day.year + month // 12, month % 12 + 1, 1)


def default_filters(today: date | None = None) -> Filters:
    """The last twelve months, this one included."""
    today = today or clock.today()
    first = _add_months(_month_start(today), -11)
    return Filters(first, _add_months(_month_start(today), 1) - timedelta(days=1))


def parse_filters(args, today: date | None = None) -> tuple[Filters, dict[str, str]]:
    """Filters from the query string; unreadable values come back as messages, not errors."""
    filters, problems = default_filters(today), {}
    for key in ("from", "to"):
        raw = (args.get(key) or "").strip()
        if not raw:
            continue
        try:
            month = datetime.strptime(raw, "%Y-%m").date()
        except ValueError:
            problems[key] = raw
            continue
        if key == "from":
            filters.start = month
        else:
            filters.end = _add_months(month, 1) - timedelta(days=1)
    if filters.end < filters.start or (filters.end - filters.start).days > 3 * 366:
        problems["range"] = f"{filters.start}–{filters.end}"
        filters = default_filters(today)
    filters.grid_id = fields.ident(args.get("grid"))
    filters.unit_id = fields.ident(args.get("unit"))
    industry = (args.get("industry") or "").strip()
    filters.industry = industry if industry in codes.INDUSTRIES else None
    level = args.get("level")
    filters.level = level if level in hazards.LEVEL_LABELS else None
    return filters, problems


def _whole_departments(grid_ids: list[int], unit_of: dict[int, int]) -> dict[int, int] | None:
    """The department of each grid when ``grid_ids`` are all the grids of their departments,
    else None (a department only partly among them: only the hazards can say). ``unit_of`` holds
    every grid of those departments."""
    wanted = set(grid_ids)
    units = {unit_of[grid_id] for grid_id in grid_ids}
    of_units = {grid_id: unit for grid_id, unit in unit_of.items() if unit in units}
    return of_units if wanted.issuperset(of_units) else None


def _months(f: Filters) -> list[date]:
    """First days of the months in the range."""
    out, month = [], f.start
    while month <= f.end:
        out.append(month)
        month = _add_months(month, 1)
    return out


class GridChoice(NamedTuple):
    id: int
    code: str
    name: str


@dataclass
class Figures:
    found: int = 0
    confirmed: int = 0
    rejected: int = 0
    closed: int = 0
    overdue: int = 0
    confirmed_closed: int = 0

    @property
    def rectification_rate(self) -> int | None:
        """Percent of the hazards confirmed in the range that are closed by now."""
        return round(self.confirmed_closed * 100 / self.confirmed) if self.confirmed else None


@dataclass
class Report:
    filters: Filters
    total: Figures
    median_days: float | None
    breakdowns: dict[str, list[tuple[str, Figures]]] = field(default_factory=dict)
    months: list[tuple[date, int, int]] = field(default_factory=list)  # month, found, closed
    by_department: bool = False  # no grid breakdown: each department opens its grids
    #: The grid filter: the scope's grids (narrowed to the chosen department) by code, as rows of
    #: id, code and name; none on a page by department.
    grids: list[GridChoice] = field(default_factory=list)
    unit_names: dict[int, str] = field(default_factory=dict)


def _figures(row) -> Figures:
    return Figures(*(int(v or 0) for v in row))


def _median_days(shape: statements.Shape, values: dict) -> float | None:
    """The median calendar days (China dates) from confirmation to closure of the hazards closed
    in the range."""
    statement = statements.median_statement(*shape)
    if shape.pg:
        value = db.session.scalar(statement, values)
        return round(float(value), 1) if value is not None else None
    spans = db.session.execute(statement, values).all()
    if not spans:
        return None
    return round(
        float(
            pystats.median(
                (b.astimezone(clock.SHANGHAI).date() - a.astimezone(clock.SHANGHAI).date()).days for a, b in spans
            )
        ),
        1,
    )


def _median_of_counts(counts: list[tuple[int, int]]) -> float | None:
    """The median of values given with how often each occurs (the middle two averaged)."""
    total = sum(n for _v, n in counts)
    if not total:
        return None
    middle, seen, found = ((total - 1) // 2, total // 2), 0, []
    for value, n in sorted(counts):
        while len(found) < 2 and seen + n > middle[len(found)]:
            found.append(value)
        seen += n
    return round((found[0] + found[1]) / 2, 1)


def _in_unit(scope_ids: list[int], unit_of: dict[int, int], f: Filters) -> list[int]:
    """The user's grids, narrowed to the chosen department."""
    return [i for i in scope_ids if unit_of[i] == f.unit_id] if f.unit_id else scope_ids


def _grid_ids(in_unit: list[int], f: Filters) -> list[int]:
    """The grids counted: the user's, narrowed to the chosen department and grid."""
    ids = in_unit
    if f.grid_id:
        ids = [f.grid_id] if f.grid_id in ids else []
    return ids


def report(user: User, f: Filters) -> Report:
    scope_ids = policy.scope_grid_ids(user)
    pg = on_postgresql()
    every_grid = (
        dict(db.session.execute(statements.department_grids(pg), {"grids": scope_ids}).all()) if scope_ids else {}
    )
    in_unit = _in_unit(scope_ids, every_grid, f)
    grid_ids = _grid_ids(in_unit, f)
    shape = statements.Shape(pg, bool(f.industry), bool(f.level))
    lo, hi = f.bounds()
    values = {
        "grids": grid_ids,
        "lo": lo,
        "hi": hi,
        "start": f.start,
        "end": f.end,
        "today": clock.today(),
        **({"industry": f.industry} if f.industry else {}),
        **({"level": f.level} if f.level else {}),
    }
    # Whole departments (a town officer's, a district's) have running tallies: everything but
    # this month's overdue comes from those. A scope small enough for one page (a town) adds
    # the grid breakdown, counted from its hazards by grid alone.
    unit_of = _whole_departments(grid_ids, every_grid) if len(grid_ids) > 1 else None
    if not grid_ids:
        out = Report(f, Figures(), None, months=[(m, 0, 0) for m in _months(f)])
    elif unit_of is not None:
        values["units"] = sorted(set(unit_of.values()))
        out = _from_tallies(shape, values, unit_of, f)
        if len(grid_ids) <= GRIDS_ON_ONE_PAGE or f.unit_id:
            out.by_department = False
            _count_grids(out, shape, values)
        if not (f.industry or f.level):
            out.median_days = _median_of_counts(db.session.execute(statements.close_days(pg), values).all())
        else:
            out.median_days = _median_days(shape, values)
    else:
        out = _from_hazards(shape, values, every_grid, f)
        out.median_days = _median_days(shape, values)
    for name in DIMENSIONS:
        out.breakdowns[name] = sorted(
            out.breakdowns.get(name, {}).items(), key=lambda item: (-item[1].found, str(item[0]))
        )
    if every_grid:
        named = {"grids": [] if out.by_department else in_unit, "units": sorted(set(every_grid.values()))}
        for unit_id, unit_name, grid_id, code, name in db.session.execute(statements.names_statement(pg), named):
            out.unit_names[unit_id] = unit_name
            if grid_id is not None:
                out.grids.append(GridChoice(grid_id, code, name))
    return out


def _count_grids(out: Report, shape: statements.Shape, values: dict) -> None:
    grids = out.breakdowns.setdefault("grid", {})
    for grid_id, *sums in db.session.execute(statements.grid_pass(*shape), values):
        figures = _figures(sums)
        if _counts_any(figures):
            grids[grid_id] = figures


def _from_hazards(shape: statements.Shape, values: dict, unit_of: dict[int, int], f: Filters) -> Report:
    """Every figure from the hazards themselves (a scope not made of whole departments)."""
    grouped, found_of, closed_of = statements.hazard_statements(*shape)
    out = Report(f, Figures(), None)
    for grid_id, industry, lvl, *sums in db.session.execute(grouped, values):
        _count_in(out, _figures(sums), grid=grid_id, org_unit=unit_of.get(grid_id), industry=industry, level=lvl)
    found, closed = _month_counts(found_of, values), _month_counts(closed_of, values)
    out.months = [(m, found.get(m, 0), closed.get(m, 0)) for m in _months(f)]
    return out


def _from_tallies(shape: statements.Shape, values: dict, unit_of: dict[int, int], f: Filters) -> Report:
    """Per department from the running tallies: one grouped pass for the breakdowns, one by
    month. Overdue now: the hazards under rectification with a deadline in a past month
    (tallied too) and those of this month's deadlines already passed (counted live: a few)."""
    rows_of, due_this_month_of, months_of = statements.tally_statements(*shape)
    values = {**values, "this_month": values["today"].replace(day=1)}
    out = Report(f, Figures(), None, by_department=True)
    for unit, industry_, lvl, found, confirmed, rejected, closed, confirmed_closed, past_due in db.session.execute(
        rows_of, values
    ):
        _count_in(
            out,
            Figures(int(found), int(confirmed), int(rejected), int(closed), int(past_due), int(confirmed_closed)),
            org_unit=unit,
            industry=industry_ or None,
            level=lvl,
        )
    per_unit: dict[tuple, int] = {}
    for grid_id, industry_, lvl, n in db.session.execute(due_this_month_of, values):
        key = (unit_of[grid_id], industry_, lvl)
        per_unit[key] = per_unit.get(key, 0) + int(n)
    for (unit, industry_, lvl), n in per_unit.items():
        _count_in(out, Figures(overdue=n), org_unit=unit, industry=industry_, level=lvl)
    months = {
        (m if isinstance(m, date) else date.fromisoformat(m)): (int(a), int(b))
        for m, a, b in db.session.execute(months_of, values)
    }
    out.months = [(m, *months.get(m, (0, 0))) for m in _months(f)]
    return out


def _counts_any(figures: Figures) -> bool:
    return bool(
        figures.found
        or figures.confirmed
        or figures.rejected
        or figures.closed
        or figures.overdue
        or figures.confirmed_closed
    )


def _count_in(out: Report, figures: Figures, **keys) -> None:
    """Add ``figures`` to the total and to the breakdowns named in ``keys`` (tallies left at
    zero, after an enterprise changed industry say, are no row)."""
    if not _counts_any(figures):
        return
    _add(out.total, figures)
    for name, key in keys.items():
        breakdown = out.breakdowns.setdefault(name, {})
        into = breakdown.get(key)
        if into is None:  # not setdefault: it would build a Figures for every row counted
            into = breakdown[key] = Figures()
        _add(into, figures)


def _month_counts(statement: sa.Select, values: dict) -> dict[date, int]:
    out = {}
    for month, n in db.session.execute(statement, values):
        day = month.date() if isinstance(month, datetime) else date.fromisoformat(month)
        out[day] = int(n)
    return out


def _add(into: Figures, more: Figures) -> None:
    # Spelled out: called ~3,600 times on a town's page, where a loop over the names with
    # getattr and setattr cost three times as much.
    into.found += more.found
    into.confirmed += more.confirmed
    into.rejected += more.rejected
    into.closed += more.closed
    into.overdue += more.overdue
    into.confirmed_closed += more.confirmed_closed


def names(report_: Report) -> dict[str, dict]:
    """Display names for the keys of each breakdown (the report's grids and departments hold them)."""
    return {
        "grid": {grid_id: name for grid_id, _code, name in report_.grids},
        "org_unit": report_.unit_names,
        "industry": {k: codes.label(codes.INDUSTRIES, k) for k, _ in report_.breakdowns.get("industry", [])},
        "level": {k: str(v) for k, v in hazards.LEVEL_LABELS.items()},
    }
