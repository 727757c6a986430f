"""Who reads which of the department's other records: clues, bulletins, campaigns, declarations
of interest, interference records."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp.errors import Forbidden
from fieldapp.i18n import gettext as _
from fieldapp.models import (
    Bulletin,
    Campaign,
    Clue,
    InterestDeclaration,
    InterferenceRecord,
    OrgUnit,
    User,
    UserOrgUnit,
)
from fieldapp.policy import scopes
from fieldapp.policy.actions import can


def clues(user: User) -> sa.Select:
    """Clues a user may read: handlers' jurisdiction, the inspector a site check was
    given to, the assignee, and a supervisor's own."""
    return sa.select(Clue).where(scopes.clue_condition(user))


def bulletins(user: User) -> sa.Select:
    """Bulletins of the units a reader's jurisdiction lies in or holds: a town's supervisor reads
    the district's bulletins and the town's own."""
    if not can(user, "bulletin.view"):
        raise Forbidden(_("您没有权限执行此操作。"))
    mine = sa.orm.aliased(OrgUnit)
    related = (
        sa.select(OrgUnit.id)
        .join(
            mine,
            sa.or_(
                mine.path.startswith(OrgUnit.path, autoescape=False),
                OrgUnit.path.startswith(mine.path, autoescape=False),
            ),
        )
        .join(UserOrgUnit, UserOrgUnit.org_unit_id == mine.id)
        .where(UserOrgUnit.user_id == user.id)
    )
    return sa.select(Bulletin).where(Bulletin.org_unit_id.in_(related))


def campaigns(admin: User) -> sa.Select:
    """Campaigns of the departments ``admin`` administers."""
    return sa.select(Campaign).where(
        Campaign.org_unit_id.in_(scopes.org_unit_scope(admin).with_only_columns(OrgUnit.id))
    )


def declarations(admin: User) -> sa.Select:
    """Declarations of the people an admin manages."""
    return (
        sa.select(InterestDeclaration)
        .join(User, User.id == InterestDeclaration.user_id)
        .where(User.id.in_(scopes.user_scope(admin).with_only_columns(User.id)))
    )


def interference(user: User) -> sa.Select:
    """Interference records a user may read: their own, and — for discipline inspectors — those
    sent to a department in their jurisdiction. Nobody else, admins included."""
    return sa.select(InterferenceRecord).where(scopes.interference_condition(user))
