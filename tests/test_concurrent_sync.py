"""The same request sent many times at once, as phones and double taps send them (issue 29): real
concurrent requests against gunicorn (2 workers × 4 threads), on SQLite and on PostgreSQL. Every
identical replay is answered as the first was — a 2xx with the same receipt — and one row is stored;
only a different body under the same uuid is a 409."""

from __future__ import annotations

import contextlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import requests
import sqlalchemy as sa

from tests.browser.conftest import LiveServer
from tests.factories import csrf_token_of, log_in_over_http
from tests.helpers import a_synced_record, put_photo

TIMES = 20


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory, demo_instance):
    """gunicorn with the demo district and its day of work (a hazard waits for its re-check)."""
    instance = tmp_path_factory.mktemp("concurrent") / "instance"
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            live, url = stack.enter_context(
                LiveServer.copied_on_postgres(
                    request.getfixturevalue("demo_postgres"), request.getfixturevalue("postgres_url"), instance
                )
            )
        else:
            live = LiveServer.copied(demo_instance, instance)
            url = f"sqlite:///{instance / 'fieldapp.db'}"
        live.with_activity()
        live.db = sa.create_engine(url)
        live.start()
        yield live
        live.stop()
        live.db.dispose()


def _at_once(fn, times: int = TIMES) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(lambda _i: fn(), range(times)))


def _api(site, username: str) -> tuple[requests.Session, dict]:
    session = log_in_over_http(site.base, username)
    token = session.get(f"{site.base}/api/v1/me", timeout=10).json()["csrf_token"]
    return session, {"X-CSRFToken": token}


def _photo(site, session, headers, color) -> str:
    return put_photo(session, site.base, headers, color)


def _record(site, media: str) -> dict:
    return a_synced_record(site.accounts["company"]["enterprise"]["id"], media, "concurrent")


def test_a_record_sent_twenty_times_at_once_is_stored_once_and_acknowledged_each_time(site):
    session, headers = _api(site, "inspector")
    record = _record(site, _photo(site, session, headers, (30, 90, 150)))
    answers = _at_once(
        lambda: session.post(f"{site.base}/api/v1/inspections", json=record, headers=headers, timeout=60)
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * (TIMES - 1) + [201], [r.text[:200] for r in answers if r.status_code >= 300]
    receipts = {(r.json()["id"], r.json()["number"], r.json()["state"], r.json()["content_hash"]) for r in answers}
    assert len(receipts) == 1
    assert {r.headers["Server"] for r in answers} == {"fieldapp"}  # not gunicorn and its version
    with site.db.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM inspections WHERE uuid = :u"), {"u": record["uuid"]}).scalar()
            == 1
        )
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM hazards WHERE uuid = :u"), {"u": record["hazards"][0]["uuid"]}
            ).scalar()
            == 1
        )
    # A different body under the same uuid, at once with the same again: 409 for it alone.
    changed = {**record, "fields": {**record["fields"], "findings": "改过"}}
    answers = _at_once(
        lambda: session.post(f"{site.base}/api/v1/inspections", json=changed, headers=headers, timeout=60), 5
    )
    assert {r.status_code for r in answers} == {409}


def test_a_double_tap_on_start_opens_one_record(site):
    session = log_in_over_http(site.base, "inspector")
    enterprise = site.accounts["company"]["enterprise"]["id"]
    token = csrf_token_of(session, f"{site.base}/enterprises/{enterprise}")
    form = {"csrf_token": token, "uuid": str(uuid.uuid4())}
    answers = _at_once(
        lambda: session.post(
            f"{site.base}/enterprises/{enterprise}/inspections", data=form, allow_redirects=False, timeout=60
        )
    )
    assert {r.status_code for r in answers} == {201}, [r.text[:200] for r in answers if r.status_code != 201]
    assert len({r.headers["Location"] for r in answers}) == 1
    with site.db.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM inspections WHERE uuid = :u"), {"u": form["uuid"]}).scalar() == 1
        )


def test_a_recheck_sent_twenty_times_at_once_is_acknowledged_each_time(site):
    with site.db.connect() as conn:
        hazard = conn.execute(sa.text("SELECT id FROM hazards WHERE status = 'awaiting_recheck' ORDER BY id")).scalar()
    assert hazard is not None
    session, headers = _api(site, "inspector")
    body = {
        "uuid": str(uuid.uuid4()),
        "passed": True,
        "note": "已整改",
        "deadline": None,
        "position": None,
        "media_uuids": [_photo(site, session, headers, (60, 160, 60))],
        "at": datetime.now(UTC).isoformat(),
        "app_version": "concurrent",
    }
    answers = _at_once(
        lambda: session.post(f"{site.base}/api/v1/hazards/{hazard}/rechecks", json=body, headers=headers, timeout=60)
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * (TIMES - 1) + [201], [r.text[:300] for r in answers if r.status_code >= 300]
    assert len({(r.json()["event_id"], r.json()["status"]) for r in answers}) == 1
    with site.db.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM hazard_events WHERE client_uuid = :u"), {"u": body["uuid"]}
            ).scalar()
            == 1
        )
