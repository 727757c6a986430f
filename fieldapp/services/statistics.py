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

import sqlalchemy as sa

from fieldapp import codes, policy
from fieldapp.db import db, in_ids, on_postgresql
from fieldapp.models import Enterprise, Grid, Hazard, HazardCloseDays, HazardTally, OrgUnit, User
from fieldapp.services import fields, hazards, workdays

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
    today = today or hazards.today()
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


def _grid_ids(user: User, f: Filters) -> list[int]:
    """The grids counted: the user's, narrowed to the chosen department or grid."""
    ids = policy.scope_grid_ids(user)
    if f.unit_id:
        ids = list(db.session.scalars(sa.select(Grid.id).where(in_ids(Grid.id, ids),
                                                              Grid.org_unit_id == f.unit_id).order_by(Grid.id)))
    if f.grid_id:
        ids = [f.grid_id] if f.grid_id in ids else []
    return ids


def _whole_departments(grid_ids: list[int]) -> dict[int, int] | None:
    """The department of each grid when ``grid_ids`` are all the grids of their departments,
    else None (a department only partly among them: only the hazards can say)."""
    wanted = set(grid_ids)
    rows = db.session.execute(sa.select(Grid.id, Grid.org_unit_id).where(Grid.org_unit_id.in_(
        sa.select(Grid.org_unit_id).where(in_ids(Grid.id, grid_ids))))).all()
    if any(grid_id not in wanted for grid_id, _unit in rows):
        return None
    return dict(rows)


def _base(grid_ids: list[int], f: Filters):
    """The scope and filter conditions, and apart the condition of touching the range (or being
    overdue now), which only the grouped pass needs."""
    lo, hi = f.bounds()
    conds = [in_ids(Hazard.grid_id, grid_ids)]
    if f.industry:
        conds.append(Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(Enterprise.industry == f.industry)))
    if f.level:
        conds.append(sa.func.coalesce(Hazard.level, Hazard.proposed_level) == f.level)
    touching = sa.or_(sa.and_(Hazard.created_at >= lo, Hazard.created_at < hi),
                      sa.and_(Hazard.closed_at >= lo, Hazard.closed_at < hi),
                      sa.and_(Hazard.confirmed_at >= lo, Hazard.confirmed_at < hi),
                      hazards.overdue_condition())
    return conds, touching


def _count(cond):
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def _months(f: Filters) -> list[date]:
    """First days of the months in the range."""
    out, month = [], f.start
    while month <= f.end:
        out.append(month)
        month = _add_months(month, 1)
    return out


def _sums(f: Filters):
    lo, hi = f.bounds()
    count = _count  # short, for the six figures below
    return (
        count(sa.and_(Hazard.created_at >= lo, Hazard.created_at < hi)).label("found"),
        count(sa.and_(Hazard.confirmed_at >= lo, Hazard.confirmed_at < hi)).label("confirmed"),
        count(sa.and_(Hazard.status == "rejected", Hazard.created_at >= lo, Hazard.created_at < hi)).label("rejected"),
        count(sa.and_(Hazard.closed_at >= lo, Hazard.closed_at < hi)).label("closed"),
        count(hazards.overdue_condition()).label("overdue"),
        count(sa.and_(Hazard.confirmed_at >= lo, Hazard.confirmed_at < hi, Hazard.closed_at.is_not(None)))
        .label("confirmed_closed"),
    )


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


def _figures(row) -> Figures:
    return Figures(*(int(v or 0) for v in row))


def _median_days(conds: list, f: Filters) -> float | None:
    """The median calendar days (China dates) from confirmation to closure of the hazards closed
    in the range."""
    lo, hi = f.bounds()
    closed = [*conds, Hazard.closed_at >= lo, Hazard.closed_at < hi, Hazard.confirmed_at.is_not(None)]
    if on_postgresql():
        def china_day(column):
            return sa.cast(column + sa.text("interval '8 hours'"), sa.Date)
        value = db.session.scalar(sa.select(sa.func.percentile_cont(0.5).within_group(
            china_day(Hazard.closed_at) - china_day(Hazard.confirmed_at))).where(*closed))
        return round(float(value), 1) if value is not None else None
    spans = db.session.execute(sa.select(Hazard.confirmed_at, Hazard.closed_at).where(*closed)).all()
    if not spans:
        return None
    return round(float(pystats.median(
        (b.astimezone(workdays.SHANGHAI).date() - a.astimezone(workdays.SHANGHAI).date()).days for a, b in spans)), 1)


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


