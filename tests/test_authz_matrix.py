"""The authorisation matrix (issue 10): for every rule of the URL map, every method and every
role, the outcome declared by tests/test_route_table.ROUTES (endpoint -> policy action) and
fieldapp.policy.ACTION_ROLES (action -> roles); then, object by object, the same role of another
grid, company or jurisdiction (IDOR): refused, and refused exactly as for an id that does not
exist, so nothing leaks — not even existence.

A route with an id in its URL must be declared below, with the object it opens, or listed with
the reason it has none; a new one without a line fails the suite.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock, policy, roles
from fieldapp.db import db
from fieldapp.models import Clue, EnterpriseChange, HazardEvent, Notification, SelfCheckItem
from fieldapp.services import (
    bulletins,
    campaigns,
    checklists,
    clues,
    corps,
    declarations,
    enterprises,
    hazards,
    inspections,
    interference,
    notice_board,
    outbound,
    selfchecks,
    worklog,
)
from tests.factories import POINT, confirm_values, inspect, interference_values, report
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg
from tests.routes import ROUTES, urls_of

#: role -> the user of that role whose grid, company or jurisdiction holds the objects below
#: (grid A1, enterprise A1, town A)
IN_SCOPE = {
    roles.GRID_INSPECTOR: "insp_a1",
    roles.TECHNICAL_INSPECTOR: "tech_a1",
    roles.ENFORCEMENT_OFFICER: "officer_a",
    roles.COMPANY_MANAGER: "company_a1",
    roles.SOCIAL_SUPERVISOR: "supervisor1",
    roles.ADMIN: "admin_a",
    roles.DISCIPLINE_INSPECTOR: "discipline1",
}
#: role -> the same role elsewhere: another grid, company or town
TWINS = {
    roles.GRID_INSPECTOR: "insp_b1",
    roles.TECHNICAL_INSPECTOR: "tech_a2",
    roles.ENFORCEMENT_OFFICER: "officer_b",
    roles.COMPANY_MANAGER: "company_b1",
    roles.ADMIN: "admin_b",
}
DENIED = (403, 404)
MISSING = 987654  # an id nothing has
#: (endpoint, method) -> action, where a method needs more than the endpoint's action
METHOD_ACTIONS = {
    ("selfchecks.online_patrol", "POST"): "finding.record",  # staff review; inspectors record findings
    ("clues.bulletins_index", "POST"): "bulletin.publish",  # supervisors and officers read; admins publish
}
#: Interference records answer 403 alike whether a record is missing or forbidden (no existence
#: leak), so "past the door" cannot be told from outside there; real records are checked below.
SAME_REFUSAL_FOR_MISSING = {
    "interference.follow_up",
    "interference.supplement",
    "interference.show",
    "interference.file",
    "interference.refuse_change",
}


@pytest.fixture
def people(world, factory):
    """The world, plus a technical inspector of grid A1 and an officer and an admin of town B."""
    world.tech_a1 = factory.user(roles.TECHNICAL_INSPECTOR, grids=[world.grid_a1], username="tech_a1")
    world.officer_b = factory.user(roles.ENFORCEMENT_OFFICER, units=[world.town_b], username="officer_b")
    world.admin_b = factory.user(roles.ADMIN, units=[world.town_b], username="admin_b")
    db.session.commit()
    return world


# --- 1. at the door: every rule, every method, every role ------------------------------------


def _role_of(username: str) -> str:
    return next(role for role, name in IN_SCOPE.items() if name == username)


@pytest.mark.parametrize("username", list(IN_SCOPE.values()))
def test_every_route_and_method_refuses_the_roles_it_does_not_name(app, make_client, people, username):
    """Roles the action does not name get 403 before anything happens; the roles it names get
    past the door (what they then find is up to the object: 200, 404, a form's 400...)."""
    role = _role_of(username)
    client = logged_in(make_client(), username)
    token = csrf_token(client, "/")
    for endpoint, method, url in urls_of(app):
        action = METHOD_ACTIONS.get((endpoint, method), ROUTES[endpoint])
        if action in ("public", "login") or endpoint == "auth.logout":
            continue
        url = re.sub(r"/1(?=/|$|\.)", f"/{MISSING}", url)  # ids of nothing: past the door means 404, not 403
        response = client.open(url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})
        if role in policy.ACTION_ROLES[action]:
            if endpoint in SAME_REFUSAL_FOR_MISSING:
                continue
            assert response.status_code not in (401, 403), (username, endpoint, method, url, response.status_code)
        elif (endpoint, method) in METHOD_ACTIONS:  # checked in the view, after finding the object
            assert response.status_code in DENIED, (username, endpoint, method, url, response.status_code)
        else:
            assert response.status_code == 403, (username, endpoint, method, url, response.status_code)
        assert response.status_code < 500, (username, endpoint, method, url)


