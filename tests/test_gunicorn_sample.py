"""The gunicorn sample config (deploy/gunicorn.conf.py) as a deployment runs it: the app loaded once
in the master, workers forked from it and replaced after ``max_requests``, each with database
connections of its own."""

from __future__ import annotations

import runpy
from pathlib import Path

from tests.factories import log_in_over_http

SAMPLE = Path(__file__).resolve().parents[1] / "deploy" / "gunicorn.conf.py"


def test_the_sample_config_loads():
    settings = runpy.run_path(str(SAMPLE))
    assert settings["worker_class"] == "gthread" and settings["workers"] >= 1 and settings["threads"] >= 1
    assert settings["preload_app"] is True and settings["max_requests"] > 0
    assert callable(settings["when_ready"]) and callable(settings["post_fork"])


def test_forked_workers_serve_through_restarts(own_demo_postgres, tmp_path):
    """Every worker but the first two is a replacement forked after three requests: each one
    signs a user in and reads pages from PostgreSQL over connections of its own."""
    server, _ = own_demo_postgres
    server.env.update(SECRET_KEY="gunicorn-sample-test", MEDIA_ROOT=str(tmp_path / "media"), WEB_CONCURRENCY="2")
    # A worker signalled while it boots misses the signal (gunicorn installs its handlers after
    # the fork) and is killed when the graceful timeout ends: short here, as workers boot all along.
    server.start("-c", str(SAMPLE), "--max-requests", "3", "--max-requests-jitter", "0", "--graceful-timeout", "3")
    try:
        inspector = log_in_over_http(server.base, "inspector")
        officer = log_in_over_http(server.base, "officer")
        for _ in range(8):
            home = inspector.get(f"{server.base}/", timeout=10)
            assert home.status_code == 200 and 'data-stat="enterprises"' in home.text  # the grid's count
            queue = officer.get(f"{server.base}/hazards/?tab=to_confirm", timeout=10)
            assert queue.status_code == 200 and "/hazards/" in queue.text
            me = inspector.get(f"{server.base}/api/v1/me", timeout=10)
            assert me.status_code == 200 and me.json()["username"] == "inspector"
    finally:
        server.stop()
    log = (server.instance / "gunicorn.log").read_text()
    assert log.count("Booting worker") >= 8, log[-2000:]  # workers were replaced along the way
    assert "Traceback" not in log and "Exception" not in log, log[-4000:]
