"""/metrics (issue 33): Prometheus' text format with requests and latency by route, the outcomes
of phones' syncs and the hazard queues; to this machine or with METRICS_TOKEN only; and under
gunicorn the workers' counts added up (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from fieldapp.db import db
from fieldapp.models import Hazard
from tests.browser.conftest import LiveServer
from tests.conftest import make_app
from tests.factories import report, world_of_hazards


def _samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_syncs_and_queues(client, world):
    world_of_hazards(world)
    report(world)  # one more, waiting for an officer
    before = _samples(client.get("/metrics").get_data(as_text=True))
    for _ in range(3):
        client.get("/healthz")
    assert client.post("/api/v1/inspections", json={}).status_code in (400, 401)  # not signed in: refused
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["Content-Type"].count("charset") == 1
    after = _samples(answer.get_data(as_text=True))

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert grew("fieldapp_requests_total", route="/healthz", method="GET", status="200") == 3
    assert grew("fieldapp_request_seconds_count", route="/healthz") == 3
    assert grew("fieldapp_sync_total", kind="inspection", outcome="refused") == 1
    reported = db.session.scalar(sa.select(sa.func.count()).select_from(Hazard).where(Hazard.status == "reported"))
    assert reported > 0 and _value(after, "fieldapp_hazards_waiting", queue="to_confirm") == reported
    assert ("fieldapp_hazards_waiting", (("queue", "overdue"),)) in after


def test_metrics_only_to_this_machine_or_with_the_token(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'm.db'}", str(tmp_path), METRICS_TOKEN="s3cret-scrape")
    with app.app_context():
        db.create_all()
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    refused = elsewhere.get("/metrics")
    assert refused.status_code == 403 and "fieldapp_" not in refused.get_data(as_text=True)
    assert elsewhere.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert elsewhere.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"}).status_code == 200
    assert app.test_client().get("/metrics").status_code == 200  # this machine


def test_gunicorn_workers_add_up_their_counts(tmp_path, demo_instance):
    shared = tmp_path / "metrics"
    shared.mkdir()
    server = LiveServer.copied(demo_instance, tmp_path / "instance", PROMETHEUS_MULTIPROC_DIR=str(shared))
    server.start()  # two workers
    try:
        for _ in range(20):  # a new connection each: both workers take some
            requests.get(f"{server.base}/healthz", timeout=5)
        text = requests.get(f"{server.base}/metrics", timeout=10).text
        count = _value(_samples(text), "fieldapp_requests_total", route="/healthz", method="GET", status="200")
        assert count == 20, text[:2000]
        assert len(list(shared.glob("counter_*.db"))) >= 1
    finally:
        server.stop()