# --- 2. object by object: the same role elsewhere sees nothing --------------------------------


@pytest.fixture
def objs(people, make_client, app, monkeypatch):
    """One of everything a URL can name, all in grid A1 / enterprise A1 / town A."""
    w = people
    o: dict = {"enterprise": w.ent_a1.id, "grid": w.grid_a1.id, "user": w.inspector_a1.id}
    signed = inspect(w, w.ent_a1, clock.now() - timedelta(hours=2))
    o["inspection"] = signed.id
    draft = inspections.start(w.inspector_a1, w.ent_a1)
    link = inspections.add_photo(w.inspector_a1, draft, jpeg(320, 240, color=(1, 2, 3)))
    o.update(draft=draft.id, link=link.id, photo=link.photo_id)
    h = report(w)
    hazards.confirm(w.officer_a, h, confirm_values())
    hazards.acknowledge(w.company_a1, h)
    hazards.submit(w.company_a1, h, "已整改", [(jpeg(), "after.jpg")], [(b"%PDF-1.4 report", "report.pdf")])
    event = db.session.scalars(
        sa.select(HazardEvent).where(HazardEvent.hazard_id == h.id, HazardEvent.action == "submit")
    ).one()
    o.update(
        hazard=h.id, event=event.id, event_file=next(f.id for f in event.files if f.content_type == "application/pdf")
    )
    o["notification"] = db.session.scalar(sa.select(Notification.id).where(Notification.user_id == w.company_a1.id))
    record = interference.record(w.officer_a, interference_values(), [(jpeg(), "note.jpg")])
    o.update(interference=record.id, interference_file=record.files[0].id)
    clue = clues.submit(
        {"kind": "hazard", "content": "某厂仓库堆放大量易燃物品，消防通道被堵塞。", "place": "甲镇"},
        [(jpeg(300, 200), "scene.jpg")],
        None,
        w.grid_a1,
    )
    clue = db.session.get(Clue, clue.id)
    o.update(clue=clue.id, clue_photo=clue.photos[0].id)
    last_month = clock.today().replace(day=1) - timedelta(days=1)
    o["bulletin"] = bulletins.publish(
        w.admin_a,
        {
            "org_unit_id": str(w.town_a.id),
            "period_start": last_month.replace(day=1).isoformat(),
            "period_end": last_month.isoformat(),
        },
    ).id
    o["training"] = corps.create_session(
        w.admin_a,
        {
            "title": "岗前培训",
            "kind": "pre_job",
            "starts_on": "2026-03-02",
            "ends_on": "2026-04-10",
            "days": "30",
            "org_unit_id": str(w.town_a.id),
        },
    ).id
    checklists.ensure_general_template()
    template = checklists.save_template(w.admin_a, None, "甲镇专项检查表", "", "专项 | 检查一项 |")
    o["template"] = template.id
    o["campaign"] = campaigns.launch(
        w.admin_a,
        {
            "name": "甲镇专项整治",
            "template_id": str(template.id),
            "org_unit_id": str(w.town_a.id),
            "starts_on": clock.today().isoformat(),
            "ends_on": (clock.today() + timedelta(days=30)).isoformat(),
        },
        [str(w.grid_a1.id)],
    ).id
    o["leave"] = worklog.request_leave(
        w.inspector_a1, {"kind": "annual", "starts_on": "2026-12-01", "ends_on": "2026-12-02", "reason": "探亲"}
    ).id
    o["conflict"] = declarations.declare(w.tech_a1, {"kind": "former_employer", "unit_name": "某化工厂"}).id
    point = selfchecks.add_risk_point(w.company_a1, w.ent_a1, POINT)
    o["point"] = point.id
    selfchecks.record_self_check(
        w.company_a1, w.ent_a1, clock.today().isoformat(), "王工", [selfchecks.ItemInput(point.id, False, "灭火器过期")]
    )
    o["item"] = db.session.scalar(sa.select(SelfCheckItem.id))
    enterprises.report_status(
        w.inspector_a1, w.ent_a1, "suspended", "停产整顿", (jpeg(200, 150, color=(9, 9, 9)), "status.jpg")
    )
    o["change"] = db.session.scalar(sa.select(EnterpriseChange.id).where(EnterpriseChange.photo_id.is_not(None)))
    notice_board.set_public_profile(w.admin_a, w.inspector_a1, "负责甲镇一网格日常巡查", (jpeg(300, 400), "me.jpg"))
    undelivered = outbound.enqueue("sms", "13900000001", "confirm", "隐患已确认", "authz:sms", org_unit_id=w.town_a.id)
    undelivered.status, undelivered.last_error = "dead", "Alibaba SMS: isv.MOBILE_NUMBER_ILLEGAL"
    db.session.commit()
    o["outbound"] = undelivered.id
    return o


