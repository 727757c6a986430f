"""Bimonthly coverage: its statements, built once per database kind (see ``fieldapp.queries``)."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp.db import in_ids
from fieldapp.models import Enterprise, Grid, Inspection, InspectorGrid, OrgUnit, User
from fieldapp.queries import prebuilt

#: Enterprises that must be patrolled (also the patrol list's).
DUE_STATUSES = ("active", "new", "suspended")


def covered_between(enterprise, lo, hi):
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


#: The grids and the period bound when it runs: building the statement and its cache key on each
#: request cost more CPU than running it. ``array``: ``on_postgresql()`` (``db.in_ids``).
@prebuilt
def by_grid_statement(array: bool) -> sa.Select:
    grids = sa.bindparam("grids", expanding=True)
    covered = sa.case((covered_between(Enterprise, sa.bindparam("lo"), sa.bindparam("hi")), 1), else_=0)
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


@prebuilt
def by_inspector_statements(array: bool) -> tuple[sa.Select, sa.Select, sa.Select]:
    """``by_inspector``'s three statements, built once (as ``by_grid_statement``): who serves the
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


#: Built once (the inspector's home page asks on every visit); the user and period are bound.
#: Only the columns the list shows: up to 300 enterprises of thirty columns each would cost the
#: driver and the ORM for nothing. Reading another one raises.
STILL_TO_VISIT = (
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
        ~covered_between(Enterprise, sa.bindparam("lo"), sa.bindparam("hi")),
    )
    .order_by(Enterprise.name)
    .limit(300)
)
