"""Everything the enterprise page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldapp import policy, roles
from fieldapp.db import db
from fieldapp.models import Enterprise, Hazard, User
from fieldapp.queries import enterprises as enterprise_statements
from fieldapp.services import enterprises, inspections, selfchecks


def hazards_for(user: User, enterprise: Enterprise) -> list[Hazard]:
    """Hazards on the enterprise page, open first, overdue highlighted. Company managers
    see only what an officer confirmed (hazards.scope)."""
    if not policy.can(user, "hazard.view"):
        return []
    shape, values = policy.scope_binding(user)
    return list(
        db.session.scalars(
            enterprise_statements.file_hazards_statement(shape), {**values, "enterprise_id": enterprise.id}
        )
    )


@dataclass
class EnterpriseFile:
    inspections: list
    hazards: list
    may_inspect: bool
    why_not_inspect: str | None
    risk_points: list
    self_checks: list
    findings: list
    history: list
    may: dict[str, bool] = field(default_factory=dict)


def for_page(user: User, enterprise_id) -> Enterprise:
    """The enterprise, if in ``user``'s scope, with what its page names (else NotFound)."""
    shape, values = policy.scope_binding(user)
    return policy.get_prebuilt(enterprise_statements.page_statement(shape), values, enterprise_id)


def gather(enterprise: Enterprise, user: User) -> EnterpriseFile:
    may = {
        action: policy.can(user, action)
        for action in (
            "enterprise.edit",
            "enterprise.checkin_code",
            "enterprise.review",
            "enterprise.report_status",
            "riskpoint.manage",
            "selfcheck.record",
            "patrol.online",
            "finding.record",
        )
    }
    # Company managers see their own file's history but not the inspectors' remote findings
    # about them until those become confirmed hazards (unconfirmed reports stay internal).
    staff = may["patrol.online"]
    why_not = inspections.why_not_inspect(user, enterprise) if user.has_role(*roles.INSPECTORS) else None
    return EnterpriseFile(
        inspections=inspections.for_enterprise(user, enterprise),
        hazards=hazards_for(user, enterprise),
        may_inspect=user.has_role(*roles.INSPECTORS) and why_not is None,
        why_not_inspect=why_not,
        risk_points=selfchecks.risk_points(enterprise),
        self_checks=selfchecks.self_checks(enterprise, limit=10),
        findings=selfchecks.findings(enterprise) if staff else [],
        history=enterprises.history(enterprise),
        may=may,
    )
