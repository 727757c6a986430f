"""The hazard dashboards: their statements, built once per shape (see ``fieldapp.queries``)."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa

from fieldapp.db import in_ids
from fieldapp.models import Enterprise, Grid, Hazard, HazardCloseDays, HazardTally, OrgUnit
from fieldapp.queries import prebuilt
from fieldapp.queries.hazards import overdue_condition

# The statements are built once per database kind and choice of filters (``prebuilt``),
# their values bound when they run: building them and their cache keys on every request cost
# more of the page's CPU than running them. ``pg``: ``on_postgresql()``; ``industry`` and
# ``level``: whether the filter is chosen. Bound by name: ``grids`` (the grids counted),
# ``units`` (their departments), ``lo``/``hi`` (the range's UTC bounds), ``start``/``end`` (its
# first and last day), ``industry``, ``level``, ``today`` and ``this_month`` (China dates).
GRIDS, UNITS = sa.bindparam("grids", expanding=True), sa.bindparam("units", expanding=True)
LO, HI = sa.bindparam("lo"), sa.bindparam("hi")


class Shape(NamedTuple):
    """What a report's statements are built for (``prebuilt`` keys on it)."""

    pg: bool  # on_postgresql()
    industry: bool  # an industry is chosen
    level: bool  # a level is chosen


@prebuilt
def department_grids(pg: bool) -> sa.Select:
    """Every grid of the departments that hold some of ``grids``, with its department: whether
    the scope is made of whole departments, and which grids a department filter leaves."""
    return sa.select(Grid.id, Grid.org_unit_id).where(
        Grid.org_unit_id.in_(sa.select(Grid.org_unit_id).where(in_ids(Grid.id, GRIDS, pg)))
    )


@prebuilt
def names_statement(pg: bool) -> sa.Select:
    """The departments' names, with the grids to show of each (``grids``, none for a page by
    department) by code."""
    return (
        sa.select(OrgUnit.id, OrgUnit.name, Grid.id, Grid.code, Grid.name)
        .select_from(OrgUnit)
        .outerjoin(Grid, sa.and_(Grid.org_unit_id == OrgUnit.id, in_ids(Grid.id, GRIDS, pg)))
        .where(in_ids(OrgUnit.id, UNITS, pg))
        .order_by(Grid.code)
    )


def scope_conditions(pg: bool, industry: bool, level: bool) -> list:
    """The grids counted, and the filters chosen."""
    conds = [in_ids(Hazard.grid_id, GRIDS, pg)]
    if industry:
        conds.append(
            Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(Enterprise.industry == sa.bindparam("industry")))
        )
    if level:
        conds.append(sa.func.coalesce(Hazard.level, Hazard.proposed_level) == sa.bindparam("level"))
    return conds


def overdue():
    return overdue_condition(sa.bindparam("today", type_=sa.Date))


def touching():
    """Touching the range (or overdue now): what the grouped passes read."""
    return sa.or_(
        sa.and_(Hazard.created_at >= LO, Hazard.created_at < HI),
        sa.and_(Hazard.closed_at >= LO, Hazard.closed_at < HI),
        sa.and_(Hazard.confirmed_at >= LO, Hazard.confirmed_at < HI),
        overdue(),
    )


def count_of(cond):
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def sums():
    count = count_of  # short, for the six figures below
    return (
        count(sa.and_(Hazard.created_at >= LO, Hazard.created_at < HI)).label("found"),
        count(sa.and_(Hazard.confirmed_at >= LO, Hazard.confirmed_at < HI)).label("confirmed"),
        count(sa.and_(Hazard.status == "rejected", Hazard.created_at >= LO, Hazard.created_at < HI)).label("rejected"),
        count(sa.and_(Hazard.closed_at >= LO, Hazard.closed_at < HI)).label("closed"),
        count(overdue()).label("overdue"),
        count(sa.and_(Hazard.confirmed_at >= LO, Hazard.confirmed_at < HI, Hazard.closed_at.is_not(None))).label(
            "confirmed_closed"
        ),
    )


@prebuilt
def median_statement(pg: bool, industry: bool, level: bool) -> sa.Select:
    closed = [
        *scope_conditions(pg, industry, level),
        Hazard.closed_at >= LO,
        Hazard.closed_at < HI,
        Hazard.confirmed_at.is_not(None),
    ]
    if pg:

        def china_day(column):
            return sa.cast(column + sa.text("interval '8 hours'"), sa.Date)

        return sa.select(
            sa.func.percentile_cont(0.5).within_group(china_day(Hazard.closed_at) - china_day(Hazard.confirmed_at))
        ).where(*closed)
    return sa.select(Hazard.confirmed_at, Hazard.closed_at).where(*closed)


