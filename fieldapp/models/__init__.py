"""All tables, one module per area. Importing this package registers them all."""
from fieldapp.models.org import Grid, OrgUnit
from fieldapp.models.enterprises import Enterprise
from fieldapp.models.people import (
    CompanyManager,
    InspectorGrid,
    LoginAttempt,
    User,
    UserOrgUnit,
    UserRole,
    UserSession,
)

__all__ = [
    "CompanyManager",
    "Enterprise",
    "Grid",
    "InspectorGrid",
    "LoginAttempt",
    "OrgUnit",
    "User",
    "UserOrgUnit",
    "UserRole",
    "UserSession",
]
