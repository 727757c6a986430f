"""Group robots (issue 35): WeCom and DingTalk, each against a stand-in server on loopback that
speaks the provider's published protocol — DingTalk's checks the 加签 signature the way its
documentation computes it — and fails when told to: 500s, a timeout, rate-limit answers. Each
message arrives exactly once, the providers' per-minute cap is kept, and no secret reaches an
error an admin reads."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.services import outbound
from fieldapp.services.channels import robots

TOKEN, SECRET, KEY = "d7f0c9a1", "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7", "693axxx6-7aoc-4bc4"


class StandIn(BaseHTTPRequestHandler):
    """Both providers' robot endpoints; ``server.faults`` answers the next requests instead."""

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 - http.server's hook
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.faults:
            fault = self.server.faults.pop(0)
            if fault == "timeout":
                time.sleep(2)
            elif isinstance(fault, int) and 400 <= fault < 600:
                self.send_error(fault)
                return
            elif isinstance(fault, int):
                return self._answer({"errcode": fault, "errmsg": "fault"})
        if url.path == "/robot/send":  # DingTalk
            if query.get("access_token") != [TOKEN]:
                return self._answer({"errcode": 300001, "errmsg": "token is not exist"})
            timestamp = int(query["timestamp"][0])
            # As DingTalk documents it: Base64(HmacSHA256(secret, "timestamp\nsecret")), URL-encoded
            # in the query (parse_qs decoded it once already); an hour's clock skew at most.
            expected = base64.b64encode(
                hmac.new(SECRET.encode("utf-8"), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
            ).decode()
            if query.get("sign") != [expected] or abs(time.time() * 1000 - timestamp) > 3600_000:
                return self._answer({"errcode": 310000, "errmsg": "sign not match"})
        elif url.path == "/cgi-bin/webhook/send":  # WeCom
            if query.get("key") != [KEY]:
                return self._answer({"errcode": 93000, "errmsg": "invalid webhook url"})
        self.server.received.append((url.path, body))
        self._answer({"errcode": 0, "errmsg": "ok"})

    def _answer(self, data):
        payload = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def stand_in(app, db, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    server.faults, server.received = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    saved = {k: app.config[k] for k in ("WECOM_WEBHOOK", "DINGTALK_WEBHOOK", "DINGTALK_SECRET")}
    app.config.update(
        WECOM_WEBHOOK=f"{base}/cgi-bin/webhook/send?key={KEY}",
        DINGTALK_WEBHOOK=f"{base}/robot/send?access_token={TOKEN}",
        DINGTALK_SECRET=SECRET,
    )
    monkeypatch.setattr(robots, "TIMEOUT_S", 1)  # the stand-in's "timeout" answers after 2 s
    yield server
    app.config.update(saved)
    server.shutdown()


def _queue(channel, n=1, key="k"):
    messages = [
        outbound.enqueue(
            channel,
            "district",
            "reported",
            "新上报的重大隐患待确认",
            f"{key}{i}",
            "苏州甲一精密机械有限公司",
            "https://aq.example.cn/hazards/1",
        )
        for i in range(n)
    ]
    db.session.commit()
    return messages


def test_the_signature_matches_a_published_example():
    # The dingding crate's test vector (docs.rs/crate/dingding, src/signature.rs), computed by
    # another implementation of DingTalk's documented algorithm.
    assert robots.dingtalk_sign(1700000000000, "secret") == "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"


@pytest.mark.parametrize("channel", ["dingtalk", "wecom"])
def test_a_message_reaches_the_group_once(stand_in, channel):
    _queue(channel)
    assert outbound.run_once() == {"sent": 1}
    assert outbound.run_once(clock.now() + timedelta(hours=1)) == {}
    [(path, body)] = stand_in.received
    text = body["markdown"]["text" if channel == "dingtalk" else "content"]
    assert "新上报的重大隐患待确认" in text and "(https://aq.example.cn/hazards/1)" in text


def test_a_wrong_secret_is_refused_and_the_error_keeps_it_secret(app, stand_in):
    app.config["DINGTALK_SECRET"] = "SECwrong"
    [message] = _queue("dingtalk")
    assert outbound.run_once() == {"dead": 1}
    db.session.refresh(message)
    assert "310000" in message.last_error
    for secret in ("SECwrong", SECRET, TOKEN, KEY):
        assert secret not in message.last_error
    assert stand_in.received == []


@pytest.mark.parametrize(
    ("channel", "faults"), [("dingtalk", [500, 130101, "timeout"]), ("wecom", [502, 45009, "timeout"])]
)
def test_faults_are_retried_and_the_message_arrives_once(stand_in, channel, faults):
    [message] = _queue(channel)
    stand_in.faults = list(faults)
    now = clock.now()
    for attempt in range(len(faults)):
        assert outbound.run_once(now + timedelta(hours=attempt)) == {"pending": 1}, attempt
    db.session.refresh(message)
    for secret in (SECRET, TOKEN, KEY):
        assert secret not in message.last_error
    assert outbound.run_once(now + timedelta(hours=len(faults))) == {"sent": 1}
    assert len(stand_in.received) == 1


def test_the_providers_cap_of_twenty_a_minute_is_kept(stand_in):
    _queue("wecom", 25)
    now = clock.now()
    assert outbound.run_once(now, limit=100) == {"sent": 20, "deferred": 5}
    assert len(stand_in.received) == 20
    assert outbound.run_once(now + timedelta(seconds=30), limit=100) == {}  # still within the minute
    later = clock.now() + timedelta(minutes=1, seconds=1)
    assert outbound.run_once(later, limit=100) == {"sent": 5}
    assert len(stand_in.received) == 25


def test_a_major_hazard_reaches_the_groups_and_says_no_more_than_needed(app, stand_in, world):
    from fieldapp.models import OutboundMessage
    from tests.factories import report

    app.config["PUBLIC_BASE_URL"] = "https://aq.example.cn"
    try:
        general = report(world, "general")
        digests = db.session.scalars(sa.select(OutboundMessage).order_by(OutboundMessage.channel)).all()
        assert [(m.channel, m.kind, m.digest) for m in digests] == [
            ("dingtalk", "reported", True),
            ("wecom", "reported", True),
        ]
        major = report(world, "major")
        queued = db.session.scalars(
            sa.select(OutboundMessage).where(OutboundMessage.digest.is_(False)).order_by(OutboundMessage.channel)
        ).all()
        assert [(m.channel, m.key) for m in queued] == [
            ("dingtalk", f"hazard-major:{major.id}:dingtalk"),
            ("wecom", f"hazard-major:{major.id}:wecom"),
        ]
        assert outbound.run_once() == {"sent": 4}
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    majors = [body for _path, body in stand_in.received if "重大事故隐患待确认" in json.dumps(body, ensure_ascii=False)]
    assert len(majors) == 2
    for body in majors:
        text = json.dumps(body, ensure_ascii=False)
        assert world.ent_a1.name in text
        assert f"https://aq.example.cn/hazards/{major.id}" in text
        # What the report says stays in the app: only the enterprise, the time and the link leave it.
        assert major.description not in text and major.place not in text
        assert general.id != major.id


def test_without_robots_nothing_is_queued(app, db, world):
    from fieldapp.models import OutboundMessage
    from tests.factories import report

    assert not app.config["WECOM_WEBHOOK"] and not app.config["DINGTALK_WEBHOOK"]
    report(world, "major")
    assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 0
