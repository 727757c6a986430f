"""The roles of the product (see shared/DOMAIN.md "Who uses it").

Identifiers are stable API values (used in the database, JSON and scripts);
labels are translatable.
"""

from __future__ import annotations

from fieldapp.i18n import lazy_gettext as _l

GRID_INSPECTOR = "grid_inspector"
TECHNICAL_INSPECTOR = "technical_inspector"
ENFORCEMENT_OFFICER = "enforcement_officer"
COMPANY_MANAGER = "company_manager"
SOCIAL_SUPERVISOR = "social_supervisor"
ADMIN = "admin"
DISCIPLINE_INSPECTOR = "discipline_inspector"

#: Order matters: it is the order of sections on a multi-role home page.
ALL = (
    GRID_INSPECTOR,
    TECHNICAL_INSPECTOR,
    ENFORCEMENT_OFFICER,
    COMPANY_MANAGER,
    SOCIAL_SUPERVISOR,
    ADMIN,
    DISCIPLINE_INSPECTOR,
)

#: Roles that patrol grids in the field.
INSPECTORS = frozenset({GRID_INSPECTOR, TECHNICAL_INSPECTOR})
#: Roles whose scope is an org-unit subtree (their jurisdiction).
JURISDICTION_ROLES = frozenset({ENFORCEMENT_OFFICER, ADMIN, DISCIPLINE_INSPECTOR, SOCIAL_SUPERVISOR})
#: Roles that see the field layout (bottom navigation).
FIELD_ROLES = INSPECTORS | {COMPANY_MANAGER, SOCIAL_SUPERVISOR}

LABELS = {
    GRID_INSPECTOR: _l("网格员"),
    TECHNICAL_INSPECTOR: _l("技术检查员"),
    ENFORCEMENT_OFFICER: _l("执法人员"),
    COMPANY_MANAGER: _l("企业安全负责人"),
    SOCIAL_SUPERVISOR: _l("社会监督员"),
    ADMIN: _l("部门管理员"),
    DISCIPLINE_INSPECTOR: _l("纪检监察"),
}


def label(role: str) -> str:
    return str(LABELS.get(role, role))
