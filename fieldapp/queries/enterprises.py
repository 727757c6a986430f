"""The enterprise list and the enterprise page: their statements, built once (see ``fieldapp.queries``)."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.models import Enterprise, Grid, Hazard, RiskPoint
from fieldapp.policy.hazards import scope_condition as hazard_scope_condition
from fieldapp.queries import prebuilt
from fieldapp.queries.paging import rows_statement

#: The list page's rows: only the columns the list shows (an enterprise has thirty; each costs the
#: driver and the ORM per row). Reading another one raises.
LIST_ROWS = rows_statement(
    Enterprise,
    sa.orm.load_only(
        Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.status, Enterprise.pending_review, raiseload=True
    ),
    sa.orm.joinedload(Enterprise.grid).load_only(Grid.id, Grid.name, raiseload=True),
)


@prebuilt
def page_statement(shape: policy.Shape) -> sa.Select:
    """One enterprise (bound as ``id``) in a scope of this shape, with its grid and the grid's
    department, which the page names: loaded with the enterprise, not after it."""
    return (
        sa.select(Enterprise)
        .where(policy.enterprise_condition_of(shape), Enterprise.id == sa.bindparam("id"))
        .options(sa.orm.joinedload(Enterprise.grid).joinedload(Grid.org_unit))
    )


@prebuilt
def file_hazards_statement(shape: policy.Shape) -> sa.Select:
    # Only what the list shows (as inspections.for_enterprise).
    return (
        sa.select(Hazard)
        .where(hazard_scope_condition(shape), Hazard.enterprise_id == sa.bindparam("enterprise_id"))
        .options(
            sa.orm.load_only(
                Hazard.id,
                Hazard.place,
                Hazard.description,
                Hazard.required_measures,
                Hazard.level,
                Hazard.proposed_level,
                Hazard.status,
                Hazard.deadline,
                Hazard.created_at,
                raiseload=True,
            )
        )
        .order_by(
            Hazard.status.in_(("closed", "rejected")),
            Hazard.deadline.is_(None),
            Hazard.deadline,
            Hazard.created_at.desc(),
        )
        .limit(50)
    )


def search_conditions(shape: policy.Shape, given: frozenset[str]) -> list:
    """The search's conditions, with bind parameters for the values (``_binding``)."""
    conds = [policy.enterprise_condition_of(shape)]
    if "q" in given:
        conds.append(
            sa.or_(
                Enterprise.name.like(sa.bindparam("q"), escape="\\"),
                Enterprise.uscc.like(sa.bindparam("q_upper"), escape="\\"),
            )
        )
    for name in ("grid", "status", "industry", "risk_grade"):
        if name in given:
            conds.append(getattr(Enterprise, "grid_id" if name == "grid" else name) == sa.bindparam(name))
    if "pending" in given:
        conds.append(Enterprise.pending_review.is_(True))
    return conds


@prebuilt
def search_statements(shape: policy.Shape, given: frozenset[str]) -> tuple[sa.Select, sa.Select, sa.Select]:
    """The list page's statements for a set of conditions, built once: every match's (id, name)
    for a text search; otherwise the count, and one page of ids along the name index."""
    conds = search_conditions(shape, given)
    return (
        sa.select(Enterprise.id, Enterprise.name).where(*conds),
        sa.select(sa.func.count(Enterprise.id)).where(*conds),
        sa.select(Enterprise.id)
        .where(*conds)
        .order_by(Enterprise.name, Enterprise.id)
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset")),
    )


@prebuilt
def risk_points_statement(active_only: bool) -> sa.Select:
    # Built once (the enterprise page asks each time): reddest first.
    query = sa.select(RiskPoint).where(RiskPoint.enterprise_id == sa.bindparam("enterprise_id"))
    if active_only:
        query = query.where(RiskPoint.active.is_(True))
    order = sa.case({"red": 0, "orange": 1, "yellow": 2, "blue": 3}, value=RiskPoint.risk_level)
    return query.order_by(order, RiskPoint.place, RiskPoint.id)
