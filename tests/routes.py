"""Every route of the app and the action that guards it (``public``: none). A new route is
declared here, or tests/test_route_table.py fails; tests/test_authz_matrix.py tries each for
every role."""

from __future__ import annotations

import re

ROUTES = {
    "admin.audit_trail": "admin.overview",
    "hazards.index": "hazard.view",
    "hazards.show": "hazard.view",
    "hazards.act": "hazard.view",
    "hazards.notice": "hazard.view",
    "hazards.event_file": "hazard.view",
    "hazards.notification_list": "notification.view",
    "hazards.notification_open": "notification.view",
    "hazards.notification_read_all": "notification.view",
    "static": "public",
    "health.healthz": "public",
    "health.readyz": "public",
    "health.metrics": "public",  # by address or token, not by role (tests/test_metrics.py)
    "auth.login": "public",
    "auth.logout": "public",
    "auth.set_language": "public",
    "pwa.manifest": "public",
    "pwa.offline": "public",
    "pwa.capture": "public",
    "pwa.plan": "public",
    "pwa.outbox": "public",
    "pwa.favicon": "public",
    "pwa.service_worker": "public",
    "api.openapi_document": "public",
    "api.post_recheck": "inspection.create",
    "home.index": "login",
    "auth.account": "login",
    "auth.change_password": "login",
    "api.me": "login",
    "api.update_me": "login",
    "enterprises.index": "enterprise.list",
    "api.enterprises": "enterprise.list",
    "enterprises.show": "enterprise.view",
    "api.enterprise": "enterprise.view",
    "media.change_photo": "enterprise.view",
    "enterprises.create": "enterprise.create",
    "enterprises.edit": "enterprise.edit",
    "enterprises.confirm": "enterprise.review",
    "enterprises.report_status": "enterprise.report_status",
    "enterprises.report_new": "enterprise.report_new",
    "imports.export": "enterprise.export",
    "imports.upload": "enterprise.import",
    "imports.preview": "enterprise.import",
    "imports.commit": "enterprise.import",
    "imports.template": "enterprise.import",
    "selfchecks.risk_point_new": "riskpoint.manage",
    "selfchecks.risk_point_edit": "riskpoint.manage",
    "selfchecks.self_check_new": "selfcheck.record",
    "selfchecks.item_fixed": "selfcheck.record",
    "selfchecks.online_patrol": "patrol.online",
    "inspections.patrol": "inspection.create",
    "inspections.start": "inspection.create",
    "inspections.add_photos": "inspection.create",
    "inspections.remove_photo": "inspection.create",
    "inspections.report_hazard": "inspection.create",
    "inspections.sign": "inspection.create",
    "inspections.refuse": "inspection.create",
    "inspections.delete": "inspection.create",
    "inspections.supplement": "inspection.create",
    "api.pack": "inspection.create",
    "api.put_media": "inspection.create",
    "api.post_media": "inspection.create",
    "api.known_media": "inspection.create",
    "api.post_inspection": "inspection.create",
    "inspections.edit": "inspection.view",
    "inspections.print_view": "inspection.view",
    "media.photo": "inspection.view",
    "media.signature": "inspection.view",
    "inspections.checklist_list": "checklist.manage",
    "inspections.checklist_edit": "checklist.manage",
    "admin.user_list": "user.manage",
    "admin.user_new": "user.manage",
    "admin.user_show": "user.manage",
    "admin.user_set_active": "user.manage",
    "admin.user_reset_password": "user.manage",
    "admin.user_public_profile": "user.manage",
    "admin.user_portrait": "user.manage",
    "admin.holidays": "holiday.manage",
    "admin.holiday_delete": "holiday.manage",
    "declarations.index": "declaration.create",
    "declarations.queue": "declaration.decide",
    "declarations.decide": "declaration.decide",
    "declarations.reassignments": "declaration.decide",
    # Interference records: any signed-in user reaches the record routes, which refuse (and log)
    # everyone but the recorder and the discipline inspectors.
    "interference.index": "interference.view",
    "interference.new": "interference.record",
    "interference.show": "login",
    "interference.refuse_change": "login",
    "interference.supplement": "login",
    "interference.follow_up": "interference.review",
    "interference.file": "login",
    # The public side of clues and the notice boards needs no login (seed 001 art. 19; seed 002 art. 13).
    "clues.new": "public",
    "clues.receipt": "public",
    "clues.track": "public",
    "board.show": "public",
    "board.poster": "public",
    "board.portrait": "public",
    "clues.index": "clue.view",
    "clues.show": "clue.view",
    "clues.act": "clue.view",
    "clues.photo": "clue.view",
    "clues.bulletins_index": "bulletin.view",
    "clues.bulletin": "bulletin.view",
    "dashboards.coverage_index": "coverage.view",
    "dashboards.coverage_grid": "coverage.view",
    "dashboards.statistics_index": "statistics.view",
    "dashboards.coverage_export": "coverage.view",
    "dashboards.inspections_export": "coverage.view",
    "hazards.export": "hazard.view",
    "corps.export": "user.manage",
    "corps.assessments_index": "user.manage",
    "corps.assess": "user.manage",
    "worklog.index": "worklog.view",
    "worklog.leave": "inspection.create",
    "worklog.leave_pending": "user.manage",
    "worklog.leave_decide": "user.manage",
    "worklog.attendance": "user.manage",
    "worklog.attendance_export": "user.manage",
    "campaigns.index": "checklist.manage",
    "campaigns.show": "checklist.manage",
    "corps.index": "user.manage",
    "corps.show": "user.manage",
    "corps.act": "user.manage",
    "corps.card": "user.manage",
    "corps.training_index": "user.manage",
    "corps.training_show": "user.manage",
}
SAMPLE = {"int": "1", "string": "x", "path": "css/app.css", "any": "display"}


def sample_value(match) -> str:
    """A value for one placeholder of a URL rule (an id, a file path, the first listed choice)."""
    converter, args = match.group(1) or "string", match.group(2)
    if converter == "any":  # the first of the listed values
        return args.split(",")[0].strip().strip("'\"")
    return SAMPLE.get(converter, "1")


def urls_of(app):
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", sample_value, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url
