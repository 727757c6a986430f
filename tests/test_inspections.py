"""Inspection records: recusal, drafts, photos with flags, hazards, signature, refusal, finality."""

import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from fieldapp import roles
from fieldapp.errors import Forbidden, InputError, ServiceError
from fieldapp.models import Hazard, Inspection, InterestDeclaration, User
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import checklists, inspections
from tests.factories import complete, signature_url
from tests.helpers import csrf_token, logged_in, post
from tests.images import jpeg


@pytest.fixture
def started(world, db):
    return inspections.start(world.inspector_a1, world.ent_a1)


def test_start_copies_the_general_checklist(started, world):
    assert started.state == "draft" and re.fullmatch(r"XJ-\d{8}-\d{6}", started.number)
    assert len(started.results) == len(checklists.GENERAL_ITEMS) >= 20
    assert {"消防安全", "用电安全", "危险化学品", "有限空间", "粉尘防爆"} <= {r.category for r in started.results}


def test_same_client_uuid_gives_the_same_record(world, db):
    uid = "6f1c2a7e-1d9b-4c51-9a53-0c2c6f8f9d10"
    first = inspections.start(world.inspector_a1, world.ent_a1, uid)
    assert inspections.start(world.inspector_a1, world.ent_a1, uid).id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1


def test_start_answers_with_the_drafts_form_in_one_round_trip(client, world, db):
    """开始检查 gets the form itself (no redirect's extra round trip on a weak link), which names its
    own address, and a second send of the same tap reopens the same draft."""
    logged_in(client, "insp_a1")
    uid = "0d4c33c1-7a43-4b7e-8c4f-3f5d6c1b2a90"
    first = post(client, f"/enterprises/{world.ent_a1.id}/inspections", {"uuid": uid})
    draft = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == uid))
    address = f"/inspections/{draft.id}"
    assert first.status_code == 201
    assert first.headers["Location"] == first.headers["Content-Location"] == address
    page = first.get_data(as_text=True)
    assert f'<link rel="canonical" href="{address}">' in page
    # The record's form posts to the draft whatever address the browser shows (scripts off included).
    assert re.search(rf'<form method="post" id="record-form" action="{address}"', page)
    again = post(client, f"/enterprises/{world.ent_a1.id}/inspections", {"uuid": uid})
    assert again.status_code == 201 and again.headers["Location"] == address
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
    # Signed since, the same tap (a home page kept by Back) shows the record, not a form for it.
    complete(draft, world.inspector_a1)
    inspections.sign(world.inspector_a1, draft, "朱春生", "", signature_url(), inspections.summary_sha256(draft))
    after = post(client, f"/enterprises/{world.ent_a1.id}/inspections", {"uuid": uid})
    assert after.status_code == 302 and after.headers["Location"] == address
    assert "已签字定稿" in client.get(address).get_data(as_text=True)


def test_recused_inspector_is_refused_with_the_reason(client, world, db):
    db.session.add(
        InterestDeclaration(
            user_id=world.inspector_a1.id, enterprise_id=world.ent_a1.id, kind="relative", status="pending"
        )
    )
    db.session.commit()
    with pytest.raises(Forbidden, match="应当回避"):
        inspections.start(world.inspector_a1, world.ent_a1)
    logged_in(client, "insp_a1")
    page = client.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
    assert "亲属在该企业任职" in page and "开始现场检查" not in page
    refused = post(client, f"/enterprises/{world.ent_a1.id}/inspections", token_from=f"/enterprises/{world.ent_a1.id}")
    assert refused.status_code == 403 and "应当回避" in refused.get_data(as_text=True)


def test_other_grids_and_other_roles_cannot_start(make_client, world):
    other = logged_in(make_client(), "insp_b1")
    assert post(other, f"/enterprises/{world.ent_a1.id}/inspections").status_code == 404
    officer = logged_in(make_client(), "officer_a")
    assert post(officer, f"/enterprises/{world.ent_a1.id}/inspections").status_code == 403


