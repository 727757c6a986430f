"""What the fast capture form (issue 28) adds to the record the server keeps: answers given
together say so, a marked-up copy is filed beside its original, what the phone proposes comes in
the offline pack, and phones that queued records before all this still sync them unchanged."""

import hashlib
import json
import posixpath
import re

import sqlalchemy as sa

from fieldapp.models import AuditEvent, Inspection, InspectionPhoto, ItemResult
from fieldapp.services import audit, checklists, inspections
from fieldapp.services.audit import _columns, _digest
from tests.factories import offline_record, send, upload
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg


def _sync(client, world, db, change=None):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    if change:
        change(payload, client, token)
    response = send(client, token, payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"])), payload


def test_answers_given_together_are_recorded_so_and_kept_in_the_trail(client, world, db):
    def together(payload, *_):
        for r in payload["results"][1:]:
            r["bulk"] = True
        payload["results"][0]["bulk"] = True  # a failed item is never "passed together"

    record, _payload = _sync(client, world, db, together)
    flags = [(r.result, r.bulk) for r in record.results]
    assert flags[0] == ("fail", False) and all(f == ("pass", True) for f in flags[1:])
    assert inspections.verify(record)
    assert [r.position for r in record.results if r.bulk] == inspections.canonical(record)["bulk"]
    # The audit chain digested each result row with its flag: the trail says it was set together.
    row = record.results[1]
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "ItemResult", AuditEvent.object_id == str(row.id))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    assert event.after_sha256 == _digest(_columns(row, committed=False))
    assert event.after_sha256 != _digest({**_columns(row, committed=False), "bulk": False})
    assert audit.verify().ok
    # The record page says which answers were given together.
    page = client.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert page.count(">一并确认<") == len(record.results) - 1


def test_a_marked_copy_is_filed_beside_the_original_which_stays_the_evidence(client, world, db):
    marked_bytes = jpeg(640, 480, color=(230, 20, 20))

    def mark(payload, client_, token):
        payload["photos"][0]["marked_media_uuid"] = upload(client_, token, marked_bytes)
        payload["photos"][0]["caption"] = "配电箱门缺失"
        payload["photos"][0]["item_position"] = payload["results"][0]["position"]

    record, payload = _sync(client, world, db, mark)
    link = next(p for p in record.photos if p.marked_photo_id)
    assert link.caption == "配电箱门缺失" and link.item_result_id == record.results[0].id
    assert link.marked.original.sha256 == hashlib.sha256(marked_bytes).hexdigest()
    assert link.photo.original.sha256 != link.marked.original.sha256
    assert inspections.verify(record)
    assert inspections.canonical(record)["marked"] == [[link.photo.original.sha256, link.marked.original.sha256]]
    # Both are served to who may read the record; the page shows the marked copy, the original a tap away.
    assert client.get(f"/photos/{link.marked_photo_id}/display").status_code == 200
    page = client.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert f"/photos/{link.marked_photo_id}/thumb" in page and f"/photos/{link.photo_id}/display" in page
    assert "看原图" in page and "第 1 项" in page
    printed = client.get(f"/inspections/{record.id}/print").get_data(as_text=True)
    assert "标注图" in printed and "配电箱门缺失" in printed
    # Replaying the same payload changes nothing.
    token = csrf_token(client, "/")
    assert send(client, token, payload).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPhoto)) == 3


def test_a_record_queued_by_an_older_phone_still_syncs(client, world, db):
    """No bulk flags, no marked copies in the payload: the contract of before is unchanged."""

    def older(payload, *_):
        for r in payload["results"]:
            r.pop("bulk", None)
        for p in payload["photos"]:
            p.pop("marked_media_uuid", None)

    record, _payload = _sync(client, world, db, older)
    assert record.state == "signed" and inspections.verify(record)
    assert not any(r.bulk for r in record.results)
    assert "bulk" not in inspections.canonical(record) and "marked" not in inspections.canonical(record)


