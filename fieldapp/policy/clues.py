"""Clues (seed 001 art. 19-20): who handles one, and what each person may do with it now. Who
reads which clue is ``records.clues``."""

from __future__ import annotations

from fieldapp import roles
from fieldapp.models import Clue, User
from fieldapp.models.clues import CLUE_OPEN
from fieldapp.policy.actions import can
from fieldapp.policy.scopes import holds

#: What a clue's handler may do; the inspector sent to check on site may only add a note.
HANDLING = ("assign", "task", "hazard", "note", "answer", "dismiss")


def handles(user: User, clue: Clue) -> bool:
    """Officers and admins of the jurisdiction, and the person it was assigned to."""
    if clue.assignee_id == user.id and user.active:
        return True
    return can(user, "clue.handle") and holds(user, clue.org_unit_id, roles.ENFORCEMENT_OFFICER, roles.ADMIN)


def allowed(user: User, clue: Clue) -> list[str]:
    """What ``user`` may do with ``clue`` now (the forms shown)."""
    if clue.status not in CLUE_OPEN:
        return []
    if handles(user, clue):
        return list(HANDLING)
    return ["note"] if clue.task_inspector_id == user.id else []