#: endpoint -> (method, url template with {object} names, who in scope A may: roles or holders)
OBJECT_ROUTES = {
    "enterprises.show": ("GET", "/enterprises/{enterprise}", "staff company"),
    "api.enterprise": ("GET", "/api/v1/enterprises/{enterprise}", "staff company"),
    "enterprises.edit": ("GET", "/enterprises/{enterprise}/edit", "admin"),
    "enterprises.report_status": ("GET", "/enterprises/{enterprise}/status", "inspectors"),
    "media.change_photo": ("GET", "/enterprises/{enterprise}/changes/{change}/photo", "staff company"),
    "enterprises.confirm": ("POST", "/enterprises/{enterprise}/confirm", "admin"),
    "checkin.poster": ("GET", "/enterprises/{enterprise}/code", "admin"),
    "checkin.rotate": ("POST", "/enterprises/{enterprise}/code/rotate", "admin"),
    "inspections.start": ("POST", "/enterprises/{enterprise}/inspections", "inspectors"),
    "selfchecks.online_patrol": ("GET", "/enterprises/{enterprise}/online-patrol", "staff"),
    "selfchecks.risk_point_new": ("GET", "/enterprises/{enterprise}/risk-points/new", "company"),
    "selfchecks.risk_point_edit": ("GET", "/enterprises/{enterprise}/risk-points/{point}", "company"),
    "selfchecks.self_check_new": ("GET", "/enterprises/{enterprise}/self-checks/new", "company"),
    "selfchecks.item_fixed": ("POST", "/enterprises/{enterprise}/self-checks/items/{item}/fixed", "company"),
    "inspections.edit": ("GET", "/inspections/{inspection}", "staff company"),
    "inspections.print_view": ("GET", "/inspections/{inspection}/print", "staff company"),
    "media.signature": ("GET", "/inspections/{inspection}/signature.png", "staff company"),
    "inspections.supplement": ("POST", "/inspections/{inspection}/supplement", "inspectors"),
    "inspections.sign": ("GET", "/inspections/{draft}/sign", "author"),
    "inspections.refuse": ("GET", "/inspections/{draft}/refuse", "author"),
    "inspections.report_hazard": ("GET", "/inspections/{draft}/hazards/new", "author"),
    "inspections.add_photos": ("POST", "/inspections/{draft}/photos", "author"),
    "media.photo": ("GET", "/photos/{photo}/display", "author"),
    "hazards.show": ("GET", "/hazards/{hazard}", "staff company"),
    "hazards.notice": ("GET", "/hazards/{hazard}/notice", "staff company"),
    "hazards.act": ("POST", "/hazards/{hazard}/progress", "company"),
    "hazards.event_file": ("GET", "/hazards/events/{event}/files/{event_file}", "staff company"),
    "api.post_recheck": ("POST", "/api/v1/hazards/{hazard}/rechecks", "inspectors"),
    "hazards.notification_open": ("POST", "/notifications/{notification}", "company"),
    "interference.show": ("GET", "/interference/{interference}", "recorder discipline"),
    "interference.file": ("GET", "/interference/{interference}/files/{interference_file}", "recorder discipline"),
    "interference.supplement": ("POST", "/interference/{interference}/supplements", "recorder"),
    "interference.follow_up": ("POST", "/interference/{interference}/follow-ups", "discipline"),
    "interference.refuse_change": ("POST", "/interference/{interference}/edit", "nobody"),
    "clues.show": ("GET", "/clues/{clue}", "officer admin"),
    "clues.photo": ("GET", "/clues/{clue}/photos/{clue_photo}/display", "officer admin"),
    "clues.act": ("POST", "/clues/{clue}/note", "officer admin"),
    "clues.bulletin": ("GET", "/clues/bulletins/{bulletin}", "officer admin supervisor"),
    "dashboards.coverage_grid": ("GET", "/coverage/grids/{grid}", "staff"),
    "admin.user_show": ("GET", "/admin/users/{user}", "admin"),
    "admin.user_portrait": ("GET", "/admin/users/{user}/portrait.jpg", "admin"),
    "corps.show": ("GET", "/corps/{user}", "admin"),
    "corps.card": ("GET", "/corps/{user}/card", "admin"),
    "corps.assess": ("GET", "/corps/{user}/assessments/2026-H2", "admin"),
    "corps.act": ("POST", "/corps/{user}/equipment", "admin"),
    "corps.training_show": ("GET", "/corps/training/{training}", "admin"),
    "campaigns.show": ("GET", "/campaigns/{campaign}", "admin"),
    "alerts.resend": ("POST", "/admin/outbox/{outbound}/resend", "admin"),
    # last: these change, end or disable what the others use
    "inspections.remove_photo": ("POST", "/inspections/{draft}/photos/{link}/delete", "author"),
    "inspections.delete": ("POST", "/inspections/{draft}/delete", "author"),
    "declarations.decide": ("POST", "/admin/declarations/{conflict}/reject", "admin"),
    "worklog.leave_decide": ("POST", "/worklog/leave/{leave}/reject", "admin"),
    "admin.user_public_profile": ("POST", "/admin/users/{user}/public-profile", "admin"),
    "admin.user_reset_password": ("POST", "/admin/users/{user}/password", "admin"),
    "admin.user_set_active": ("POST", "/admin/users/{user}/active", "admin"),
}
#: routes with an id in the URL that open nothing scoped, and why
NO_OBJECT_SCOPE = {
    "admin.holiday_delete": "holidays are the district calendar, not anyone's object (admins only, by role)",
    "board.show": "public notice board of a grid (seed 002 art. 13)",
    "board.poster": "public poster of a grid's board",
    "board.portrait": "public portrait of an inspector on a board",
    "imports.preview": "the token names an upload batch of the admin who made it (tests/test_import_export.py)",
    "imports.commit": "as imports.preview",
    "api.put_media": "the id is the phone's own new UUID, not an existing object",
    "static": "files of the app",
    "checkin.scanned": "a signed poster code, not an id; it redirects, within the user's scope, to pages that "
    "check theirs (tests/test_checkin.py)",
    "inspections.checklist_edit": "checklists are shared by every department (one per industry); admins manage them",
}

