"""All tables, one module per area. Importing this package registers them all."""

from fieldapp.models.audit import AuditEvent, AuditHead, ReadLog
from fieldapp.models.campaigns import Campaign, CampaignTarget
from fieldapp.models.checklists import ChecklistItem, ChecklistTemplate
from fieldapp.models.clues import Bulletin, Clue, ClueEvent
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
from fieldapp.models.declarations import InterestDeclaration
from fieldapp.models.enterprises import Enterprise, EnterpriseChange
from fieldapp.models.hazards import Hazard, HazardEvent
from fieldapp.models.imports import ImportBatch
from fieldapp.models.inspections import Inspection, InspectionPhoto, ItemResult
from fieldapp.models.interference import InterferenceFollowUp, InterferenceRecord, InterferenceSupplement
from fieldapp.models.media import ClientMedia, MediaFile
from fieldapp.models.notice_board import Portrait
from fieldapp.models.notifications import Notification
from fieldapp.models.org import Grid, OrgUnit
from fieldapp.models.outbound import AlertPreference, DepartmentAlerts, OutboundMessage
from fieldapp.models.people import (
    CompanyManager,
    InspectorGrid,
    LoginAttempt,
    User,
    UserOrgUnit,
    UserRole,
    UserSession,
)
from fieldapp.models.photos import Photo
from fieldapp.models.selfcheck import PatrolFinding, RiskPoint, SelfCheck, SelfCheckItem
from fieldapp.models.tallies import HazardCloseDays, HazardTally
from fieldapp.models.throttle import ThrottleHit, UsedToken
from fieldapp.models.workdays import Holiday

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
    "OutboundMessage",
    "AlertPreference",
    "DepartmentAlerts",
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
