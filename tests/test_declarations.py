"""Declarations of interests and part-time jobs (seed 000; seed 002 art. 7): the workflow, the
refused approval of a job at a supervised enterprise, recusal on every action path, and the
admin's view of where someone else must act."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.db import db
from fieldapp.errors import Forbidden, InputError
from fieldapp.models import Hazard, Inspection, InterestDeclaration, Notification
from fieldapp.services import declarations, hazards, inspections
from tests.factories import PHOTO, confirm_values, report, upload
from tests.helpers import logged_in, post
from tests.images import jpeg


def declare(client, **data):
    return post(client, "/declarations", data, token_from="/declarations")


def test_declaring_blocks_at_once_and_admins_are_told(world, make_client):
    insp = logged_in(make_client(), "insp_a1")
    r = declare(
        insp, kind="relative", unit_name="随便写的名字", uscc=world.ent_a1.uscc, note="妻子张某在该企业任财务主管"
    )
    assert r.status_code == 302
    row = db.session.scalar(sa.select(InterestDeclaration))
    assert row.status == "pending" and row.enterprise_id == world.ent_a1.id  # matched by credit code
    told = set(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "declaration")))
    assert told == {world.admin.id, world.admin_a.id}
    refused = post(insp, f"/enterprises/{world.ent_a1.id}/inspections", token_from=f"/enterprises/{world.ent_a1.id}")
    assert refused.status_code == 403 and "应当回避" in refused.get_data(as_text=True)
    assert "亲属在该企业任职" in insp.get("/declarations").get_data(as_text=True)
    # The admin finds it is no conflict: the block lifts.
    admin = logged_in(make_client(), "admin_a")
    r = post(admin, f"/admin/declarations/{row.id}/reject", {"note": ""}, "/admin/declarations")
    # a reason is needed
    assert r.status_code == 303 and db.session.get(InterestDeclaration, row.id).status == "pending"
    r = post(admin, f"/admin/declarations/{row.id}/reject", {"note": "已离职，不构成利害关系"}, "/admin/declarations")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(InterestDeclaration, row.id).status == "rejected"
    assert (
        db.session.scalar(sa.select(Notification.user_id).where(Notification.kind == "declaration_decided"))
        == world.inspector_a1.id
    )
    started = post(insp, f"/enterprises/{world.ent_a1.id}/inspections", token_from=f"/enterprises/{world.ent_a1.id}")
    assert started.status_code == 201 and started.headers["Location"].startswith("/inspections/")


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"kind": "cousin"}, "kind", "类别"),
        ({"unit_name": ""}, "unit_name", "单位名称"),
        ({"kind": "part_time", "role_title": ""}, "role_title", "职务"),
        ({"kind": "part_time", "pay": ""}, "pay", "报酬"),
        ({"kind": "part_time", "period_start": ""}, "period_start", "开始日期"),
        ({"period_start": "2026-05-01", "period_end": "2026-04-01"}, "period_end", "不能早于"),
        ({"kind": "relative", "note": ""}, "note", "亲属"),
        ({"uscc": "91320506MA1X2Y3Z4Q"}, "uscc", ""),
        ({"period_start": "someday"}, "period_start", "日期格式"),
    ],
)
def test_bad_declarations_are_refused_with_the_form_kept(world, make_client, data, field, message):
    base = {
        "kind": "part_time",
        "unit_name": "苏州某培训学校",
        "role_title": "安全讲师",
        "pay": "每课时 300 元",
        "period_start": "2026-03-01",
        "note": "周末授课",
    }
    insp = logged_in(make_client(), "insp_a1")
    r = declare(insp, **(base | data))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and message in html
    assert "苏州某培训学校" in html or field == "unit_name"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterestDeclaration)) == 0


def _part_time(user, unit_name, uscc=""):
    return declarations.declare(
        user,
        {
            "kind": "part_time",
            "unit_name": unit_name,
            "uscc": uscc,
            "role_title": "顾问",
            "pay": "每月 2000 元",
            "period_start": "2026-01-01",
        },
    )


def test_a_part_time_job_at_a_supervised_enterprise_is_never_approved(world):
    inside = _part_time(world.inspector_a1, world.ent_a1.name)  # by exact name: in the inspector's grid
    with pytest.raises(Forbidden, match="监管企业"):
        declarations.decide(world.admin_a, inside, "approve", "")
    db.session.rollback()
    assert db.session.get(InterestDeclaration, inside.id).status == "pending"  # and still blocks
    assert inspections.recusal(world.inspector_a1, world.ent_a1) is not None
    # An officer's jurisdiction is the whole town: an enterprise of another grid counts too.
    officer_job = _part_time(world.officer_a, "随便", uscc=world.ent_a2.uscc)
    with pytest.raises(Forbidden, match="监管企业"):
        declarations.decide(world.admin_a, officer_job, "approve", "")
    db.session.rollback()
    # Outside the jurisdiction (town B's enterprise for the town A inspector) or outside the registry: allowed.
    elsewhere = _part_time(world.inspector_a1, world.ent_b1.name)
    declarations.decide(world.admin_a, elsewhere, "approve", "同意")
    school = _part_time(world.inspector_a1, "苏州某培训学校")
    declarations.decide(world.admin_a, school, "approve", "同意")
    assert school.enterprise_id is None and school.status == "approved"
    # An approved job elsewhere still bars the inspector from that enterprise, should it come their way.
    assert inspections.recusal(world.inspector_a1, world.ent_b1) is not None
    with pytest.raises(InputError):
        declarations.decide(world.admin_a, school, "end", "")
    declarations.decide(world.admin_a, school, "end", "兼职已结束")
    assert school.status == "ended"


def test_who_may_decide(world, factory, make_client):
    admin_b = factory.user(roles.ADMIN, units=[world.town_b], username="admin_b")
    row = _part_time(world.inspector_a1, "苏州某培训学校")
    assert logged_in(make_client(), "admin_b").get("/admin/declarations").status_code == 200
    r = post(logged_in(make_client(), "admin_b"), f"/admin/declarations/{row.id}/approve", {}, "/admin/declarations")
    assert r.status_code == 404
    assert admin_b
    officer = logged_in(make_client(), "officer_a")
    assert post(officer, f"/admin/declarations/{row.id}/approve", {}, "/declarations").status_code == 403
    admin_self = factory.user(roles.ADMIN, roles.ENFORCEMENT_OFFICER, units=[world.town_a], username="admin_self")
    mine = declarations.declare(admin_self, {"kind": "shareholding", "unit_name": world.ent_a2.name})
    with pytest.raises(Forbidden, match="自己"):
        declarations.decide(admin_self, mine, "approve", "")
    r = post(
        logged_in(make_client(), "admin_a"),
        f"/admin/declarations/{row.id}/approve",
        {"note": "同意"},
        "/admin/declarations",
    )
    assert r.status_code == 302
    r = post(logged_in(make_client(), "admin_a"), f"/admin/declarations/{row.id}/approve", {}, "/admin/declarations")
    assert r.status_code == 303  # already decided: refused with the reason, shown on the queue


def test_recusal_blocks_every_action_path(world, make_client):
    """A pending declaration bars the person everywhere: starting an inspection (page and sync),
    confirming, rejecting, regrading and closing (officer), re-checking (page and sync), and
    turning a clue into a hazard report."""
    major = report(world, level="major")
    general = report(world)
    for user in (world.inspector_a1, world.officer_a):
        declarations.declare(user, {"kind": "shareholding", "unit_name": world.ent_a1.name})
    officer = logged_in(make_client(), "officer_a")
    for action, data in (
        ("confirm", confirm_values()),
        ("reject", {"reason": "不属实"}),
    ):
        h = db.session.get(Hazard, general.id)
        r = post(officer, f"/hazards/{h.id}/{action}", data | {"version": h.version}, f"/hazards/{h.id}")
        assert r.status_code == 403 and "回避" in r.get_data(as_text=True), action
    # Someone else confirms; then regrading, closing and re-checking are refused to the recused.
    hazards.confirm(world.officer_district, major, confirm_values("major"))
    hazards.acknowledge(world.company_a1, major)
    hazards.submit(world.company_a1, major, "已整改", PHOTO)
    h = db.session.get(Hazard, major.id)
    r = post(
        officer, f"/hazards/{h.id}/regrade", {"level": "general", "note": "x", "version": h.version}, f"/hazards/{h.id}"
    )
    assert r.status_code == 403 and "回避" in r.get_data(as_text=True)
    insp = logged_in(make_client(), "insp_a1")
    r = post(
        insp,
        f"/hazards/{h.id}/recheck_pass",
        {"version": h.version, "note": "已整改"},
        f"/hazards/{h.id}",
        content_type="multipart/form-data",
    )
    assert r.status_code == 403 and "回避" in r.get_data(as_text=True)
    token = insp.get("/api/v1/me").get_json()["csrf_token"]
    body = {
        "uuid": str(uuid.uuid4()),
        "passed": True,
        "note": "已整改",
        "at": clock.now().isoformat(),
        "media_uuids": [upload(insp, token, jpeg(color=(9, 8, 7)))],
    }
    r = insp.post(f"/api/v1/hazards/{h.id}/rechecks", json=body, headers={"X-CSRFToken": token})
    assert r.status_code == 403 and "回避" in r.get_json()["message"]
    hazards.recheck(_other_inspector(world), h, True, {"note": "通过"}, PHOTO)
    h = db.session.get(Hazard, major.id)
    assert h.status == "awaiting_closure"
    r = post(officer, f"/hazards/{h.id}/close", {"version": h.version}, f"/hazards/{h.id}")
    assert r.status_code == 403 and "回避" in r.get_data(as_text=True)
    # Starting an inspection: the page, and an offline record synced later.
    r = post(insp, f"/enterprises/{world.ent_a1.id}/inspections", token_from=f"/enterprises/{world.ent_a1.id}")
    assert r.status_code == 403
    record = {
        "uuid": str(uuid.uuid4()),
        "enterprise_id": world.ent_a1.id,
        "started_at": (clock.now() - timedelta(hours=1)).isoformat(),
        "checklist": [],
    }
    r = insp.post("/api/v1/inspections", json=record, headers={"X-CSRFToken": token})
    assert r.status_code in (403, 422)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Inspection)
            .where(Inspection.inspector_id == world.inspector_a1.id, Inspection.uuid == record["uuid"])
        )
        == 0
    )
    # And the pack tells the phone, so the offline form refuses it too.
    assert str(world.ent_a1.id) in insp.get("/api/v1/pack").get_json()["recused"]


def _other_inspector(world):
    from fieldapp.models import InspectorGrid

    db.session.add(InspectorGrid(user_id=world.tech_a2.id, grid_id=world.grid_a1.id))
    db.session.commit()
    return world.tech_a2


def test_reassignment_view(world, make_client):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    declarations.declare(world.inspector_a1, {"kind": "former_employer", "unit_name": world.ent_a1.name})
    declarations.declare(
        world.officer_a, {"kind": "relative", "unit_name": world.ent_a1.name, "note": "弟弟任车间主任"}
    )
    rows = {r.person.username: r for r in declarations.reassignments(world.admin_a)}
    assert rows["insp_a1"].serves_grid and rows["insp_a1"].substitutes == []
    assert [x.id for x in rows["officer_a"].open_hazards] == [h.id]
    page = logged_in(make_client(), "admin_a").get("/admin/recusals").get_data(as_text=True)
    assert "该网格没有可以检查的网格员" in page and f"/hazards/{h.id}" in page
    assert logged_in(make_client(), "officer_a").get("/admin/recusals").status_code == 403
    home = logged_in(make_client(), "admin_a").get("/").get_data(as_text=True)
    assert 'data-stat="declarations_pending">2<' in home