#: who may, per declared word: role names or special holders in scope A
HOLDERS = {
    "staff": {roles.GRID_INSPECTOR, roles.TECHNICAL_INSPECTOR, roles.ENFORCEMENT_OFFICER, roles.ADMIN},
    "inspectors": {roles.GRID_INSPECTOR, roles.TECHNICAL_INSPECTOR},
    "company": {roles.COMPANY_MANAGER},
    "admin": {roles.ADMIN},
    "officer": {roles.ENFORCEMENT_OFFICER},
    "supervisor": {roles.SOCIAL_SUPERVISOR},
    "discipline": {roles.DISCIPLINE_INSPECTOR},
}


def _holders(who: str) -> tuple[set[str], set[str]]:
    """(usernames in scope A who may, usernames in scope A who may not), for words of OBJECT_ROUTES."""
    allowed: set[str] = set()
    for word in who.split():
        if word == "author":
            allowed.add("insp_a1")
        elif word == "recorder":
            allowed.add("officer_a")
        elif word in HOLDERS:
            allowed |= {IN_SCOPE[r] for r in HOLDERS[word]}
    return allowed, set(IN_SCOPE.values()) - allowed


_VOLATILE = re.compile(
    r'(name="csrf[_-]token"[^>]*(?:value|content)=")[^"]+"|(content=")[^"]+(" name="csrf-token")'
    r'|("csrf_token": ")[^"]+"|(data-request-id=")[^"]+"'
)