@prebuilt
def close_days(pg: bool) -> sa.Select:
    d = HazardCloseDays
    return (
        sa.select(d.days, sa.func.sum(d.n))
        .where(in_ids(d.org_unit_id, UNITS, pg), d.month >= sa.bindparam("start"), d.month <= sa.bindparam("end"))
        .group_by(d.days)
    )


@prebuilt
def grid_pass(pg: bool, industry: bool, level: bool) -> sa.Select:
    """The grid breakdown from one pass over the hazards grouped by grid alone: their grid index
    holds every column it counts (an index-only scan on PostgreSQL, no enterprise joined; a
    town's 40 grids: ~10 ms of SQL against ~20 for the full grouping by grid, industry and level)."""
    return (
        sa.select(Hazard.grid_id, *sums())
        .where(*scope_conditions(pg, industry, level), touching())
        .group_by(Hazard.grid_id)
    )


@prebuilt
def hazard_statements(pg: bool, industry: bool, level: bool) -> tuple[sa.Select, sa.Select, sa.Select]:
    """One grouped pass over the hazards (by grid, industry and level), and the found and closed
    by month."""
    scope = scope_conditions(pg, industry, level)
    level_of = sa.func.coalesce(Hazard.level, Hazard.proposed_level)
    grouped = (
        # EXPLAIN for a town (~15,000 hazards of 40 grids): the hazards read from their grid index
        # alone, hashed against the enterprises' industries read from theirs — cheaper than 15,000
        # index probes (migration 0017: 42 -> ~20 ms).
        sa.select(Hazard.grid_id, Enterprise.industry, level_of, *sums())
        .select_from(Hazard)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(*scope, touching())
        .group_by(Hazard.grid_id, Enterprise.industry, level_of)
    )
    return grouped, by_month(pg, Hazard.created_at, scope), by_month(pg, Hazard.closed_at, scope)


@prebuilt
def tally_statements(pg: bool, industry: bool, level: bool) -> tuple[sa.Select, sa.Select, sa.Select]:
    """Per department from the running tallies: the breakdowns in the range with the overdue of
    past months' deadlines (one pass), this month's overdue counted live (a few), and the range
    by month."""
    t = HazardTally
    which = [in_ids(t.org_unit_id, UNITS, pg)]
    if industry:
        which.append(t.industry == sa.bindparam("industry"))
    if level:
        which.append(t.level == sa.bindparam("level"))
    in_range = sa.and_(t.month >= sa.bindparam("start"), t.month <= sa.bindparam("end"))
    this_month = sa.bindparam("this_month", type_=sa.Date)
    past = t.month < this_month
    rows = (
        sa.select(
            t.org_unit_id,
            t.industry,
            t.level,
            *(
                sa.func.sum(sa.case((in_range, c), else_=0))
                for c in (t.found, t.confirmed, t.rejected, t.closed, t.confirmed_closed)
            ),
            sa.func.sum(sa.case((past, t.rectifying_due), else_=0)),
        )
        .where(*which, sa.or_(in_range, past))
        .group_by(t.org_unit_id, t.industry, t.level)
    )
    industry_of = sa.select(Enterprise.industry).where(Enterprise.id == Hazard.enterprise_id).scalar_subquery()
    level_of = sa.func.coalesce(Hazard.level, Hazard.proposed_level)
    due_this_month = (
        sa.select(Hazard.grid_id, industry_of, level_of, sa.func.count())
        .where(*scope_conditions(pg, industry, level), overdue(), Hazard.deadline >= this_month)
        .group_by(Hazard.grid_id, industry_of, level_of)
    )
    months = sa.select(t.month, sa.func.sum(t.found), sa.func.sum(t.closed)).where(*which, in_range).group_by(t.month)
    return rows, due_this_month, months


def by_month(pg: bool, column, scope: list) -> sa.Select:
    """Counts per China-time month. The stored UTC time is shifted by eight hours and truncated
    (China keeps no daylight saving): far cheaper per row than formatting in a time zone."""
    if pg:
        key = sa.func.date_trunc(sa.literal_column("'month'"), column + sa.text("interval '8 hours'"))
    else:
        key = sa.func.strftime(sa.literal_column("'%Y-%m-01'"), column, sa.literal_column("'+8 hours'"))
    return sa.select(key, sa.func.count()).where(*scope, column >= LO, column < HI).group_by(key)
