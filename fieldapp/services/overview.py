"""The figures on each role's home page, all counted inside the user's scope."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import policy, roles
from fieldapp.db import db
from fieldapp.models import Enterprise, Grid, InspectorGrid, OutboundMessage, User, UserRole


def inspector_grids(user: User) -> list[dict]:
    """The inspector's grids, each with its enterprise counts by status."""
    rows = db.session.execute(_GRID_COUNTS, {"user_id": user.id}).all()
    grids: dict[int, dict] = {}
    for grid, status, count in rows:
        entry = grids.setdefault(grid.id, {"grid": grid, "total": 0, "by_status": {}})
        if status is not None:
            entry["by_status"][status] = count
            entry["total"] += count
    return list(grids.values())


#: Built once: the inspector's home page asks on every visit.
_GRID_COUNTS = (
    sa.select(Grid, Enterprise.status, sa.func.count(Enterprise.id))
    .join(Enterprise, Enterprise.grid_id == Grid.id, isouter=True)
    .where(Grid.id.in_(sa.select(InspectorGrid.grid_id).where(InspectorGrid.user_id == sa.bindparam("user_id"))))
    .group_by(Grid.id, Enterprise.status)
    .order_by(Grid.code)
)


def jurisdiction_counts(user: User) -> dict[str, int]:
    grids = db.session.scalar(sa.select(sa.func.count()).select_from(policy.grid_scope(user).subquery()))
    enterprises = db.session.scalar(sa.select(sa.func.count()).select_from(policy.enterprise_scope(user).subquery()))
    return {"grids": grids, "enterprises": enterprises}


def admin_counts(user: User) -> dict[str, object]:
    managed = policy.user_scope(user).subquery()
    active = db.session.scalar(sa.select(sa.func.count()).select_from(managed).where(managed.c.active.is_(True)))
    disabled = db.session.scalar(sa.select(sa.func.count()).select_from(managed).where(managed.c.active.is_(False)))
    by_role = dict(
        db.session.execute(
            sa.select(UserRole.role, sa.func.count())
            .where(UserRole.user_id.in_(sa.select(managed.c.id)))
            .group_by(UserRole.role)
        ).all()
    )
    units = db.session.scalar(sa.select(sa.func.count()).select_from(policy.org_unit_scope(user).subquery()))
    pending = db.session.scalar(
        sa.select(sa.func.count(Enterprise.id)).where(
            policy.enterprise_condition(user), Enterprise.pending_review.is_(True)
        )
    )
    # Messages out of the app given up on: the admin sends them again (/admin/outbox).
    failed = db.session.scalar(
        sa.select(sa.func.count(OutboundMessage.id)).where(
            policy.outbound_condition(user), OutboundMessage.status == "dead"
        )
    )
    return {
        "users_active": active,
        "users_disabled": disabled,
        "messages_failed": failed,
        "by_role": by_role,
        "org_units": units,
        "pending_review": pending,
        **jurisdiction_counts(user),
    }


def jurisdiction_names(user: User) -> list[str]:
    """The departments a user's jurisdiction covers — only a role that works in one has it
    (roles.JURISDICTION_ROLES): an inspector's or a company's home page asks nothing."""
    if not user.has_role(*roles.JURISDICTION_ROLES):
        return []
    return [u.name for u in user.jurisdictions]
