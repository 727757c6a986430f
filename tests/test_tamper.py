"""Tampering with rows and files outside the application is caught and named (issue 29, item 6):
direct SQL that edits, deletes or inserts audited rows, and a stored evidence file replaced on disk."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.models import Hazard
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import corps, enterprises, hazards, inspections, interference, storage, tamper
from tests.factories import complete, confirm_values, report, signature_url
from tests.helpers import logged_in
from tests.images import noisy_jpeg


def _busy_day(world):
    """Changes of many kinds, all through the application."""
    record = inspections.start(world.inspector_a1, world.ent_a1)
    complete(record, world.inspector_a1)
    link = inspections.add_photo(world.inspector_a1, record, noisy_jpeg(400, 300))
    hazard = inspections.report_hazard(
        world.inspector_a1, record, HazardReport("消防通道堵塞", "仓库", "general", "", [link.id])
    )
    inspections.sign(world.inspector_a1, record, "朱春生", "", signature_url(), inspections.summary_sha256(record))
    hazards.confirm(world.officer_a, hazard, confirm_values())
    second = report(world)
    hazards.reject(world.officer_a, second, "不属实")
    row = interference.record(
        world.officer_a,
        {
            "leader_name": "王某",
            "leader_position": "副县长",
            "leader_unit": "某县人民政府",
            "manner": "phone",
            "conduct": "exoneration",
            "occurred_at": f"{clock.local(clock.now() - timedelta(hours=2)):%Y-%m-%dT%H:%M}",
            "request": "要求从轻处理。",
            "case_ref": "",
        },
    )
    # A move of an enterprise to another grid takes its hazards with it (a Core update), and a
    # dismissal takes an inspector off their grids.
    world.ent_a2.grid_id = world.grid_a1.id
    enterprises.record_change(world.ent_a2, world.admin, "updated", {"grid_id": (world.grid_a2.id, world.grid_a1.id)})
    corps.dismiss(world.admin, world.inspector_b1, "合同到期")
    db.session.commit()
    return record, hazard, link, row


def test_rows_written_by_the_application_all_match_the_trail(world, db):
    _busy_day(world)
    report_ = tamper.check_rows(batch=7)  # several batches of each table, as on a district
    assert report_.checked > 50 and report_.findings == [], report_.findings[:10]


def test_edits_deletions_and_insertions_outside_the_application_are_named(app, world, db):
    record, hazard, _link, row = _busy_day(world)
    hazard_id, row_id, inspector_id = hazard.id, row.id, world.inspector_a1.id
    db.session.execute(sa.text("UPDATE hazards SET description = '已整改完毕' WHERE id = :i"), {"i": hazard_id})
    db.session.execute(sa.text("DELETE FROM interference_records WHERE id = :i"), {"i": row_id})
    db.session.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'admin')"), {"u": inspector_id})
    db.session.commit()
    findings = {(f.kind, f.object_type, f.object_id) for f in tamper.check_rows().findings}
    assert findings == {
        ("changed", "Hazard", str(hazard_id)),
        ("deleted", "InterferenceRecord", str(row_id)),
        ("inserted", "UserRole", f"{inspector_id},admin"),
    }
    result = app.test_cli_runner().invoke(args=["fieldapp", "audit", "verify"])
    assert result.exit_code == 1
    assert f"Hazard #{hazard_id}：在应用之外被修改" in result.output
    assert f"InterferenceRecord #{row_id}：在应用之外被删除" in result.output
    assert "UserRole" in result.output and "在应用之外插入" in result.output


def test_a_record_edited_and_rehashed_in_the_database_shows_it(make_client, world, db):
    """Whoever edits a record in the database can recompute its content hash; the page still says
    the record no longer matches the trail."""
    record, *_ = _busy_day(world)
    client = logged_in(make_client(), "insp_a1")
    page = client.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert 'data-state="matches"' in page and "与审计链中最近一次记录一致" in page
    db.session.execute(sa.text("UPDATE inspections SET findings = '未发现问题' WHERE id = :i"), {"i": record.id})
    db.session.commit()
    db.session.expire_all()
    forged = inspections.compute_hash(db.session.get(type(record), record.id))
    db.session.execute(sa.text("UPDATE inspections SET content_hash = :h WHERE id = :i"), {"h": forged, "i": record.id})
    db.session.commit()
    page = client.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert "校验一致" in page  # its own hash was recomputed...
    assert 'data-state="changed"' in page and "记录在系统之外被修改" in page  # ...the chain was not
    printed = client.get(f"/inspections/{record.id}/print").get_data(as_text=True)
    assert "记录在系统之外被修改" in printed


def test_a_replaced_evidence_file_is_caught_and_never_served(app, make_client, world, db):
    _record, _hazard, link, _row = _busy_day(world)
    original = link.photo.original
    path = storage.current().path(original.sha256)
    genuine = path.read_bytes()
    path.write_bytes(noisy_jpeg(400, 300))  # someone with access to the disk swaps the evidence
    try:
        client = logged_in(make_client(), "insp_a1")
        served = client.get(f"/photos/{link.photo_id}/original")
        assert served.status_code == 409 and "校验值不符" in served.get_data(as_text=True)
        assert client.get(f"/photos/{link.photo_id}/display").status_code == 409  # no copy made of it either
        report_ = tamper.check_files()
        assert [(f.kind, f.sha256) for f in report_.findings] == [("mismatch", original.sha256)]
        runner = app.test_cli_runner()
        first = runner.invoke(args=["fieldapp", "audit", "files", "--limit", "1"])
        rest = runner.invoke(args=["fieldapp", "audit", "files", "--resume"])
        assert first.exit_code + rest.exit_code >= 1 and "内容与存档校验值不符" in first.output + rest.output
    finally:
        path.write_bytes(genuine)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == original.sha256
    assert tamper.check_files().findings == []


def test_baseline_records_rows_the_trail_cannot_vouch_for(world, db):
    _busy_day(world)
    db.session.execute(sa.text("INSERT INTO holidays (day, name, workday) VALUES ('2030-01-01', '元旦', false)"))
    db.session.commit()
    assert [f.kind for f in tamper.check_rows().findings] == ["inserted"]
    assert tamper.baseline() == 1
    assert tamper.check_rows().findings == []
    db.session.execute(sa.text("UPDATE hazards SET place = '二楼'"))
    db.session.commit()
    assert tamper.baseline() == 0  # a change is not accepted unless asked for
    assert {f.kind for f in tamper.check_rows().findings} == {"changed"}
    assert tamper.baseline(include_changed=True) == db.session.scalar(sa.select(sa.func.count()).select_from(Hazard))
    assert tamper.check_rows().findings == []