def test_position_and_distance_are_recorded_and_far_is_flagged(started, world):
    complete(started, world.inspector_a1)
    assert started.distance_m < 100
    inspections.update(world.inspector_a1, started, {"latitude": "31.27", "longitude": "120.6"}, {})
    assert started.distance_m > 1000


def test_photo_flags_old_and_faraway_pictures(started, world):
    old = inspections.add_photo(world.inspector_a1, started, jpeg(taken="2024:01:01 09:00:00"))
    far = inspections.add_photo(world.inspector_a1, started, jpeg(gps=(31.5, 120.9), color=(1, 2, 3)))
    fresh = inspections.add_photo(world.inspector_a1, started, jpeg(color=(9, 9, 9)))
    assert (old.flag_time, old.flag_place) == (True, False)
    assert (far.flag_time, far.flag_place) == (False, True)
    assert (fresh.flag_time, fresh.flag_place) == (False, False)


def test_the_same_photo_twice_is_attached_once(started, world):
    data = jpeg()
    assert (
        inspections.add_photo(world.inspector_a1, started, data).id
        == inspections.add_photo(world.inspector_a1, started, data).id
    )
    assert len(started.photos) == 1


def test_hazard_needs_a_photo(started, world, db):
    with pytest.raises(InputError) as refused:
        inspections.report_hazard(world.inspector_a1, started, HazardReport("消防通道堵塞", "仓库", "general", "", []))
    assert "至少一张现场照片" in refused.value.errors["photos"]
    link = inspections.add_photo(world.inspector_a1, started, jpeg())
    hazard = inspections.report_hazard(
        world.inspector_a1, started, HazardReport("消防通道堵塞", "仓库", "major", "", [link.id])
    )
    assert hazard.status == "reported" and hazard.photos == [link.photo]


def test_signing_refuses_what_is_incomplete_stale_or_a_dot(started, world):
    with pytest.raises(InputError) as refused:
        inspections.sign(world.inspector_a1, started, "朱春生", "", signature_url(), "x")
    assert {"id_shown", "parts", "findings", "measures", "results"} <= set(refused.value.errors)
    complete(started, world.inspector_a1)
    shown = inspections.summary_sha256(started)
    with pytest.raises(InputError, match="重新阅读"):
        inspections.sign(world.inspector_a1, started, "朱春生", "", signature_url(), "0" * 64)
    with pytest.raises(InputError, match="过于简单"):
        inspections.sign(world.inspector_a1, started, "朱春生", "", signature_url(dot=True), shown)
    with pytest.raises(InputError, match="请在签名框内签字"):
        inspections.sign(world.inspector_a1, started, "朱春生", "", "", shown)
    with pytest.raises(InputError, match="签名数据无效"):
        inspections.sign(world.inspector_a1, started, "朱春生", "", "data:image/png;base64,bm90IGEgcG5n", shown)
    assert started.state == "draft"


def test_signed_record_is_final_and_its_hash_detects_tampering(started, world, db):
    complete(started, world.inspector_a1)
    link = inspections.add_photo(world.inspector_a1, started, jpeg())
    inspections.report_hazard(
        world.inspector_a1, started, HazardReport("消防通道堵塞", "仓库", "general", "", [link.id])
    )
    shown = inspections.summary_sha256(started)
    inspections.sign(world.inspector_a1, started, "朱春生", "同意，立即整改", signature_url(), shown)
    assert started.state == "signed" and started.summary_sha256 == shown and inspections.verify(started)
    assert hashlib.sha256(inspections.summary_text(started).encode()).hexdigest() == shown
    for attempt in (
        lambda: inspections.update(world.inspector_a1, started, {"findings": "改了"}, {}),
        lambda: inspections.add_photo(world.inspector_a1, started, jpeg(color=(5, 5, 5))),
        lambda: inspections.remove_photo(world.inspector_a1, started, link.id),
        lambda: inspections.delete_draft(world.inspector_a1, started),
    ):
        with pytest.raises(ServiceError, match="不能再修改"):
            attempt()
    # Someone with database access edits the record behind the app's back: the hash says so.
    db.session.execute(sa.update(Inspection).where(Inspection.id == started.id).values(findings="一切正常"))
    db.session.commit()
    db.session.refresh(started)
    assert not inspections.verify(started)


