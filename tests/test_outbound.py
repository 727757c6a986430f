"""The outbox of messages to people outside the app (issue 35, first step: email), against a real
SMTP server on loopback (aiosmtpd) that fails when told to: messages are kept until delivered,
retried with backoff, sent once however often the worker runs or dies, and given up on (dead) when
the provider refuses them, for an admin to send again."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from fieldapp import clock
from fieldapp.db import db
from fieldapp.models import OutboundMessage
from fieldapp.services import outbound
from fieldapp.services.channels import email
from tests.helpers import free_port


class Inbox:
    """An SMTP server's handler: keeps what it accepts, answers the next RCPTs with ``failures``."""

    def __init__(self):
        self.received: list = []
        self.failures: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if self.failures:
            return self.failures.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.received.append(envelope.content)  # bytes, as they came
        return "250 Message accepted"


@pytest.fixture
def smtp(app, db):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_FROM")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_FROM="巡检 <fieldapp@aq.example.cn>")
    yield inbox
    app.config.update(saved)
    controller.stop()


def _message(key="hazard:1:officer_a:email", target="officer@aq.example.cn"):
    message = outbound.enqueue(
        "email",
        target,
        "reported",
        "新上报的隐患待您确认",
        key,
        "苏州甲一精密机械有限公司",
        "https://aq.example.cn/hazards/1",
    )
    db.session.commit()
    return message


def test_a_message_is_delivered_once_however_often_the_worker_runs(smtp):
    message = _message()
    assert outbound.enqueue("email", "officer@aq.example.cn", "reported", "again", message.key) is None  # same key
    assert outbound.run_once() == {"sent": 1}
    assert outbound.run_once() == {} and outbound.run_once(clock.now() + timedelta(days=1)) == {}
    assert len(smtp.received) == 1
    mail = message_from_bytes(smtp.received[0], policy=default)
    assert mail["Subject"] == "新上报的隐患待您确认" and mail["To"] == "officer@aq.example.cn"
    assert mail["Message-ID"] == email.message_id(message.key, "aq.example.cn")
    assert mail.get_content().split() == ["苏州甲一精密机械有限公司", "https://aq.example.cn/hazards/1"]
    db.session.refresh(message)
    assert message.status == "sent" and message.attempts == 1 and message.receipt.startswith("<")


def test_a_busy_server_is_tried_again_later_with_backoff(smtp, db):
    message = _message()
    smtp.failures = ["451 4.3.0 try again later", "421 4.7.0 too many connections"]
    now = clock.now()
    assert outbound.run_once(now) == {"pending": 1}
    db.session.refresh(message)
    assert message.due_at == now + timedelta(minutes=1) and "451" in message.last_error
    assert outbound.run_once(now + timedelta(seconds=30)) == {}  # not yet due
    assert outbound.run_once(now + timedelta(minutes=1)) == {"pending": 1}
    db.session.refresh(message)
    assert message.due_at == now + timedelta(minutes=1) + timedelta(minutes=2)  # doubled
    assert outbound.run_once(now + timedelta(minutes=3)) == {"sent": 1}
    assert len(smtp.received) == 1


def test_a_refused_address_is_dead_at_once_and_can_be_sent_again(smtp, db):
    message = _message()
    smtp.failures = ["550 5.1.1 no such user"]
    assert outbound.run_once() == {"dead": 1}
    db.session.refresh(message)
    assert message.status == "dead" and "550" in message.last_error
    assert outbound.run_once(clock.now() + timedelta(days=1)) == {}
    outbound.resend(message)
    assert outbound.run_once() == {"sent": 1} and len(smtp.received) == 1


def test_an_unreachable_server_keeps_the_message_until_it_gives_up(app, db):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens there
    try:
        message = _message()
        now = clock.now()
        for attempt in range(outbound.MAX_ATTEMPTS):
            outcome = outbound.run_once(now + timedelta(days=attempt))
            assert outcome == ({"dead": 1} if attempt == outbound.MAX_ATTEMPTS - 1 else {"pending": 1}), attempt
        db.session.refresh(message)
        assert message.status == "dead" and message.attempts == outbound.MAX_ATTEMPTS
        assert "ConnectionRefusedError" in message.last_error
    finally:
        app.config.update(SMTP_HOST="")


def test_a_worker_that_died_mid_send_leaves_it_to_the_next_after_its_lease(smtp, db):
    message = _message()
    now = clock.now()
    assert [m.id for m in outbound.claim(now)] == [message.id]  # claimed, then the worker died
    assert outbound.claim(now) == [] and outbound.run_once(now + timedelta(minutes=1)) == {}  # leased
    assert outbound.run_once(now + outbound.LEASE + timedelta(seconds=1)) == {"sent": 1}
    assert len(smtp.received) == 1
    db.session.refresh(message)
    assert message.attempts == 2


def test_two_workers_never_claim_the_same_message(smtp, db):
    first, second = _message("k1"), _message("k2")
    now = clock.now()
    held = outbound.claim(now, limit=1)
    other = outbound.claim(now)
    assert {m.id for m in held} | {m.id for m in other} == {first.id, second.id}
    assert not {m.id for m in held} & {m.id for m in other}


def test_the_outbox_is_written_with_the_event_or_not_at_all(db):
    _message()
    outbound.enqueue("email", "x@aq.example.cn", "reported", "t", "rolled-back")
    db.session.rollback()  # the event failed: its message goes with it
    keys = set(db.session.scalars(sa.select(OutboundMessage.key)))
    assert keys == {"hazard:1:officer_a:email"}
    with pytest.raises(ValueError):
        outbound.enqueue("pigeon", "x", "reported", "t", "k")


def test_the_scheduled_command_delivers_what_is_due(app, smtp):
    runner = app.test_cli_runner()
    assert "nothing due" in runner.invoke(args=["fieldapp", "notify"]).output
    _message()
    assert "1 sent" in runner.invoke(args=["fieldapp", "notify"]).output
    assert len(smtp.received) == 1


def test_the_scheduled_job_works_its_minute(app, smtp):
    """``--for``: what falls due while the job runs is sent by the same job, a pass later."""
    runner = app.test_cli_runner()
    soon = _message()
    soon.due_at = clock.now() + timedelta(seconds=0.6)
    db.session.commit()
    started = clock.now()
    output = runner.invoke(args=["fieldapp", "notify", "--for", "1.5", "--interval", "0.2"]).output
    assert output.strip() == "1 sent" and len(smtp.received) == 1
    assert (clock.now() - started).total_seconds() >= 1.2  # it stayed for its time