def report(user: User, f: Filters) -> Report:
    grid_ids = _grid_ids(user, f)
    scope, touching = _base(grid_ids, f)
    # Whole departments (a town officer's, a district's) have running tallies: everything but
    # this month's overdue comes from those. A scope small enough for one page (a town) adds
    # the grid breakdown, counted from its hazards by grid alone.
    unit_of = _whole_departments(grid_ids) if len(grid_ids) > 1 else None
    if unit_of is not None:
        out = _from_tallies(unit_of, scope, f)
        if len(grid_ids) <= GRIDS_ON_ONE_PAGE or f.unit_id:
            out.by_department = False
            _count_grids(out, scope, touching, f)
    else:
        out = _from_hazards(scope, touching, f)
    if unit_of is not None and not (f.industry or f.level):
        d = HazardCloseDays
        out.median_days = _median_of_counts(db.session.execute(
            sa.select(d.days, sa.func.sum(d.n)).where(d.org_unit_id.in_(sorted(set(unit_of.values()))),
                                                      d.month >= f.start, d.month <= f.end)
            .group_by(d.days)).all())
    else:
        out.median_days = _median_days(scope, f)
    for name in DIMENSIONS:
        out.breakdowns[name] = sorted(out.breakdowns.get(name, {}).items(),
                                      key=lambda item: (-item[1].found, str(item[0])))
    return out


def _count_grids(out: Report, scope: list, touching, f: Filters) -> None:
    """The grid breakdown from one pass over the hazards grouped by grid alone: their grid index
    holds every column it counts (an index-only scan on PostgreSQL, no enterprise joined; a
    town's 40 grids: ~10 ms of SQL against ~20 for the full grouping by grid, industry and level)."""
    rows = db.session.execute(sa.select(Hazard.grid_id, *_sums(f)).where(*scope, touching)
                              .group_by(Hazard.grid_id)).all()
    grids = out.breakdowns.setdefault("grid", {})
    for grid_id, *sums in rows:
        figures = _figures(sums)
        if _counts_any(figures):
            grids[grid_id] = figures


def _from_hazards(scope: list, touching, f: Filters) -> Report:
    """One grouped pass over the hazards (by grid, industry and level) gives the total and every
    breakdown; two light passes count by month."""
    level = sa.func.coalesce(Hazard.level, Hazard.proposed_level)
    rows = db.session.execute(
        # EXPLAIN for a town (~15,000 hazards of 40 grids): the hazards read from their grid index
        # alone, hashed against the enterprises' industries read from theirs — cheaper than 15,000
        # index probes (migration 0017: 42 -> ~20 ms).
        sa.select(Hazard.grid_id, Enterprise.industry, level, *_sums(f)).select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id).where(*scope, touching)
        .group_by(Hazard.grid_id, Enterprise.industry, level)).all()
    unit_of = dict(db.session.execute(sa.select(Grid.id, Grid.org_unit_id).where(
        in_ids(Grid.id, {r[0] for r in rows}))).all()) if rows else {}
    out = Report(f, Figures(), None)
    for grid_id, industry, lvl, *sums in rows:
        _count_in(out, _figures(sums), grid=grid_id, org_unit=unit_of.get(grid_id), industry=industry,
                  level=lvl)
    lo, hi = f.bounds()
    found = _by_month(Hazard.created_at, scope, lo, hi)
    closed = _by_month(Hazard.closed_at, scope, lo, hi)
    out.months = [(m, found.get(m, 0), closed.get(m, 0)) for m in _months(f)]
    return out


def _tally_scope(unit_of: dict[int, int], f: Filters) -> list:
    t = HazardTally
    which = [t.org_unit_id.in_(sorted(set(unit_of.values())))]
    if f.industry:
        which.append(t.industry == f.industry)
    if f.level:
        which.append(t.level == f.level)
    return which


def _tally_months(unit_of: dict[int, int], f: Filters) -> list[tuple[date, int, int]]:
    """Found and closed per month in the range, from the tallies (one light pass)."""
    t = HazardTally
    months = {(m if isinstance(m, date) else date.fromisoformat(m)): (int(a), int(b)) for m, a, b in
              db.session.execute(sa.select(t.month, sa.func.sum(t.found), sa.func.sum(t.closed))
                                 .where(*_tally_scope(unit_of, f), t.month >= f.start, t.month <= f.end)
                                 .group_by(t.month)).all()}
    return [(m, *months.get(m, (0, 0))) for m in _months(f)]


