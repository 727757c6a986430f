"""Who may do what to which object, and what each user may see — every rule of it here, one module
per area, and nothing else: the policy imports no service (services ask it, never the other way
round; tests/test_boundaries.py holds that).

- ``actions``: the roles each action needs, and ``can(user, action, obj)`` / ``require``, the one
  entry views and services ask (with an object, that object's own rule: its scope, a hazard's step);
- ``scopes``: the scopes every list starts from and every object is fetched through (grids,
  departments, enterprises, people), and the shapes busy pages build their statements for;
- ``hazards``: who sees which hazard, and the loop's steps — who may take which, when;
- ``inspections``: who reads which record, who may inspect an enterprise now;
- ``recusal``: a declared interest bars the declarer (inspections, hazard decisions, re-checks);
- ``clues``: who handles a clue and what each may do with it now;
- ``interference``: who may add to a record of leaders' interference;
- ``records``: clues, bulletins, campaigns, declarations, interference records.

The names most code needs are here too: ``policy.can``, ``policy.enterprise_scope``, …
"""

from fieldapp.policy import clues, hazards, inspections, interference, records, recusal
from fieldapp.policy.actions import ACTION_ROLES, can, require
from fieldapp.policy.scopes import (
    ENTERPRISE_JURISDICTION_ROLES,
    SCOPE_GRIDS,
    SCOPE_USER,
    STAFF_ROLES,
    Shape,
    clue_condition,
    enterprise_condition,
    enterprise_condition_of,
    enterprise_scope,
    get_enterprise,
    get_grid,
    get_in_scope,
    get_managed_user,
    get_prebuilt,
    grid_condition,
    grid_scope,
    holders,
    holds,
    interference_condition,
    managed_unit,
    org_ids_of,
    org_unit_condition,
    org_unit_scope,
    outbound_condition,
    scope_binding,
    scope_grid_ids,
    scope_grids,
    serves_grid,
    user_scope,
)

__all__ = [
    "ACTION_ROLES",
    "clues",
    "ENTERPRISE_JURISDICTION_ROLES",
    "SCOPE_GRIDS",
    "SCOPE_USER",
    "STAFF_ROLES",
    "Shape",
    "can",
    "clue_condition",
    "enterprise_condition",
    "enterprise_condition_of",
    "enterprise_scope",
    "get_enterprise",
    "get_grid",
    "get_in_scope",
    "get_managed_user",
    "get_prebuilt",
    "grid_condition",
    "grid_scope",
    "hazards",
    "holders",
    "holds",
    "inspections",
    "interference",
    "interference_condition",
    "managed_unit",
    "org_ids_of",
    "org_unit_condition",
    "org_unit_scope",
    "outbound_condition",
    "recusal",
    "records",
    "require",
    "scope_binding",
    "scope_grid_ids",
    "scope_grids",
    "serves_grid",
    "user_scope",
]
