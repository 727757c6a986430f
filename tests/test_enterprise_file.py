"""The enterprise file: admin edits with history, field reports, review of newly found enterprises."""

import io

import pytest
import sqlalchemy as sa

from fieldapp.models import Enterprise, EnterpriseChange
from fieldapp.services import uscc
from tests.factories import enterprise_form
from tests.helpers import csrf_token, logged_in, post
from tests.images import jpeg


def test_admin_creates_an_enterprise_and_history_records_it(client, world, db):
    logged_in(client, "admin_d")
    response = post(client, "/enterprises/new", enterprise_form(world), token_from="/enterprises/new")
    assert response.status_code == 302
    e = db.session.scalar(sa.select(Enterprise).where(Enterprise.name == "苏州新建精工有限公司"))
    assert e.safety_manager_mobile == "13800001111" and e.employee_count == 35 and e.district_id == world.district.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "C34 通用设备制造业" in page and "WGS-84" in page and "建档" in page


def test_each_bad_field_is_named_and_input_kept(client, world):
    logged_in(client, "admin_d")
    bad = enterprise_form(
        world,
        uscc="91320506777700010",
        latitude="120.5",
        longitude="31.2",
        employee_count="-3",
        safety_manager_mobile="12345",
        industry="X99",
        grid="",
    )
    response = post(client, "/enterprises/new", bad, token_from="/enterprises/new")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "应为 18 位，当前为 17 位",
        "纬度不在中国境内",
        "经度不在中国境内",
        "人数应在 0 到",
        "请输入 11 位中国大陆手机号",
        "行业不在代码表中",
        "请选择网格",
    ):
        assert message in body, message
    assert 'value="苏州新建精工有限公司"' in body and 'value="91320506777700010"' in body


def test_duplicate_code_in_the_district_is_refused(client, world):
    logged_in(client, "admin_d")
    response = post(
        client,
        "/enterprises/new",
        enterprise_form(world, uscc=world.ent_b1.uscc, grid=str(world.grid_a2.id)),
        token_from="/enterprises/new",
    )
    assert "本区已有使用该统一社会信用代码的企业档案" in response.get_data(as_text=True)


def test_same_code_may_exist_in_another_district(factory, world, client, db):
    other_district = factory.org_unit(name="外区")
    other_town = factory.org_unit(other_district)
    grid = factory.grid(other_town)
    admin = factory.user("admin", units=[other_district], username="admin_other")
    logged_in(client, admin.username)
    response = post(
        client,
        "/enterprises/new",
        enterprise_form(world, uscc=world.ent_a1.uscc, grid=str(grid.id)),
        token_from="/enterprises/new",
    )
    assert response.status_code == 302


def test_edit_records_old_and_new_values(client, world, db):
    logged_in(client, "admin_d")
    path = f"/enterprises/{world.ent_a2.id}/edit"
    form = enterprise_form(
        world, name=world.ent_a2.name, uscc=world.ent_a2.uscc, grid=str(world.grid_a1.id), change_note="网格调整"
    )
    assert post(client, path, form, token_from=path).status_code == 302
    change = db.session.scalars(
        sa.select(EnterpriseChange).where(EnterpriseChange.enterprise_id == world.ent_a2.id)
    ).one()
    assert change.kind == "updated" and change.note == "网格调整"
    assert change.changes["grid"] == [world.grid_a2.code, world.grid_a1.code]
    assert change.changes["risk_grade"] == [None, "yellow"]
    page = client.get(f"/enterprises/{world.ent_a2.id}").get_data(as_text=True)
    assert "修改档案" in page and "一般风险（黄）" in page and world.grid_a2.code in page


def test_only_admins_edit_and_only_in_their_jurisdiction(make_client, world):
    for username in ("insp_a1", "officer_a", "company_a1"):
        c = logged_in(make_client(), username)
        assert c.get(f"/enterprises/{world.ent_a1.id}/edit").status_code == 403, username
    town_admin = logged_in(make_client(), "admin_a")
    assert town_admin.get(f"/enterprises/{world.ent_b1.id}/edit").status_code == 404
    # A town admin cannot move an enterprise into a grid outside the town.
    path = f"/enterprises/{world.ent_a1.id}/edit"
    response = post(
        town_admin,
        path,
        enterprise_form(world, name="x", uscc=world.ent_a1.uscc, grid=str(world.grid_b1.id)),
        token_from=path,
    )
    assert response.status_code == 400 and "请选择您管辖范围内的网格" in response.get_data(as_text=True)


