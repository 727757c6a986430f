"""Requests built to break the server (issue 29): JSON nested without end, times that do not exist
in UTC, ids given as text or fractions, identifiers with NUL — each a clear 4xx naming what is
wrong, never a 500."""

import uuid

import pytest

from tests.factories import offline_record, report, send
from tests.helpers import csrf_token, logged_in

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def inspector(client, world):
    logged_in(client, "insp_a1")
    return client, csrf_token(client, "/")


@pytest.fixture
def hazard(world):
    """A hazard of the inspector's grid, so that a re-check's body is read at all."""
    return report(world)


@pytest.mark.parametrize(
    "method,path",
    [("post", "/api/v1/inspections"), ("patch", "/api/v1/me"), ("post", "/api/v1/hazards/{hazard}/rechecks")],
)
@pytest.mark.parametrize("depth", [900, 100_000])
def test_json_nested_without_end_is_a_400(inspector, hazard, method, path, depth):
    client, token = inspector
    path = path.format(hazard=hazard.id)
    body = "[" * depth + "]" * depth
    r = getattr(client, method)(path, data=body, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    nested = '{"a": ' * 40 + "1" + "}" * 40  # an object, but deeper than any request of the app
    r = getattr(client, method)(path, data=nested, content_type="application/json", headers={"X-CSRFToken": token})
    assert r.status_code == 400


def test_a_nested_media_manifest_is_a_400(inspector):
    client, token = inspector
    r = client.post(
        "/api/v1/media", data={"manifest": DEEP}, content_type="multipart/form-data", headers={"X-CSRFToken": token}
    )
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/media", "/enterprises/report-new"])
def test_a_form_part_without_a_name_is_ignored_not_a_500(inspector, path):
    """A multipart part with no name (Werkzeug reads its name as None) crashed the CSRF check's
    look for a prefixed token among the form's names: a 500."""
    client, token = inspector
    body = b"--XX\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XX--\r\n"
    headers = {"X-CSRFToken": token} if path.startswith("/api/") else {}
    r = client.post(path, data=body, content_type="multipart/form-data; boundary=XX", headers=headers)
    assert 400 <= r.status_code < 500, r.status_code


def test_brackets_inside_text_are_text(inspector, world, db):
    """The depth is counted outside strings: a finding may say "[[[[" as often as it likes."""
    client, token = inspector
    payload = offline_record(client, token, world, db)
    payload["fields"]["findings"] = "[" * 1500 + "现场情况" + "{" * 1500
    r = send(client, token, payload)
    assert r.status_code == 422 and "重新阅读" in r.get_json()["message"]  # the summary no longer matches


IMPOSSIBLE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1999-12-31T23:00:00+00:00"]


@pytest.mark.parametrize("when", IMPOSSIBLE)
def test_times_no_record_can_have_are_refused_by_name(inspector, hazard, world, db, when):
    client, token = inspector
    payload = offline_record(client, token, world, db)
    for change, field in (
        (lambda p: p.update(started_at=when), "started_at"),
        (lambda p: p["finish"].update(at=when), "finish"),
    ):
        body = {**payload, "finish": dict(payload["finish"])}
        change(body)
        r = send(client, token, body)
        assert r.status_code == 422 and field in r.get_json()["fields"], r.get_json()
        assert "2000" in str(r.get_json()["fields"][field])
    recheck = {"uuid": str(uuid.uuid4()), "passed": True, "media_uuids": [str(uuid.uuid4())], "at": when}
    r = client.post(f"/api/v1/hazards/{hazard.id}/rechecks", json=recheck, headers={"X-CSRFToken": token})
    assert r.status_code == 422 and "at" in r.get_json()["fields"]
    r = client.get("/api/v1/pack", query_string={"since": when})
    assert r.status_code == 422 and "since" in r.get_json()["message"]


def test_ids_are_whole_numbers_and_identifiers_exact(inspector, world, db):
    client, token = inspector
    payload = offline_record(client, token, world, db)
    for wrong in (str(world.ent_a1.id), world.ent_a1.id + 0.5, True):
        r = send(client, token, {**payload, "enterprise_id": wrong})
        assert r.status_code == 422 and "enterprise_id" in r.get_json()["fields"], wrong
    for wrong in ("00000000-0000-0000-0000-000000000000", payload["uuid"][:-1] + "\x00" + payload["uuid"][-1]):
        r = send(client, token, {**payload, "uuid": wrong})
        assert r.status_code == 422 and "uuid" in r.get_json()["fields"], wrong
    photos = [dict(p) for p in payload["photos"]]
    photos[0]["media_uuid"] = photos[0]["media_uuid"] + "\x00"
    r = send(client, token, {**payload, "photos": photos})
    assert r.status_code == 422 and "photos.0.media_uuid" in r.get_json()["fields"]
    assert send(client, token, payload).status_code == 201  # and the honest record still goes through


def test_a_hazard_under_another_records_uuid_refuses_the_record(make_client, world, db):
    """A phone's record whose hazard reuses the uuid of another user's hazard: refused, the hazard
    named — never acknowledged with the hazard silently left out."""
    import sqlalchemy as sa

    from fieldapp.models import Hazard, Inspection

    first = logged_in(make_client(), "insp_a1")
    token = csrf_token(first, "/")
    taken = offline_record(first, token, world, db)
    assert send(first, token, taken).status_code == 201
    other = logged_in(make_client(), "insp_b1")
    token_b = csrf_token(other, "/")
    payload = offline_record(other, token_b, world, db, sign=False, enterprise=world.ent_b1)
    payload["hazards"][0]["uuid"] = taken["hazards"][0]["uuid"]
    r = send(other, token_b, payload)
    assert r.status_code == 409, r.get_json()
    assert taken["hazards"][0]["uuid"] in r.get_json()["message"] and "未保存" in r.get_json()["message"]
    assert db.session.scalar(sa.select(Inspection).where(Inspection.uuid == payload["uuid"])) is None
    owner = db.session.scalar(sa.select(Hazard.reporter_id).where(Hazard.uuid == taken["hazards"][0]["uuid"]))
    assert owner == world.inspector_a1.id