def _from_tallies(unit_of: dict[int, int], scope: list, f: Filters) -> Report:
    """Per department from the running tallies: one grouped pass for the breakdowns, one by
    month. Overdue now: the hazards under rectification with a deadline in a past month
    (tallied too) and those of this month's deadlines already passed (counted live: a few)."""
    t = HazardTally
    which = _tally_scope(unit_of, f)
    in_range = [*which, t.month >= f.start, t.month <= f.end]
    this_month = hazards.today().replace(day=1)
    rows = db.session.execute(sa.select(
        t.org_unit_id, t.industry, t.level, *(sa.func.sum(c) for c in (
            t.found, t.confirmed, t.rejected, t.closed, t.confirmed_closed))).where(*in_range)
        .group_by(t.org_unit_id, t.industry, t.level)).all()
    past_due = db.session.execute(
        sa.select(t.org_unit_id, t.industry, t.level, sa.func.sum(t.rectifying_due))
        .where(*which, t.month < this_month).group_by(t.org_unit_id, t.industry, t.level)).all()
    industry = sa.select(Enterprise.industry).where(Enterprise.id == Hazard.enterprise_id).scalar_subquery()
    level = sa.func.coalesce(Hazard.level, Hazard.proposed_level)
    due_this_month = db.session.execute(
        sa.select(Hazard.grid_id, industry, level, sa.func.count())
        .where(*scope, hazards.overdue_condition(), Hazard.deadline >= this_month)
        .group_by(Hazard.grid_id, industry, level)).all()
    out = Report(f, Figures(), None, by_department=True)
    for unit, industry_, lvl, *counts in rows:
        _count_in(out, Figures(*(int(c) for c in counts[:4]), 0, int(counts[4])),
                  org_unit=unit, industry=industry_ or None, level=lvl)
    for unit, industry_, lvl, n in past_due:
        _count_in(out, Figures(overdue=int(n)), org_unit=unit, industry=industry_ or None, level=lvl)
    per_unit: dict[tuple, int] = {}
    for grid_id, industry_, lvl, n in due_this_month:
        key = (unit_of[grid_id], industry_, lvl)
        per_unit[key] = per_unit.get(key, 0) + int(n)
    for (unit, industry_, lvl), n in per_unit.items():
        _count_in(out, Figures(overdue=n), org_unit=unit, industry=industry_, level=lvl)
    out.months = _tally_months(unit_of, f)
    return out


def _counts_any(figures: Figures) -> bool:
    return bool(figures.found or figures.confirmed or figures.rejected or figures.closed or figures.overdue
                or figures.confirmed_closed)


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


def _by_month(column, scope: list, lo: datetime, hi: datetime) -> dict[date, int]:
    """Counts per China-time month. The stored UTC time is shifted by eight hours and truncated
    (China keeps no daylight saving): far cheaper per row than formatting in a time zone."""
    if on_postgresql():
        key = sa.func.date_trunc(sa.literal_column("'month'"), column + sa.text("interval '8 hours'"))
    else:
        key = sa.func.strftime(sa.literal_column("'%Y-%m-01'"), column, sa.literal_column("'+8 hours'"))
    rows = db.session.execute(sa.select(key, sa.func.count()).where(*scope, column >= lo, column < hi)
                              .group_by(key)).all()
    out = {}
    for month, n in rows:
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


def names(user: User, report_: Report) -> dict[str, dict]:
    """Display names for the keys of each breakdown."""
    grid_ids = [k for k, _ in report_.breakdowns.get("grid", []) if k is not None]
    unit_ids = [k for k, _ in report_.breakdowns.get("org_unit", []) if k is not None]
    grids = dict(db.session.execute(sa.select(Grid.id, Grid.name).where(in_ids(Grid.id, grid_ids))).all()) \
        if grid_ids else {}
    units = dict(db.session.execute(sa.select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(unit_ids))).all()) \
        if unit_ids else {}
    return {"grid": grids, "org_unit": units,
            "industry": {k: codes.label(codes.INDUSTRIES, k) for k, _ in report_.breakdowns.get("industry", [])},
            "level": {k: str(v) for k, v in hazards.LEVEL_LABELS.items()}}
