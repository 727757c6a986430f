"""The hazard list and the hazard page: their statements, built once per shape (see
``fieldapp.queries``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from fieldapp import clock, policy
from fieldapp.models import Enterprise, Hazard, HazardEvent, User
from fieldapp.policy import hazards as rules
from fieldapp.queries import prebuilt


def overdue_condition(on: date | None = None, model=Hazard):
    """Rectifying past the deadline on ``on`` (a date, a parameter bound later, or today)."""
    return sa.and_(model.status.in_(rules.RECTIFYING), model.deadline < (clock.today() if on is None else on))


#: The list reads only what it shows: each column read costs the driver and the ORM per row, and
#: an enterprise has thirty. Reading another one raises instead of quietly asking once per row.
LIST_LOADS = (
    sa.orm.load_only(
        Hazard.id,
        Hazard.place,
        Hazard.description,
        Hazard.level,
        Hazard.proposed_level,
        Hazard.status,
        Hazard.deadline,
        Hazard.created_at,
        raiseload=True,
    ),
    sa.orm.joinedload(Hazard.enterprise).load_only(Enterprise.id, Enterprise.name, raiseload=True),
    sa.orm.joinedload(Hazard.reporter).load_only(User.id, User.display_name, raiseload=True),
)
#: Tabs of the list: the condition of each (the user and today are bound when the list runs).
TABS = {
    "to_confirm": Hazard.status == "reported",
    "overdue": overdue_condition(sa.bindparam("today")),
    "to_close": Hazard.status == "awaiting_closure",
    "to_rectify": Hazard.status.in_(rules.RECTIFYING),
    "to_recheck": Hazard.status == "awaiting_recheck",
    "mine": Hazard.reporter_id == policy.SCOPE_USER,
    "open": Hazard.status.in_(rules.OPEN),
    "all": sa.true(),
}


@dataclass(frozen=True)
class Listing:
    """The list as filtered on the page: its statement's shape (built once per ``key``) and values."""

    key: tuple
    values: dict

    def build(self) -> sa.Select:
        return list_statement(*self.key)

    def query(self) -> sa.Select:
        """The statement with its values in it, for the export."""
        return self.build().params(self.values)


@prebuilt
def list_statement(shape: policy.Shape, tab: str, filters: frozenset[str]) -> sa.Select:
    """The list's statement for a scope shape, tab and set of filters."""
    query = sa.select(Hazard).where(rules.scope_condition(shape), TABS[tab])
    if "status" in filters:
        query = query.where(Hazard.status == sa.bindparam("status"))
    if "level" in filters:
        query = query.where(sa.func.coalesce(Hazard.level, Hazard.proposed_level) == sa.bindparam("level"))
    if "grid" in filters:
        query = query.where(
            Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(Enterprise.grid_id == sa.bindparam("grid")))
        )
    if "industry" in filters:
        query = query.where(
            Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(Enterprise.industry == sa.bindparam("industry")))
        )
    if "before" in filters:
        query = query.where(Hazard.deadline <= sa.bindparam("before"))
    # The officer's queue: major first, oldest first; otherwise the nearest deadline first.
    if tab == "to_confirm":
        order = (sa.case((Hazard.proposed_level == "major", 0), else_=1), Hazard.created_at, Hazard.id)
    elif tab in ("overdue", "to_rectify"):  # these always have a deadline: most overdue first
        order = (Hazard.deadline, Hazard.id)
    else:
        order = (Hazard.deadline.is_(None), Hazard.deadline, Hazard.created_at.desc(), Hazard.id)
    return query.order_by(*order)


@prebuilt
def page_statement(shape: policy.Shape) -> sa.Select:
    """One hazard (bound as ``id``) with the photos, people and record its page names."""
    return (
        sa.select(Hazard)
        .where(rules.scope_condition(shape), Hazard.id == sa.bindparam("id"))
        .options(
            sa.orm.joinedload(Hazard.enterprise),
            sa.orm.joinedload(Hazard.reporter),
            sa.orm.joinedload(Hazard.officer),
            sa.orm.joinedload(Hazard.inspection),
            sa.orm.joinedload(Hazard.photos),
        )
    )


#: The steps in their relationship's order, each with its actor, photos and files (a few rows a
#: step: steps carry a handful of attachments at most).
TIMELINE = (
    sa.select(HazardEvent)
    .where(HazardEvent.hazard_id == sa.bindparam("id"))
    .order_by(HazardEvent.id)
    .options(
        sa.orm.joinedload(HazardEvent.actor),
        sa.orm.joinedload(HazardEvent.photos),
        sa.orm.joinedload(HazardEvent.files),
    )
)


@prebuilt
def work_counts_statement(shape: policy.Shape) -> sa.Select:
    """How many hazards of a scope wait on each kind of work (one row; ``today`` bound)."""

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    h = sa.select(Hazard.status, Hazard.deadline).where(rules.scope_condition(shape)).subquery().c
    return sa.select(
        count(h.status == "reported").label("to_confirm"),
        count(overdue_condition(sa.bindparam("today"), model=h)).label("overdue"),
        count(h.status == "awaiting_closure").label("to_close"),
        count(h.status.in_(rules.RECTIFYING)).label("to_rectify"),
        count(h.status == "awaiting_recheck").label("to_recheck"),
        count(h.status.in_(rules.OPEN)).label("open"),
    )


def waiting_counts() -> dict[str, int]:
    """Across every scope, how many hazards wait on each kind of work (for /metrics): one count per
    queue, each an index range on (status, deadline), not one pass over every hazard."""
    from fieldapp.db import db

    queues = {
        "to_confirm": Hazard.status == "reported",
        "overdue": overdue_condition(),
        "to_recheck": Hazard.status == "awaiting_recheck",
        "to_close": Hazard.status == "awaiting_closure",
    }
    return {
        queue: db.session.scalar(sa.select(sa.func.count()).select_from(Hazard).where(condition))
        for queue, condition in queues.items()
    }