def test_refusal_to_sign_needs_reason_and_photo(started, world):
    complete(started, world.inspector_a1)
    with pytest.raises(InputError) as refused:
        inspections.refuse(world.inspector_a1, started, "", "", None)
    assert set(refused.value.errors) == {"refusal_reason", "refusal_photo"}
    inspections.refuse(world.inspector_a1, started, "某经理", "认为检查结论不公，拒绝签字", jpeg())
    assert started.state == "refused" and started.refusal_photo is not None and inspections.verify(started)


def test_corrections_go_into_a_supplementary_record(started, world):
    complete(started, world.inspector_a1)
    inspections.refuse(world.inspector_a1, started, "", "拒签", jpeg())
    extra = inspections.supplement(world.inspector_a1, started)
    assert extra.supplements_id == started.id and extra.state == "draft" and started.state == "refused"


def test_only_the_author_edits_or_deletes_a_draft(started, world, factory):
    colleague = factory.user("grid_inspector", grids=[world.grid_a1], username="colleague")
    with pytest.raises(Forbidden):
        inspections.update(colleague, started, {"findings": "x"}, {})
    with pytest.raises(Forbidden):
        inspections.delete_draft(colleague, started)
    inspections.delete_draft(world.inspector_a1, started)


def test_who_reads_which_record(make_client, world, started, db, factory):
    path = f"/inspections/{started.id}"
    assert logged_in(make_client(), "insp_b1").get(path).status_code == 404
    assert logged_in(make_client(), "company_a1").get(path).status_code == 404  # a draft is the inspector's
    colleague = factory.user("grid_inspector", grids=[world.grid_a1], username="colleague")
    assert logged_in(make_client(), colleague.username).get(path).status_code == 404
    complete(started, world.inspector_a1)
    inspections.refuse(world.inspector_a1, started, "", "拒签", jpeg())
    company = logged_in(make_client(), "company_a1")
    page = company.get(path).get_data(as_text=True)
    assert started.number in page and started.content_hash in page
    assert logged_in(make_client(), "company_b1").get(path).status_code == 404
    assert logged_in(make_client(), "officer_a").get(path).status_code == 200


