"""Every route is declared here with who may reach it; a new route without a line fails.

The full role-by-role authorisation matrix comes with the security issue; this table
already guarantees that nothing new is reachable by accident: what is not public
demands a login (302 to the login page, or 401 for the API) and every write demands
a CSRF token.
"""
import re

import pytest

from tests.helpers import logged_in

#: endpoint -> "public" or the policy action (or "login") guarding it
ROUTES = {
    "admin.audit_trail": "admin.overview",
    "hazards.index": "hazard.view", "hazards.show": "hazard.view", "hazards.act": "hazard.view",
    "hazards.notice": "hazard.view", "hazards.event_file": "hazard.view",
    "hazards.notification_list": "notification.view", "hazards.notification_open": "notification.view",
    "hazards.notification_read_all": "notification.view",
    "static": "public", "health.healthz": "public", "health.readyz": "public", "auth.login": "public",
    "auth.logout": "public", "auth.set_language": "public", "pwa.manifest": "public", "pwa.offline": "public",
    "pwa.capture": "public", "pwa.outbox": "public", "pwa.favicon": "public",
    "pwa.service_worker": "public", "api.openapi_document": "public", "api.post_recheck": "inspection.create",
    "home.index": "login", "auth.account": "login", "auth.change_password": "login", "api.me": "login",
    "api.update_me": "login",
    "enterprises.index": "enterprise.list", "api.enterprises": "enterprise.list",
    "enterprises.show": "enterprise.view", "api.enterprise": "enterprise.view",
    "media.change_photo": "enterprise.view",
    "enterprises.create": "enterprise.create", "enterprises.edit": "enterprise.edit",
    "enterprises.confirm": "enterprise.review", "enterprises.report_status": "enterprise.report_status",
    "enterprises.report_new": "enterprise.report_new",
    "imports.export": "enterprise.export", "imports.upload": "enterprise.import",
    "imports.preview": "enterprise.import", "imports.commit": "enterprise.import",
    "imports.template": "enterprise.import",
    "selfchecks.risk_point_new": "riskpoint.manage", "selfchecks.risk_point_edit": "riskpoint.manage",
    "selfchecks.self_check_new": "selfcheck.record", "selfchecks.item_fixed": "selfcheck.record",
    "selfchecks.online_patrol": "patrol.online",
    "inspections.patrol": "inspection.create", "inspections.start": "inspection.create",
    "inspections.add_photos": "inspection.create", "inspections.remove_photo": "inspection.create",
    "inspections.report_hazard": "inspection.create", "inspections.sign": "inspection.create",
    "inspections.refuse": "inspection.create", "inspections.delete": "inspection.create",
    "inspections.supplement": "inspection.create", "api.pack": "inspection.create",
    "api.put_media": "inspection.create", "api.post_media": "inspection.create",
    "api.post_inspection": "inspection.create",
    "inspections.edit": "inspection.view", "inspections.print_view": "inspection.view",
    "media.photo": "inspection.view", "media.signature": "inspection.view",
    "inspections.checklist_list": "checklist.manage", "inspections.checklist_edit": "checklist.manage",
    "admin.user_list": "user.manage", "admin.user_new": "user.manage", "admin.user_show": "user.manage",
    "admin.user_set_active": "user.manage", "admin.user_reset_password": "user.manage",
    "admin.user_public_profile": "user.manage", "admin.user_portrait": "user.manage",
    "admin.holidays": "holiday.manage", "admin.holiday_delete": "holiday.manage",
    "declarations.index": "declaration.create", "declarations.queue": "declaration.decide",
    "declarations.decide": "declaration.decide", "declarations.reassignments": "declaration.decide",
    # Interference records: any signed-in user reaches the record routes, which refuse (and log)
    # everyone but the recorder and the discipline inspectors.
    "interference.index": "interference.view", "interference.new": "interference.record",
    "interference.show": "login", "interference.refuse_change": "login", "interference.supplement": "login",
    "interference.follow_up": "interference.review", "interference.file": "login",
    # The public side of clues and the notice boards needs no login (seed 001 art. 19; seed 002 art. 13).
    "clues.new": "public", "clues.receipt": "public", "clues.track": "public",
    "board.show": "public", "board.poster": "public", "board.portrait": "public",
    "clues.index": "clue.view", "clues.show": "clue.view", "clues.act": "clue.view", "clues.photo": "clue.view",
    "clues.bulletins_index": "bulletin.view", "clues.bulletin": "bulletin.view",
    "dashboards.coverage_index": "coverage.view", "dashboards.coverage_grid": "coverage.view",
    "dashboards.statistics_index": "statistics.view", "dashboards.coverage_export": "coverage.view",
    "dashboards.inspections_export": "coverage.view",
    "hazards.export": "hazard.view", "corps.export": "user.manage",
    "corps.assessments_index": "user.manage", "corps.assess": "user.manage",
    "worklog.index": "worklog.view", "worklog.leave": "inspection.create", "worklog.leave_pending": "user.manage",
    "worklog.leave_decide": "user.manage", "worklog.attendance": "user.manage",
    "worklog.attendance_export": "user.manage",
    "campaigns.index": "checklist.manage", "campaigns.show": "checklist.manage",
    "corps.index": "user.manage", "corps.show": "user.manage", "corps.act": "user.manage",
    "corps.card": "user.manage", "corps.training_index": "user.manage", "corps.training_show": "user.manage",
}
SAMPLE = {"int": "1", "string": "x", "path": "css/app.css", "any": "display"}