def test_inspector_reports_a_closure_with_a_photo(client, world, db):
    logged_in(client, "insp_a1")
    path = f"/enterprises/{world.ent_a1.id}/status"
    token = csrf_token(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "status": "closed",
            "note": "已于 10 月停业关门",
            "photo": (io.BytesIO(jpeg()), "closed.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(world.ent_a1)
    assert world.ent_a1.status == "closed"
    change = db.session.scalars(sa.select(EnterpriseChange)).one()
    assert change.changes == {"status": ["active", "closed"]} and change.photo is not None
    photo = client.get(f"/enterprises/{world.ent_a1.id}/changes/{change.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    # Another grid's inspector cannot reach the photo, even knowing its URL.
    other = client.application.test_client()
    logged_in(other, "insp_b1")
    assert other.get(f"/enterprises/{world.ent_a1.id}/changes/{change.id}/photo").status_code == 404


def test_status_report_refusals_keep_the_note(client, world, db):
    logged_in(client, "insp_a1")
    path = f"/enterprises/{world.ent_a1.id}/status"
    token = csrf_token(client, path)
    bad_photo = client.post(
        path,
        data={
            "csrf_token": token,
            "status": "relocated",
            "note": "搬到甲镇二路",
            "photo": (io.BytesIO(b"<html>not a photo</html>"), "x.jpg"),
        },
        content_type="multipart/form-data",
    )
    body = bad_photo.get_data(as_text=True)
    assert bad_photo.status_code == 400 and "这不是照片" in body and "搬到甲镇二路" in body
    no_note = post(client, path, {"status": "relocated", "note": " "}, token_from=path)
    assert "请说明情况" in no_note.get_data(as_text=True)
    db.session.refresh(world.ent_a1)
    assert world.ent_a1.status == "active"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EnterpriseChange)) == 0


def test_inspector_cannot_report_outside_their_grid_or_as_officer(make_client, world):
    insp = logged_in(make_client(), "insp_a1")
    assert insp.get(f"/enterprises/{world.ent_b1.id}/status").status_code == 404
    officer = logged_in(make_client(), "officer_a")
    assert officer.get(f"/enterprises/{world.ent_a1.id}/status").status_code == 403


def test_newly_found_enterprise_waits_for_review(make_client, world, db):
    insp = logged_in(make_client(), "insp_a1")
    data = enterprise_form(
        world, name="苏州路边小作坊", uscc=uscc.make("9", "1", "320506", "55550001"), note="无招牌，现场发现"
    )
    response = post(insp, "/enterprises/report-new", data, token_from="/enterprises/report-new")
    assert response.status_code == 302
    e = db.session.scalar(sa.select(Enterprise).where(Enterprise.name == "苏州路边小作坊"))
    assert e.pending_review and e.status == "new"
    # It cannot be reported into someone else's grid.
    data2 = enterprise_form(world, name="x", uscc=uscc.make("9", "1", "320506", "55550002"), grid=str(world.grid_b1.id))
    refused = post(insp, "/enterprises/report-new", data2, token_from="/enterprises/report-new")
    assert "请选择您管辖范围内的网格" in refused.get_data(as_text=True)
    admin = logged_in(make_client(), "admin_d")
    pending = admin.get("/enterprises/?pending=1").get_data(as_text=True)
    assert "苏州路边小作坊" in pending and world.ent_a1.name not in pending
    assert post(admin, f"/enterprises/{e.id}/confirm", token_from=f"/enterprises/{e.id}").status_code == 302
    db.session.refresh(e)
    assert not e.pending_review and e.status == "active"
    kinds = [
        c.kind
        for c in db.session.scalars(
            sa.select(EnterpriseChange).where(EnterpriseChange.enterprise_id == e.id).order_by(EnterpriseChange.id)
        )
    ]
    assert kinds == ["reported", "confirmed"]
    again = post(admin, f"/enterprises/{e.id}/confirm", token_from=f"/enterprises/{e.id}")
    assert again.status_code == 400 and "不在待审核状态" in again.get_data(as_text=True)


def test_enterprise_page_has_every_section(client, world):
    logged_in(client, "officer_a")
    page = client.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
    for section in (
        "basics",
        "contacts",
        "inspections",
        "hazards",
        "rectifications",
        "risk-points",
        "self-checks",
        "documents",
        "history",
    ):
        assert f'id="{section}"' in page, section


def test_list_filters_by_industry_and_risk_grade(client, world, db):
    world.ent_a1.industry, world.ent_a1.risk_grade = "C26", "orange"
    db.session.commit()
    logged_in(client, "officer_d")
    by_industry = client.get("/enterprises/?industry=C26").get_data(as_text=True)
    assert world.ent_a1.name in by_industry and world.ent_a2.name not in by_industry
    by_risk = client.get("/enterprises/?risk_grade=orange").get_data(as_text=True)
    assert world.ent_a1.name in by_risk and world.ent_b1.name not in by_risk
    ignored = client.get("/enterprises/?risk_grade=purple&industry=Q").get_data(as_text=True)
    assert world.ent_b1.name in ignored


def test_a_code_filed_concurrently_is_a_message_not_a_crash(world, db):
    """Two admins file the same code at once: our check passes, the other admin's
    insert commits on another connection just before our flush, the database
    refuses ours, and we get the code-field message."""
    from fieldapp.services import enterprises

    data = enterprise_form(world)

    def the_other_admin(session, flush_context, instances):
        with db.engine.begin() as other:
            other.execute(
                sa.insert(Enterprise).values(
                    name="另一位管理员录入", uscc=data["uscc"], grid_id=world.grid_a2.id, district_id=world.district.id
                )
            )

    sa.event.listen(sa.orm.Session, "before_flush", the_other_admin, once=True)
    with pytest.raises(enterprises.EnterpriseInputError) as refused:
        enterprises.create(world.admin, data)
    assert refused.value.errors == {"uscc": "本区已有使用该统一社会信用代码的企业档案。"}
    names = db.session.scalars(sa.select(Enterprise.name).where(Enterprise.uscc == data["uscc"])).all()
    assert names == ["另一位管理员录入"]