def test_photos_are_served_only_inside_the_scope(make_client, world, started):
    link = inspections.add_photo(world.inspector_a1, started, jpeg(taken="2026:11:22 10:00:00"))
    mine = logged_in(make_client(), "insp_a1")
    for variant in ("display", "thumb", "original"):
        response = mine.get(f"/photos/{link.photo_id}/{variant}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    original = mine.get(f"/photos/{link.photo_id}/original").data
    assert hashlib.sha256(original).hexdigest() == link.photo.original.sha256
    other = logged_in(make_client(), "insp_b1")
    assert other.get(f"/photos/{link.photo_id}/display").status_code == 404
    assert other.get(f"/photos/{link.photo_id}/secret").status_code == 404


def test_web_flow_from_start_to_signature(client, world, db):
    logged_in(client, "insp_a1")
    start = post(client, f"/enterprises/{world.ent_a1.id}/inspections", token_from=f"/enterprises/{world.ent_a1.id}")
    path = start.headers["Location"]
    inspection = db.session.scalar(sa.select(Inspection))
    token = csrf_token(client, path)
    form = {
        "csrf_token": token,
        "parts": "车间",
        "content": "全面检查",
        "findings": "良好",
        "measures": "无",
        "work_id_number": "WZ1",
        "id_shown": "1",
        "next": "sign",
    }
    form.update({f"result-{r.id}": "pass" for r in inspection.results})
    response = client.post(path, data=form)
    assert response.headers["Location"].endswith("/sign")
    sign_page = client.get(response.headers["Location"]).get_data(as_text=True)
    shown = re.search(r'name="summary_sha256" value="([0-9a-f]{64})"', sign_page).group(1)
    bad = client.post(
        response.headers["Location"],
        data={"csrf_token": token, "summary_sha256": shown, "signer_name": "朱春生", "signature": ""},
    )
    assert bad.status_code == 400 and "请在签名框内签字" in bad.get_data(as_text=True)
    ok = client.post(
        response.headers["Location"],
        data={
            "csrf_token": token,
            "summary_sha256": shown,
            "signer_name": "朱春生",
            "signer_opinion": "同意",
            "signature": signature_url(),
        },
    )
    assert ok.status_code == 302
    record = client.get(path).get_data(as_text=True)
    assert "已签字定稿" in record and "校验一致" in record
    printed = client.get(f"{path}/print").get_data(as_text=True)
    assert "data:image/svg+xml" in printed and inspection.number in printed
    again = client.post(response.headers["Location"], data={"csrf_token": token})
    assert again.status_code == 302  # a second tap after signing just shows the record


def test_web_upload_of_a_bad_photo_keeps_the_draft(client, world, started):
    logged_in(client, "insp_a1")
    path = f"/inspections/{started.id}"
    token = csrf_token(client, path)
    response = client.post(
        f"{path}/photos",
        data={"csrf_token": token, "photos": (io.BytesIO(b"<svg/>"), "a.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400  # nothing added: the draft again, with the reason
    page = response.get_data(as_text=True)
    assert "这不是照片" in page and started.number in page


def test_web_hazard_with_a_new_photo(client, world, started, db):
    first = complete(started, world.inspector_a1)
    logged_in(client, "insp_a1")
    path = f"/inspections/{started.id}/hazards/new?item_result_id={first.id}"
    token = csrf_token(client, path)
    no_photo = client.post(path, data={"csrf_token": token, "description": "通道堵塞", "level": "general"})
    assert no_photo.status_code == 400 and "至少一张现场照片" in no_photo.get_data(as_text=True)
    assert "通道堵塞" in no_photo.get_data(as_text=True)
    ok = client.post(
        path,
        data={
            "csrf_token": token,
            "description": "通道堵塞",
            "level": "general",
            "uuid": "0b8e0f52-6c55-4f0e-8f1b-1f6d2b1e7a01",
            "photos": (io.BytesIO(jpeg()), "p.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    hazard = db.session.scalars(sa.select(Hazard)).one()
    assert hazard.item_result_id == first.id and len(hazard.photos) == 1


def test_admin_edits_an_industry_checklist_without_changing_old_records(client, world, started, db):
    world.ent_a2.industry = "C26"
    db.session.commit()
    logged_in(client, "admin_d")
    response = post(
        client,
        "/checklists/new",
        {
            "name": "化工企业检查表",
            "industry": "C26",
            "active": "1",
            "lines": "危化品 | 储罐区防火堤完好 | GB 50351\n重大危险源备案",
        },
        token_from="/checklists/new",
    )
    assert response.status_code == 302
    record = inspections.start(world.tech_a2, world.ent_a2)
    assert [r.text for r in record.results] == ["储罐区防火堤完好", "重大危险源备案"]
    assert started.results[0].text == checklists.GENERAL_ITEMS[0][1]
    bad = post(client, "/checklists/new", {"name": "", "industry": "Q1", "lines": ""}, token_from="/checklists/new")
    assert bad.status_code == 400 and "请填写检查表名称" in bad.get_data(as_text=True)
    assert logged_in(client.application.test_client(), "insp_a1").get("/checklists").status_code == 403


def test_a_photo_over_the_request_limit_returns_to_the_draft_with_a_message(app, client, world, started):
    logged_in(client, "insp_a1")
    path = f"/inspections/{started.id}"
    token = csrf_token(client, path)
    big = b"\xff\xd8" + b"\x00" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post(
        f"{path}/photos",
        data={"csrf_token": token, "photos": (io.BytesIO(big), "huge.jpg")},
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost{path}"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(path)
    assert "上传的内容超过 32 MB" in client.get(path).get_data(as_text=True)


def test_patrol_list_starts_an_inspection_in_one_tap(client, world, db):
    logged_in(client, "insp_a1")
    page = client.get("/inspections/patrol").get_data(as_text=True)
    assert world.ent_a1.name in page and world.ent_b1.name not in page and "从未检查" in page
    uid = re.search(r'name="uuid" value="([0-9a-f-]{36})"', page).group(1)
    token = csrf_token(client, "/inspections/patrol")
    action = re.search(r'action="(/enterprises/\d+/inspections)"', page).group(1)
    first = client.post(action, data={"csrf_token": token, "uuid": uid})
    again = client.post(action, data={"csrf_token": token, "uuid": uid})  # a double tap
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1


def test_the_checklist_is_the_industrys_newest_active_one_else_the_general_one(world, db):
    general = checklists.template_for(world.ent_a2)
    assert general.industry is None
    world.ent_a2.industry = "C26"
    db.session.commit()
    assert checklists.template_for(world.ent_a2).id == general.id  # no template for C26 yet
    older = checklists.save_template(world.admin, None, "化工检查表", "C26", "安全管理 | 制度是否健全 | ")
    newer = checklists.save_template(world.admin, None, "化工检查表（新）", "C26", "安全管理 | 台账是否齐全 | ")
    checklists.save_template(world.admin, None, "纺织检查表", "C17", "安全管理 | 消防通道 | ")
    assert checklists.template_for(world.ent_a2).id == newer.id
    checklists.save_template(world.admin, newer, newer.name, "C26", "安全管理 | 台账是否齐全 | ", active=False)
    assert checklists.template_for(world.ent_a2).id == older.id
    checklists.save_template(world.admin, older, older.name, "C26", "安全管理 | 制度是否健全 | ", active=False)
    assert checklists.template_for(world.ent_a2).id == general.id


def test_the_record_page_loads_every_collection_as_its_relationship_does(make_client, factory, world, db):
    """The record page loads its results, photos and hazards by statements of its own: the same
    rows in the same order as the relationships, and a hash that still verifies."""
    partner = factory.user(roles.GRID_INSPECTOR, grids=[world.grid_a1], username="insp_a1_partner")
    record = inspections.start(world.inspector_a1, world.ent_a1)
    complete(record, world.inspector_a1)
    inspections.update(world.inspector_a1, record, {}, {}, [partner.id])
    links = [inspections.add_photo(world.inspector_a1, record, jpeg(320, 240, color=(9 * i, 40, 40))) for i in range(5)]
    for first in (0, 2):
        inspections.report_hazard(
            world.inspector_a1,
            record,
            HazardReport(f"隐患{first}", "仓库", "general", "", [links[first].id, links[first + 1].id]),
        )
    shown = inspections.summary_sha256(record)
    inspections.sign(world.inspector_a1, record, "朱春生", "同意", signature_url(), shown)

    def collections(r):
        return (
            [u.username for u in r.co_inspectors],
            [(x.id, x.position) for x in r.results],
            [(p.id, p.photo.original.sha256) for p in r.photos],
            [(h.id, [p.original.sha256 for p in h.photos]) for h in r.hazards],
        )

    record_id, photo_ids, inspector_id = record.id, [lk.photo_id for lk in links], world.inspector_a1.id
    db.session.expunge_all()
    expected = collections(db.session.get(Inspection, record_id))
    db.session.expunge_all()
    loaded = inspections.get(db.session.get(User, inspector_id), record_id)
    assert collections(loaded) == expected and inspections.verify(loaded)
    assert len(expected[2]) == 5 and [len(h[1]) for h in expected[3]] == [2, 2] and expected[0] == ["insp_a1_partner"]

    page = logged_in(make_client(), "insp_a1").get(f"/inspections/{record_id}").get_data(as_text=True)
    assert "校验一致" in page
    photo_section = page[page.index('id="photos"') : page.index('id="signature"')]
    assert [int(i) for i in re.findall(r"/photos/(\d+)/display", photo_section)] == photo_ids
