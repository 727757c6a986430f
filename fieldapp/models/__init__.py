"""All tables, one module per area. Importing this package registers them all."""
from fieldapp.models.accountability import (
    Bulletin,
    Clue,
    ClueEvent,
    Holiday,
    InterferenceFollowUp,
    InterferenceRecord,
    InterferenceSupplement,
    Portrait,
    ThrottleHit,
    UsedToken,
)
from fieldapp.models.audit import AuditEvent, AuditHead, ReadLog
from fieldapp.models.campaigns import Campaign, CampaignTarget
from fieldapp.models.corps import (
    Assessment,
    AssessmentItem,
    Equipment,
    InspectorRecord,
    LeaveRequest,
    TrainingAttendance,
    TrainingSession,
    WorkIdIssue,
)
from fieldapp.models.enterprises import Enterprise, EnterpriseChange
from fieldapp.models.imports import ImportBatch
from fieldapp.models.inspections import (
    ChecklistItem,
    ChecklistTemplate,
    Hazard,
    HazardEvent,
    Inspection,
    InspectionPhoto,
    InterestDeclaration,
    ItemResult,
    Photo,
)
from fieldapp.models.media import ClientMedia, MediaFile
from fieldapp.models.notifications import Notification
from fieldapp.models.org import Grid, OrgUnit
from fieldapp.models.people import (
    CompanyManager,
    InspectorGrid,
    LoginAttempt,
    User,
    UserOrgUnit,
    UserRole,
    UserSession,
)
from fieldapp.models.selfcheck import PatrolFinding, RiskPoint, SelfCheck, SelfCheckItem
from fieldapp.models.tallies import HazardCloseDays, HazardTally

__all__ = [
    "Campaign",
    "CampaignTarget",
    "Assessment",
    "AssessmentItem",
    "Equipment",
    "InspectorRecord",
    "LeaveRequest",
    "TrainingAttendance",
    "TrainingSession",
    "WorkIdIssue",
    "Bulletin",
    "Clue",
    "ClueEvent",
    "Holiday",
    "InterferenceFollowUp",
    "InterferenceRecord",
    "InterferenceSupplement",
    "Portrait",
    "ThrottleHit",
    "UsedToken",
    "AuditEvent",
    "AuditHead",
    "ReadLog",
    "ClientMedia",
    "ChecklistItem",
    "ChecklistTemplate",
    "InterestDeclaration",
    "Hazard",
    "HazardCloseDays",
    "HazardEvent",
    "HazardTally",
    "Notification",
    "Inspection",
    "InspectionPhoto",
    "ItemResult",
    "Photo",
    "CompanyManager",
    "Enterprise",
    "EnterpriseChange",
    "ImportBatch",
    "MediaFile",
    "PatrolFinding",
    "RiskPoint",
    "SelfCheck",
    "SelfCheckItem",
    "Grid",
    "InspectorGrid",
    "LoginAttempt",
    "OrgUnit",
    "User",
    "UserOrgUnit",
    "UserRole",
    "UserSession",
]
