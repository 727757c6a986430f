"""Suspected duplicate hazards (issue 34): the server's measure agrees with the phone's on the
shared cases, and an officer's queue groups what looks like one hazard reported twice."""

import json
import re
import uuid
from pathlib import Path

import sqlalchemy as sa

from fieldapp.models import Hazard, HazardEvent, Inspection, Notification
from fieldapp.schemas.commands.hazards import HazardReport
from fieldapp.services import duplicates, inspections
from tests.factories import offline_record, send, set_hazard
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg

CASES = json.loads((Path(__file__).parent / "similarity_cases.json").read_text(encoding="utf-8"))["cases"]


def test_alike_or_not_as_the_phone_says():
    for a, b, alike in CASES:
        assert (duplicates.similarity(a, b) >= duplicates.THRESHOLD) is alike, (a, b, duplicates.similarity(a, b))


def _report(world, description, place="仓库", enterprise=None, user=None):
    user = user or world.inspector_a1
    record = inspections.start(user, enterprise or world.ent_a1)
    link = inspections.add_photo(user, record, jpeg(64, 48, color=(len(description) * 9 % 255, 20, 30)))
    return inspections.report_hazard(user, record, HazardReport(description, place, "general", "", [link.id]))


def test_the_officers_queue_groups_suspected_duplicates(client, world, db):
    first = _report(world, "消防通道堵塞")
    other = _report(world, "员工未佩戴安全帽")
    again = _report(world, "消防通道被杂物堵塞")
    elsewhere = _report(
        world, "消防通道堵塞", enterprise=world.ent_a2, user=world.tech_a2
    )  # another enterprise: not a duplicate
    found = duplicates.suspects([first, other, again, elsewhere])
    assert [h.id for h in found[first.id]] == [again.id] and [h.id for h in found[again.id]] == [first.id]
    assert other.id not in found and elsewhere.id not in found
    groups = duplicates.grouped([again, other, first, elsewhere], found)
    assert [[h.id for h in g] for g in groups] == [[again.id, first.id], [other.id], [elsewhere.id]]

    logged_in(client, "officer_d")
    html = client.get("/hazards/?tab=to_confirm").get_data(as_text=True)
    group = re.search(r'<li class="dup-group".*?</ul>\s*</li>', html, re.S)
    assert group, html[:2000]
    ids = re.findall(r'href="/hazards/(\d+)"', group.group(0))
    assert sorted(set(map(int, ids))) == sorted([first.id, again.id])
    assert "疑似重复" in group.group(0)
    assert f'href="/hazards/{other.id}"' not in group.group(0)


def _sync_with_followup(client, world, db, hazard_id, note="通道仍被堵塞"):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    payload["followups"] = [
        {
            "uuid": str(uuid.uuid4()),
            "hazard_id": hazard_id,
            "note": note,
            "media_uuids": [payload["photos"][2]["media_uuid"]],
        }
    ]
    return payload, send(client, token, payload)


def test_evidence_for_an_open_hazard_joins_it_instead_of_a_second_report(client, world, db):
    hazard = _report(world, "消防通道堵塞")
    before = db.session.scalar(sa.select(sa.func.count(Hazard.id)))
    payload, response = _sync_with_followup(client, world, db, hazard.id)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Hazard.id))) == before + 2  # the record's own two, no third
    db.session.expire_all()
    event = db.session.scalar(
        sa.select(HazardEvent).where(HazardEvent.hazard_id == hazard.id, HazardEvent.action == "evidence")
    )
    record = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"]))
    assert event.note == "通道仍被堵塞" and len(event.photos) == 1 and event.data == {"inspection": record.number}
    assert event.from_status == event.to_status == "reported" and event.client_uuid == payload["followups"][0]["uuid"]
    assert event.photos[0].original.sha256 in {p.photo.original.sha256 for p in record.photos}
    # The officers who will decide on it are told.
    assert db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.kind == "evidence", Notification.hazard_id == hazard.id
        )
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "officer_d")
    assert "补充现场证据" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)


def test_evidence_for_a_hazard_closed_meanwhile_still_reaches_it(client, world, db):
    """Closed while the phone was offline: the signed record is not changed behind the manager's
    back; the closed hazard gets the evidence and its officer is told, to open a new one if need be."""
    hazard = _report(world, "灭火器过期", place="二楼")
    set_hazard(hazard, status="closed", officer_id=world.officer_a.id)
    payload, response = _sync_with_followup(client, world, db, hazard.id, note="灭火器仍然过期")
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    event = db.session.scalar(sa.select(HazardEvent).where(HazardEvent.client_uuid == payload["followups"][0]["uuid"]))
    assert event.hazard_id == hazard.id and event.from_status == event.to_status == "closed"
    told = sa.select(Notification.user_id).where(Notification.kind == "evidence", Notification.hazard_id == hazard.id)
    assert db.session.scalars(told).all() == [world.officer_a.id]


def test_evidence_must_be_for_the_enterprise_visited(client, world, db):
    other = _report(world, "消防通道堵塞", enterprise=world.ent_a1_other)
    _payload, response = _sync_with_followup(client, world, db, other.id)
    assert response.status_code == 422
    assert "不属于本次检查的企业" in response.get_json()["fields"]["followups"]


def test_the_pack_tells_the_item_each_open_hazard_was_found_on(client, world, db):
    hazard = _report(world, "消防通道堵塞")
    record = hazard.inspection
    item = record.results[0]
    db.session.execute(sa.update(Hazard).where(Hazard.id == hazard.id).values(item_result_id=item.id))
    db.session.commit()
    logged_in(client, "insp_a1")
    pack = client.get("/api/v1/pack").get_json()
    shown = next(h for e in pack["enterprises"] for h in e["open_hazards"] if h["id"] == hazard.id)
    assert shown["item_id"] == item.item_id and shown["item_text"] == item.text
