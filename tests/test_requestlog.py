"""Request ids on every response and JSON access lines, for several instances behind a proxy."""

import json
import logging

from fieldapp import requestlog
from tests.conftest import make_app


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    # A load balancer's id is kept, a hostile one replaced.
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"] == "lb-1234abcd"
    assert client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"] != "<script>"
    assert "Server-Timing" not in first.headers  # off unless asked for (timings help probing)


def test_server_timing_when_asked_for(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path), SERVER_TIMING=True)
    timing = app.test_client().get("/healthz").headers["Server-Timing"]
    assert timing.startswith("app;dur=") and float(timing.split("=")[1]) >= 0


def test_json_access_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(requestlog.access, "handlers", [])
    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", str(tmp_path), LOG_JSON=True, WTF_CSRF_ENABLED=True)
    try:
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "probe-0001"})
        refused = app.test_client().post("/login", data={"login": "x"})  # no CSRF token: refused first
        err = capsys.readouterr().err
        lines = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
        assert lines, err[-2000:]
        line = next(x for x in lines if x.get("request_id") == "probe-0001")
        assert response.status_code == 200
        assert (line["method"], line["path"], line["status"], line["logger"]) == (
            "GET",
            "/healthz",
            200,
            "fieldapp.access",
        )
        assert line["ms"] >= 0 and line["time"].endswith("+00:00") and line["ip"] == "127.0.0.1"
        assert refused.status_code == 400 and refused.headers["X-Request-ID"]
        assert any(x.get("request_id") == refused.headers["X-Request-ID"] and x["status"] == 400 for x in lines)
    finally:
        for logger in (requestlog.access, app.logger):
            logger.handlers, logger.propagate = [], True
        logging.getLogger("fieldapp.access").setLevel(logging.NOTSET)
