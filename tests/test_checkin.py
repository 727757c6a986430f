"""一企一码 (issue 34): the enterprise's signed code, its rotation, the link it carries, and the scan
an offline record keeps — flagged, never silently accepted, when it is another enterprise's code,
an old rotated one, a forged one, or scanned far from the site."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.models import Enterprise, Inspection
from fieldapp.services import checkin, inspections
from tests.factories import offline_record, send
from tests.helpers import csrf_token, logged_in

NEAR = {"latitude": 31.2603, "longitude": 120.6004, "accuracy_m": 12}  # ent_a1 is at 31.26, 120.6
FAR = {"latitude": 31.30, "longitude": 120.65, "accuracy_m": 20}  # ~6 km away


def test_a_code_verifies_for_its_enterprise_and_version_only(app, world, db):
    token = checkin.token_for(world.ent_a1)
    assert checkin.verify(token) == (world.ent_a1, [])
    assert checkin.verify(f"https://anywhere.example/q/{token}")[1] == []  # the poster's URL, any host
    eid, version, signature = token.split(".")
    tampered = f"{eid}.{version}.{'A' * 16}"
    assert checkin.verify(tampered)[1] == ["forged"]
    # Another enterprise's id under this signature is forged, not "another enterprise".
    assert checkin.verify(f"{world.ent_a2.id}.{version}.{signature}")[1] == ["forged"]
    # A version signed but never issued (ahead of the enterprise's) is not accepted either.
    world.ent_a1.checkin_version = 1
    ahead = checkin._signature(world.ent_a1.id, 5)
    assert checkin.verify(f"{eid}.5.{ahead}")[1] == ["forged"]
    for junk in ("", "hello", f"{eid}.{version}", "1.1.短", "9" * 40):
        assert checkin.verify(junk)[1] == ["forged"], junk


def test_rotating_voids_the_old_poster(app, world, db):
    old = checkin.token_for(world.ent_a1)
    checkin.rotate(world.admin, world.ent_a1)
    new = checkin.token_for(world.ent_a1)
    assert new != old and world.ent_a1.checkin_version == 2
    assert checkin.verify(old)[1] == ["rotated"]
    assert checkin.verify(new)[1] == []


def _scan(token, position=NEAR, minutes=2):
    return {
        "token": token,
        "at": (clock.now() - timedelta(hours=3) + timedelta(minutes=minutes)).isoformat(),
        "position": position,
    }


@pytest.mark.parametrize(
    ("case", "position", "flags"),
    [
        ("own", NEAR, []),
        ("other", NEAR, ["wrong_enterprise"]),
        ("rotated", NEAR, ["rotated"]),
        ("forged", NEAR, ["forged"]),
        ("own", FAR, ["far"]),
        ("own", None, ["unlocated"]),
        ("other", FAR, ["wrong_enterprise", "far"]),
    ],
)
def test_the_record_keeps_the_scan_and_what_is_wrong_with_it(client, world, db, case, position, flags):
    tokens = {"own": checkin.token_for(world.ent_a1), "other": checkin.token_for(world.ent_a2)}
    if case == "rotated":
        tokens["rotated"] = tokens["own"]
        checkin.rotate(world.admin, world.ent_a1)
    if case == "forged":
        tokens["forged"] = tokens["own"][:-16] + "B" * 16
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    payload["checkin"] = _scan(tokens[case], position)
    response = send(client, token, payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    record = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"]))
    assert record.checkin["token"] == tokens[case] and record.checkin["flags"] == flags
    assert record.checkin["position"] == position
    if position is NEAR:
        assert record.checkin["distance_m"] < 100
    assert inspections.verify(record)  # the scan is inside the record's hash
    page = client.get(f"/inspections/{record.id}").get_data(as_text=True)
    assert 'id="checkin"' in page
    for flag in flags:
        assert f'data-flag="{flag}"' in page and str(checkin.FLAGS[flag]) in page
    # Changed afterwards, the record no longer verifies.
    db.session.execute(
        sa.update(Inspection).where(Inspection.id == record.id).values(checkin={**record.checkin, "flags": []})
    )
    db.session.commit()
    db.session.expire_all()
    if flags:
        assert not inspections.verify(db.session.get(Inspection, record.id))


def test_a_record_without_a_scan_says_so(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    assert send(client, token, payload).status_code == 201
    record = db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"]))
    assert record.checkin is None and inspections.verify(record)
    assert "未扫码（手工选择企业）" in client.get(f"/inspections/{record.id}").get_data(as_text=True)


def test_a_bad_scan_in_the_payload_is_a_clear_422(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    payload = offline_record(client, token, world, db)
    payload["checkin"] = {"token": "", "at": "yesterday"}
    response = send(client, token, payload)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "checkin" in body


def test_the_link_a_phone_camera_opens(client, world, db):
    token = checkin.token_for(world.ent_a1)
    assert client.get(f"/q/{token}").status_code == 302  # to the login first
    logged_in(client, "insp_a1")
    answer = client.get(f"/q/{token}")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/capture?enterprise={world.ent_a1.id}&scan={token}"
    assert client.get(f"/q/{token[:-16]}{'C' * 16}").status_code == 404  # forged
    # Out of the inspector's scope: no enterprise revealed.
    assert client.get(f"/q/{checkin.token_for(world.ent_b1)}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "company_a1")
    answer = client.get(f"/q/{token}")
    assert answer.headers["Location"].endswith(f"/enterprises/{world.ent_a1.id}")


def test_the_poster_and_its_rotation_are_the_admins(client, world, db):
    logged_in(client, "admin_d")
    page = client.get(f"/enterprises/{world.ent_a1.id}/code")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.ent_a1.name in html and 'id="qr-checkin"' in html and "第 1 版" in html
    token = csrf_token(client, f"/enterprises/{world.ent_a1.id}/code")
    answer = client.post(f"/enterprises/{world.ent_a1.id}/code/rotate", data={"csrf_token": token})
    assert answer.status_code == 302
    assert db.session.get(Enterprise, world.ent_a1.id).checkin_version == 2
    assert "第 2 版" in client.get(f"/enterprises/{world.ent_a1.id}/code").get_data(as_text=True)
    shown = client.get(f"/enterprises/{world.ent_a1.id}").get_data(as_text=True)
    assert f"/enterprises/{world.ent_a1.id}/code" in shown
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    logged_in(client, "insp_a1")
    assert client.get(f"/enterprises/{world.ent_a1.id}/code").status_code == 403


def test_the_pack_carries_each_enterprise_code_version(client, world, db):
    checkin.rotate(world.admin, world.ent_a1)
    logged_in(client, "insp_a1")
    pack = client.get("/api/v1/pack").get_json()
    versions = {e["id"]: e["checkin_version"] for e in pack["enterprises"]}
    assert versions[world.ent_a1.id] == 2