def test_a_changed_answer_is_no_longer_one_given_together(client, world, db):
    """A draft synced from the phone, then edited online: the changed answer was given alone."""

    def draft(payload, *_):
        payload.pop("finish", None)
        for r in payload["results"][1:]:
            r["bulk"] = True

    record, _payload = _sync(client, world, db, draft)
    row = record.results[1]
    inspections.update(world.inspector_a1, record, {}, {row.id: ("na", "不涉及")})
    db.session.expire_all()
    assert db.session.get(ItemResult, row.id).bulk is False
    assert db.session.get(ItemResult, record.results[2].id).bulk is True


def test_the_pack_proposes_the_last_visit_the_templates_defaults_and_common_findings(client, world, db):
    record, _payload = _sync(client, world, db)
    pack = client.get("/api/v1/pack").get_json()
    entry = next(e for e in pack["enterprises"] if e["id"] == world.ent_a1.id)
    assert entry["last_visit"] == {
        "at": record.started_at.isoformat(),
        "parts": "办公室、仓库",
        "content": "全面检查",
        "signer_name": "朱春生",
    }
    other = next(e for e in pack["enterprises"] if e["id"] == world.ent_a1_other.id)
    assert other["last_visit"] is None
    general = next(t for t in pack["templates"] if t["industry"] is None)
    assert general["default_parts"] == checklists.GENERAL_PARTS
    exits = next(i for i in general["items"] if i["text"].startswith("疏散通道"))
    assert exits["phrases"] == ["疏散通道堆放杂物", "安全出口上锁", "应急照明或疏散指示损坏"]


def test_admins_edit_common_findings_and_defaults_with_the_template(world, db):
    template = checklists.save_template(
        world.admin,
        None,
        "有限空间专项",
        "",
        "\n".join(
            [
                "有限空间 | 作业前检测 | 《工贸企业有限空间作业安全规定》 | 未检测；检测仪过期",
                "有限空间 | 设置警示标识",
            ]
        ),
        default_parts="污水池、储罐",
        default_content="有限空间作业",
    )
    assert [i.phrase_list for i in template.items] == [["未检测", "检测仪过期"], []]
    assert (template.default_parts, template.default_content) == ("污水池、储罐", "有限空间作业")
    lines = checklists.as_lines(template)
    assert lines.splitlines()[0] == "有限空间 | 作业前检测 | 《工贸企业有限空间作业安全规定》 | 未检测；检测仪过期"
    again = checklists.save_template(world.admin, template, template.name, "", lines)
    assert [i.phrase_list for i in again.items] == [["未检测", "检测仪过期"], []]


def test_the_form_and_its_modules_are_kept_on_the_phone(client):
    """Every module of the capture page is in the worker's precache (a phone offline can only run
    what it was given), and the page asks for the position target set for the deployment."""
    from fieldapp.web.pwa import CAPTURE_MODULES, PLAN_MODULES, SCAN_MODULES, SHELL_FILES
    from tests.browser.conftest import ROOT

    for folder, listed in (("capture", CAPTURE_MODULES), ("plan", PLAN_MODULES), ("scan", SCAN_MODULES)):
        on_disk = {p.stem for p in (ROOT / "static" / "js" / folder).glob("*.js")}
        assert on_disk == set(listed), folder
        assert all(f"js/{folder}/{m}.js" in SHELL_FILES for m in listed)
    worker = client.get("/sw.js").get_data(as_text=True)
    precached = set(json.loads(worker.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])["urls"])
    for module in CAPTURE_MODULES:  # under its content-hashed name
        assert any(re.fullmatch(rf"/static/js/capture/{module}\.[0-9a-f]{{12}}\.js", url) for url in precached)
    assert all(f"js/capture/{m}.js" in SHELL_FILES for m in CAPTURE_MODULES)
    # What each precached module imports is precached too, under the very name it is imported by.
    for url in [u for u in precached if u.endswith(".js")]:
        source = client.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
        for specifier in re.findall(r'from "(\.{1,2}/[^"]+)"', source):
            assert posixpath.normpath(posixpath.join(posixpath.dirname(url), specifier)) in precached, (url, specifier)
    page = client.get("/capture").get_data(as_text=True)
    assert 'data-gps-target="50"' in page and 'type="module"' in page
