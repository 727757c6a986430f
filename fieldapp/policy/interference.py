"""Records of leaders' interference (seed 003): who may add to one. Who reads which is
``records.interference``: the recorder and the department's discipline inspectors, nobody else."""

from __future__ import annotations

from fieldapp import roles
from fieldapp.models import InterferenceRecord, User
from fieldapp.policy.scopes import holds


def may_supplement(user: User, row: InterferenceRecord) -> bool:
    """Later facts are appended by the person who recorded it, and only by them."""
    return row.recorder_id == user.id


def may_follow_up(user: User, row: InterferenceRecord) -> bool:
    """Verification, handling and referral are the steps of the discipline inspectors of the
    department it was sent to."""
    return holds(user, row.org_unit_id, roles.DISCIPLINE_INSPECTOR)
