"""What the hazard pages read: the filtered list, one hazard with its timeline, a step's file,
the user's notifications."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import db, load_collection, transaction
from fieldapp.models import Hazard, HazardEvent, MediaFile, Notification, User
from fieldapp.queries import hazards as statements
from fieldapp.queries.paging import Page, paginate_bound
from fieldapp.services import hazards


def tabs_for(user: User) -> list[str]:
    """The list's tabs for ``user``'s roles, the work of each first."""
    tabs = []
    if user.has_role(roles.ENFORCEMENT_OFFICER):
        tabs += ["to_confirm", "overdue", "to_close"]
    if user.has_role(*roles.INSPECTORS):
        tabs += ["to_recheck", "mine"]
    if user.has_role(roles.COMPANY_MANAGER):
        tabs += ["to_rectify"]
    if user.has_role(roles.ADMIN):
        tabs += ["overdue"]
    tabs += ["open", "all"]
    return list(dict.fromkeys(tabs))


def listing(user: User, tab: str, filters: dict) -> statements.Listing:
    """The list of ``tab`` (one of ``tabs_for(user)``) with ``filters`` (status, level, grid,
    industry, before: each checked by the caller), in ``user``'s scope."""
    shape, values = policy.scope_binding(user)
    return statements.Listing((shape, tab, frozenset(filters)), {**values, **filters, "today": clock.today()})


def list_page(listing: statements.Listing, page: int, per_page: int) -> Page:
    return paginate_bound(listing.key, listing.build, listing.values, page, per_page, *statements.LIST_LOADS)


def grid_choices(user: User) -> list[sa.Row]:
    """The grids to filter by (none for a company manager, who sees one enterprise)."""
    if user.has_role(roles.COMPANY_MANAGER) and len(user.roles) == 1:
        return []
    return policy.scope_grids(user)


def for_page(user: User, hazard_id) -> Hazard:
    """The hazard with all its page shows, in two statements built once: the hazard with its
    photos and the people and record it names, then its timeline. (By selectinload, the photos,
    steps and the steps' photos and files were four more round trips; the CPU is about the same
    either way, the round trips count where PostgreSQL is on another machine.)"""
    shape, values = policy.scope_binding(user)
    h = policy.get_prebuilt(statements.page_statement(shape), values, hazard_id)
    load_collection(h, "events", statements.TIMELINE)
    return h


def event_file(user: User, event_id: int, media_id: int) -> MediaFile | None:
    """A document attached to a step of a hazard ``user`` sees (None: not found or not theirs)."""
    # One query, the scope joined: a step of another grid costs what a missing one does.
    event = db.session.scalar(
        hazards.scope(user)
        .with_only_columns(HazardEvent)
        .select_from(Hazard)
        .join(HazardEvent, HazardEvent.hazard_id == Hazard.id)
        .where(HazardEvent.id == event_id)
    )
    if event is None:
        return None
    return next((m for m in event.files if m.id == media_id), None)


def notifications_of(user: User) -> list[Notification]:
    """``user``'s latest 100 notifications, newest first."""
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id)
            .options(sa.orm.joinedload(Notification.hazard).joinedload(Hazard.enterprise))
            .order_by(Notification.id.desc())
            .limit(100)
        )
    )


@transaction
def open_notification(user: User, notification_id: int) -> Notification | None:
    """Mark one of ``user``'s notifications read (None: not theirs)."""
    row = db.session.scalar(
        sa.select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if row is None:
        return None
    row.read_at = row.read_at or clock.now()
    db.session.commit()
    return row


@transaction
def read_all(user: User) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.commit()