def _normal(response) -> str:
    return _VOLATILE.sub(lambda m: "".join(g or "" for g in m.groups()[:1]) + "…", response.get_data(as_text=True))


def test_every_route_with_an_id_is_declared(app):
    with_ids = {rule.endpoint for rule in app.url_map.iter_rules() if "<" in rule.rule}
    assert with_ids == set(OBJECT_ROUTES) | set(NO_OBJECT_SCOPE), with_ids ^ (set(OBJECT_ROUTES) | set(NO_OBJECT_SCOPE))


def test_objects_of_another_scope_are_out_of_reach(app, make_client, objs):
    """Every declared object route, in the order declared (the ones that change or disable
    something last): the same role elsewhere, the roles not named, then the ones named."""
    clients: dict = {}
    failures: list[tuple] = []

    def call(username, method, target):
        if username not in clients:
            c = logged_in(make_client(), username)
            clients[username] = (c, csrf_token(c, "/"))
        c, token = clients[username]
        return c.open(target, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})

    for endpoint, (method, template, who) in OBJECT_ROUTES.items():
        url = template.format(**objs)
        missing = template.format(**{k: MISSING for k in objs})
        allowed, _others = _holders(who)
        # The same role elsewhere: refused, and refused as if the object did not exist.
        for role, twin in TWINS.items():
            if IN_SCOPE[role] not in allowed and who != "nobody":
                continue
            there, nowhere = call(twin, method, url), call(twin, method, missing)
            if there.status_code not in DENIED or there.status_code != nowhere.status_code:
                failures.append((endpoint, twin, there.status_code, nowhere.status_code))
            elif _normal(there) != _normal(nowhere):
                failures.append((endpoint, twin, "a different page than for a missing id"))
        # Every other role in scope A that the route does not name: refused too.
        for username in sorted(set(IN_SCOPE.values()) - allowed):
            got = call(username, method, url)
            if got.status_code not in DENIED:
                failures.append((endpoint, username, got.status_code))
        # And those it names get in (GET: the page; POST: past the checks, to the form's own answer).
        for username in sorted(allowed):
            got = call(username, method, url)
            if got.status_code in (401, *DENIED) or got.status_code >= 500:
                failures.append((endpoint, username, got.status_code, "should get in"))
    assert failures == []