def _sample(match) -> str:
    converter, args = match.group(1) or "string", match.group(2)
    if converter == "any":  # the first of the listed values
        return args.split(",")[0].strip().strip("'\"")
    return SAMPLE.get(converter, "1")


def _urls(app):
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", _sample, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_declared(app):
    assert set(app.view_functions) == set(ROUTES)
    from fieldapp import policy
    for action in set(ROUTES.values()) - {"public", "login"}:
        assert action in policy.ACTION_ROLES, action


def test_anything_not_public_needs_a_login(app, client):
    for endpoint, method, url in _urls(app):
        if ROUTES[endpoint] == "public":
            continue
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, url, response.status_code)
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], (endpoint, url)
        else:  # a write without a session: refused before anything happens
            assert response.status_code in (302, 400), (endpoint, method, url, response.status_code)


@pytest.mark.parametrize("username", ["insp_a1", "admin_d"])
def test_every_write_needs_a_csrf_token(app, make_client, world, username):
    c = logged_in(make_client(), username)
    for endpoint, method, url in _urls(app):
        if method in ("GET",) or endpoint == "auth.login":
            continue
        response = c.open(url, method=method, data={"x": "1"})
        assert response.status_code == 400, (endpoint, method, url, response.status_code)
        assert c.get("/").status_code == 200  # and the session is untouched


def test_ids_too_large_for_the_database_are_not_found(app, client, make_client, world):
    """Every route with an id, given one larger than an INTEGER column holds: 404 like any
    unknown id — PostgreSQL refuses such a number in a query outright, which was a 500 (found by
    the API fuzzing) — and the synced record naming such an enterprise is refused as input."""
    logged_in(client, "admin_d")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", "3000000000", re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>",
                                                      lambda m: _sample(m) if m.group(1) != "int" else m.group(0),
                                                      rule.rule))
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked > 20
    phone = logged_in(make_client(), "insp_a1")
    token = phone.get("/api/v1/me").get_json()["csrf_token"]
    answer = phone.post("/api/v1/inspections", json={"uuid": "7f1c0c52-8b0e-4c8e-9d39-1a2b3c4d5e6f",
                                                      "enterprise_id": 3_000_000_000,
                                                      "started_at": "2026-11-22T10:00:00+08:00"},
                         headers={"X-CSRFToken": token})
    assert 400 <= answer.status_code < 500 and "enterprise_id" in answer.get_data(as_text=True)
