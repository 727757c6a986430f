"""Syncing an inspection recorded offline: media first, then the record, exactly once."""

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from fieldapp import clock
from fieldapp.models import Hazard, Inspection, InspectionPhoto
from fieldapp.models import InterestDeclaration as DeclaredConflict
from fieldapp.services import inspections
from tests.factories import offline_record, send, upload
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg


def test_an_offline_record_arrives_complete_and_signed(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    response = send(client, token, payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    record = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"]))
    assert receipt["state"] == "signed" and record.state == "signed" and inspections.verify(record)
    started = datetime.fromisoformat(payload["started_at"])
    assert record.started_at == started  # the phone's time
    assert record.signed_at == started + timedelta(minutes=49)
    assert record.created_at > record.started_at  # ...and the server's receipt time beside it
    assert len(record.photos) == 3 and len(record.hazards) == 2
    assert {h.proposed_level for h in record.hazards} == {"general", "major"}
    assert record.distance_m < 100 and record.client_version == "2026.11.22"


def test_replaying_the_outbox_a_hundred_times_stores_one_record(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    assert send(client, token, payload).status_code == 201
    for _ in range(100):
        again = send(client, token, payload)
        assert again.status_code == 200 and again.get_json()["created"] is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Hazard)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InspectionPhoto)) == 3


