"""Everything the enterprise page shows, gathered in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp import policy
from fieldapp.models import Enterprise, User
from fieldapp.services import enterprises, selfchecks


@dataclass
class EnterpriseFile:
    risk_points: list
    self_checks: list
    findings: list
    history: list
    may: dict[str, bool] = field(default_factory=dict)


def gather(enterprise: Enterprise, user: User) -> EnterpriseFile:
    may = {action: policy.can(user, action) for action in (
        "enterprise.edit", "enterprise.review", "enterprise.report_status", "riskpoint.manage",
        "selfcheck.record", "patrol.online", "finding.record")}
    # Company managers see their own file's history but not the inspectors' remote findings
    # about them until those become confirmed hazards (unconfirmed reports stay internal).
    staff = policy.can(user, "patrol.online")
    return EnterpriseFile(
        risk_points=selfchecks.risk_points(enterprise),
        self_checks=selfchecks.self_checks(enterprise, limit=10),
        findings=selfchecks.findings(enterprise) if staff else [],
        history=enterprises.history(enterprise),
        may=may,
    )
