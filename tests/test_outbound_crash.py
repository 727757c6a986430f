"""A worker killed mid-send (issue 35), across processes: ``flask fieldapp notify`` is started as
its own process, killed (SIGKILL) while the provider holds its request — an SMTP server before the
message's data, Alibaba's SMS stand-in before it answers — and the message is then delivered once,
by the next worker after the dead one's lease; never twice, never lost. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from fieldapp import clock
from fieldapp.db import db
from fieldapp.models import OutboundMessage
from fieldapp.services import outbound
from tests.helpers import free_port
from tests.stand_ins import sms_config, start_sms

ROOT = Path(__file__).resolve().parents[1]


class HeldInbox:
    """An SMTP server that keeps the first RCPT waiting until ``release``; accepts what it gets."""

    def __init__(self):
        self.received, self.holding, self.release, self.held = [], threading.Event(), threading.Event(), False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if not self.held:
            self.held = True
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.received.append(envelope.content)
        return "250 Message accepted"


def _worker(app, tmp_path, settings: dict) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    url = db.engine.url.render_as_string(hide_password=False)
    env.update(
        DATABASE_URL=url,
        FIELDAPP_INSTANCE=str(tmp_path),
        PYTHONPATH=str(ROOT),
        **{k: str(v) for k, v in settings.items()},
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "fieldapp", "notify"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def smtp(app, db):
    inbox = HeldInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.settings = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_FROM": "巡检 <fieldapp@aq.example.cn>",
    }
    saved = {k: app.config[k] for k in inbox.settings}
    app.config.update(inbox.settings)
    yield inbox
    inbox.release.set()
    app.config.update(saved)
    controller.stop()


@pytest.fixture
def sms(app, db):
    server = start_sms()
    server.settings = sms_config(server)
    saved = {k: app.config.get(k) for k in server.settings}
    app.config.update(server.settings)
    server.hold.set()
    yield server
    server.release.set()
    app.config.update(saved)
    server.shutdown()


def _killed_mid_send(app, tmp_path, provider, message):
    worker = _worker(app, tmp_path, provider.settings)
    try:
        assert provider.holding.wait(60), worker.communicate(timeout=5)[0]
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    provider.release.set()
    db.session.expire_all()
    held = db.session.get(OutboundMessage, message.id)
    assert (held.status, held.attempts) == ("sending", 1)  # claimed by the dead worker, its lease running
    return held


def _delivered_once_after_the_lease(held):
    assert outbound.run_once() == {}  # another worker, within the lease: leaves it alone
    after_lease = clock.now() + outbound.LEASE + timedelta(seconds=1)
    assert outbound.run_once(after_lease) == {"sent": 1}
    assert outbound.run_once(after_lease + timedelta(hours=2)) == {}
    db.session.refresh(held)
    assert (held.status, held.attempts) == ("sent", 2)


def test_an_email_whose_worker_was_killed_mid_send_arrives_once(app, db, smtp, tmp_path):
    message = outbound.enqueue("email", "officer@aq.example.cn", "reported", "新上报的隐患待您确认", "crash:email")
    db.session.commit()
    held = _killed_mid_send(app, tmp_path, smtp, message)
    assert smtp.received == []  # the server never had the data: nothing was delivered
    _delivered_once_after_the_lease(held)
    assert len(smtp.received) == 1


def test_an_sms_whose_worker_was_killed_mid_send_is_accepted_once(app, db, sms, tmp_path):
    message = outbound.enqueue("sms", "13912345601", "reported", "新上报的隐患待您确认", "crash:sms", "苏州甲一")
    db.session.commit()
    held = _killed_mid_send(app, tmp_path, sms, message)
    sms.hold.clear()
    for _ in range(50):  # the stand-in lets the dead worker's request go, and drops it
        if sms.abandoned:
            break
        threading.Event().wait(0.1)
    assert sms.abandoned == 1 and sms.received == []
    _delivered_once_after_the_lease(held)
    assert [p["PhoneNumbers"] for p in sms.received] == ["13912345601"]
    assert db.session.scalar(sa.select(sa.func.count(OutboundMessage.id))) == 1