def test_a_different_payload_under_the_same_uuid_is_409(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    assert send(client, token, payload).status_code == 201
    payload["fields"]["findings"] = "改过的内容"
    conflict = send(client, token, payload)
    assert conflict.status_code == 409 and "补充记录" in conflict.get_json()["message"]


def test_missing_media_stale_summary_and_bad_payloads_leave_nothing(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    missing = dict(payload, photos=payload["photos"] + [{"media_uuid": str(uuid.uuid4()), "caption": ""}])
    response = send(client, token, missing)
    assert response.status_code == 422 and "尚未上传" in response.get_json()["message"]
    stale = dict(payload, finish=dict(payload["finish"], summary_sha256="0" * 64))
    assert "重新阅读" in send(client, token, stale).get_json()["message"]
    future = dict(payload, started_at=(clock.now() + timedelta(days=3)).isoformat())
    assert "手机时钟" in send(client, token, future).get_json()["message"]
    old_app = {"uuid": payload["uuid"], "enterprise_id": world.ent_a1.id, "started_at": "yesterday", "checklist": []}
    invalid = send(client, token, old_app)
    assert invalid.status_code == 422 and {"started_at", "checklist"} <= set(invalid.get_json()["fields"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0
    assert send(client, token, payload).status_code == 201  # and the good payload still goes through


def test_rules_apply_as_online(make_client, world, db):
    insp = logged_in(make_client(), "insp_a1")
    token = csrf_token(insp, "/")
    payload = offline_record(insp, token, world, db, sign=False)
    db.session.add(
        DeclaredConflict(
            user_id=world.inspector_a1.id, enterprise_id=world.ent_a1.id, kind="shareholding", status="approved"
        )
    )
    db.session.commit()
    refused = send(insp, token, payload)
    assert refused.status_code == 403 and "应当回避" in refused.get_json()["message"]
    other = logged_in(make_client(), "insp_b1")
    assert send(other, csrf_token(other, "/"), payload).status_code == 404  # not their grid
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


def test_an_unsigned_offline_record_arrives_as_a_draft(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db, sign=False)
    assert send(client, token, payload).get_json()["state"] == "draft"


def test_the_checklist_wording_the_manager_read_is_kept(client, world, db):
    """The checklist was edited on the server after the phone last refreshed: the record
    keeps the wording shown on the phone, so the signed summary still matches."""
    logged_in(client, "insp_a1")
    me = client.get("/api/v1/me").get_json()
    token = me["csrf_token"]  # pages kept on the phone hold no token: the API gives the session's
    payload = offline_record(client, token, world, db, sign=False)
    payload["results"][0]["text"] = "旧版措辞：安全生产责任制"
    response = send(client, token, payload)
    assert response.status_code == 201, response.get_json()
    record = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"]))
    assert record.results[0].text == "旧版措辞：安全生产责任制"


def test_a_recheck_made_offline_arrives_once_and_keeps_its_time(make_client, world, db):
    from fieldapp.models import HazardEvent
    from fieldapp.services import hazards
    from tests.factories import PHOTO, confirm_values, report

    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    hazards.acknowledge(world.company_a1, h)
    hazards.submit(world.company_a1, h, "已整改", PHOTO)
    client = logged_in(make_client(), "insp_a1")
    pack = client.get("/api/v1/pack").get_json()
    assert [r["id"] for r in pack["rechecks"]] == [h.id]
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    at = clock.now() - timedelta(hours=3)
    body = {
        "uuid": str(uuid.uuid4()),
        "passed": True,
        "note": "已整改到位",
        "at": at.isoformat(),
        "position": {"latitude": 31.26, "longitude": 120.6, "accuracy_m": 8},
        "media_uuids": [str(uuid.uuid4())],
    }
    path = f"/api/v1/hazards/{h.id}/rechecks"
    missing = client.post(path, json=body, headers={"X-CSRFToken": token})
    assert missing.status_code == 422 and "尚未上传" in missing.get_json()["message"]
    body["media_uuids"] = [upload(client, token, jpeg(color=(1, 2, 3)))]
    first = client.post(path, json=body, headers={"X-CSRFToken": token})
    assert first.status_code == 201 and first.get_json()["status"] == "closed"
    for _ in range(5):
        again = client.post(path, json=body, headers={"X-CSRFToken": token})
        assert again.status_code == 200 and again.get_json()["event_id"] == first.get_json()["event_id"]
    event = db.session.get(HazardEvent, first.get_json()["event_id"])
    assert abs((event.created_at - at).total_seconds()) < 1 and "received_at" in event.data
    assert len(event.photos) == 1 and event.data["latitude"] == 31.26
    other = dict(body, uuid=str(uuid.uuid4()))
    late = client.post(path, json=other, headers={"X-CSRFToken": token})
    assert late.status_code == 409 and "不能" in late.get_json()["message"]
    assert client.get("/api/v1/pack").get_json()["rechecks"] == []
    outsider = logged_in(make_client(), "insp_b1")
    token_b = outsider.get("/api/v1/me").get_json()["csrf_token"]
    assert (
        outsider.post(path, json=dict(body, uuid=str(uuid.uuid4())), headers={"X-CSRFToken": token_b}).status_code
        == 404
    )


#: A synced record (3 photos, 2 hazards, signed) is written in a few batched flushes, not one per
#: service call (2026-11-23: this record 16 -> 7 flushes, 55 -> 41 statements besides the
#: checklist's rows). Statements include the session, scope, recusal and notification queries.
#: SQLite inserts the rows of one table one by one where PostgreSQL batches them. Later that day
#: 36 -> 32 on PostgreSQL: the uploads' stored files come with the query that finds the uploads
#: (one query per photo and signature before).
SYNC_BUDGET = {"statements": {"sqlite": 39, "postgresql": 32}, "flushes": 7}


def test_a_synced_record_is_written_in_a_few_flushes(client, world, db):
    from sqlalchemy.orm import Session

    from fieldapp.models import AuditEvent
    from tests.helpers import counting

    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    flushes = []
    original = Session._flush

    def counted(self, objects=None):
        if self.new or self.dirty or self.deleted:
            flushes.append(1)
        return original(self, objects)

    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq)))
    Session._flush = counted
    try:
        with counting() as statements:
            response = send(client, token, payload)
    finally:
        Session._flush = original
    assert response.status_code == 201, response.get_data(as_text=True)
    # The checklist's rows are one INSERT on PostgreSQL and one per row on SQLite: not counted.
    counted_statements = [x for x in statements if not x.startswith("INSERT INTO inspection_item_results")]
    assert len(counted_statements) <= SYNC_BUDGET["statements"][db.engine.dialect.name], counted_statements
    assert len(flushes) <= SYNC_BUDGET["flushes"]
    # Fewer flushes, the same trail: every row the record wrote is on it, the record itself once
    # created and updated only by the flushes after its first.
    db.session.expire_all()
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.object_type).where(AuditEvent.seq > before)
    ).all()
    assert events.count(("create", "Inspection")) == 1 and events.count(("create", "Hazard")) == 2
    assert events.count(("create", "InspectionPhoto")) == 3 and events.count(("create", "Photo")) == 3
    assert events.count(("update", "Inspection")) <= len(flushes) - 1
