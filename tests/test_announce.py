"""Who hears what outside the app (issue 35): the routes from an event to each person's channels
and their department's robots; digests of general hazards; quiet hours, never for 重大; a
department's switches; and the privacy rule — what leaves the app says only what is needed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.models import AlertPreference, DepartmentAlerts, OutboundMessage
from fieldapp.services import alert_settings, announce, clues, hazards, interference, notifications, outbound
from tests.factories import PHOTO, confirm_values, interference_values, report
from tests.images import jpeg
from tests.stand_ins import sms_config, start_sms

MOBILES = {
    "officer_a": "13900000001",
    "officer_d": "13900000002",
    "company_a1": "13900000003",
    "discipline1": "13900000004",
}


@pytest.fixture
def sms(app, db, world):
    server = start_sms()
    saved = {k: app.config.get(k) for k in sms_config(server)}
    app.config.update(sms_config(server))
    for user in (world.officer_a, world.officer_district, world.company_a1, world.discipline):
        user.mobile = MOBILES[user.username]
    db.session.commit()
    yield server
    app.config.update(saved)
    server.shutdown()


def _rows(**where):
    query = sa.select(OutboundMessage).order_by(OutboundMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboundMessage, name) == value)
    return db.session.scalars(query).all()


def _quiet_now(user, minutes_left=60):
    """Quiet hours for ``user`` that hold now and end ``minutes_left`` from now."""
    local = clock.local(clock.now())
    minute = local.hour * 60 + local.minute
    db.session.add(
        AlertPreference(
            user_id=user.id,
            by_sms=True,
            by_email=False,
            email="",
            quiet_start=(minute - 60) % 1440,
            quiet_end=(minute + minutes_left) % 1440,
        )
    )
    db.session.commit()


def test_a_general_report_reaches_the_officers_folded_into_a_digest(sms, world):
    for _ in range(3):
        report(world, "general")
    rows = _rows(kind="reported", channel="sms")
    assert {r.target for r in rows} == {MOBILES["officer_a"], MOBILES["officer_d"]} and len(rows) == 6
    assert all(r.digest for r in rows)
    assert outbound.run_once() == {"sent": 2}  # one message per officer for three hazards
    titles = {p["PhoneNumbers"]: p["TemplateParam"] for p in sms.received}
    assert "（3）" in titles[MOBILES["officer_a"]] and "（3）" in titles[MOBILES["officer_d"]]
    # The next one waits for the digest interval (30 minutes by default), then goes alone.
    report(world, "general")
    assert outbound.run_once() == {}
    assert outbound.run_once(clock.now() + timedelta(minutes=31)) == {"sent": 2}
    assert len(sms.received) == 4


def test_a_major_report_goes_at_once_through_quiet_hours_a_general_one_waits(sms, world):
    _quiet_now(world.officer_a)
    major = report(world, "major")
    [to_a] = [r for r in _rows(kind="reported") if r.target == MOBILES["officer_a"]]
    assert not to_a.digest and to_a.due_at <= clock.now()
    assert "重大事故隐患待确认" in to_a.title and major.description not in to_a.body
    report(world, "general")
    [waiting] = [r for r in _rows(kind="reported") if r.target == MOBILES["officer_a"] and r.digest]
    assert waiting.due_at >= clock.now() + timedelta(minutes=55)
    # Both officers' 重大 now; officer_d's general waits for the provider's minute per number.
    assert outbound.run_once() == {"sent": 2, "deferred": 1}
    assert outbound.run_once(clock.now() + timedelta(minutes=2)) == {"sent": 1}
    assert outbound.run_once(clock.now() + timedelta(minutes=61)) == {"sent": 1}  # officer_a's, after the quiet


def test_a_digest_that_would_fall_in_quiet_hours_waits_for_their_end(sms, world):
    local = clock.local(clock.now())
    minute = local.hour * 60 + local.minute
    db.session.add(
        AlertPreference(
            user_id=world.officer_a.id,
            by_sms=True,
            by_email=False,
            email="",
            quiet_start=(minute + 3) % 1440,
            quiet_end=(minute + 63) % 1440,
        )
    )
    last = outbound.enqueue("sms", MOBILES["officer_a"], "reported", "t", "earlier", digest=True)
    last.status, last.sent_at = "sent", clock.now() - timedelta(minutes=25)  # the next digest: in 5 minutes
    db.session.commit()
    report(world, "general")
    [waiting] = [r for r in _rows(kind="reported", status="pending") if r.target == MOBILES["officer_a"]]
    assert waiting.due_at >= clock.now() + timedelta(minutes=61)


def test_each_step_reaches_the_people_its_route_names(sms, world, app):
    h = report(world, "general")
    hazards.confirm(world.officer_a, h, confirm_values())
    [to_company] = _rows(kind="confirm")
    assert to_company.target == MOBILES["company_a1"]
    assert f"整改期限 {h.deadline.isoformat()}" in to_company.body and world.ent_a1.name in to_company.body
    hazards.acknowledge(world.company_a1, h)
    hazards.submit(world.company_a1, h, "通道已清理", PHOTO)
    assert _rows(kind="submit") == []  # off by default: the re-check reminder says it
    notifications.remind()
    [recheck] = _rows(kind="recheck_due")
    assert recheck.target == world.inspector_a1.mobile
    # Deadlines: in three days → the company; overdue → the company and the officer in charge.
    late = report(world, "general")
    hazards.confirm(world.officer_a, late, confirm_values(deadline=(clock.today() + timedelta(days=2)).isoformat()))
    notifications.remind()
    assert [r.target for r in _rows(kind="deadline_soon")] == [MOBILES["company_a1"]]
    notifications.remind(clock.today() + timedelta(days=5))
    assert {r.target for r in _rows(kind="overdue")} == {MOBILES["company_a1"], MOBILES["officer_a"]}
    notifications.remind(clock.today() + timedelta(days=5))  # again: nothing more
    assert len(_rows(kind="overdue")) == 2


def test_a_clue_assigned_reaches_its_handler(sms, world):
    clue = clues.submit({"kind": "hazard", "content": "举报人张三：仓库堵塞"}, [(jpeg(), "a.jpg")], grid=world.grid_a1)
    clues.act(world.officer_a, clue, "assign", {"assignee_id": str(world.officer_district.id)})
    [assigned] = _rows(kind="clue_assigned")
    assert assigned.target == MOBILES["officer_d"] and assigned.link.endswith(f"/clues/{clue.id}")
    assert "张三" not in assigned.title + assigned.body and assigned.body == ""


def test_an_interference_record_leaves_the_app_without_its_content(sms, world):
    values = interference_values()
    row = interference.record(world.officer_a, values)
    [told] = _rows(kind="interference")
    assert told.target == MOBILES["discipline1"] and told.link.endswith(f"/interference/{row.id}")
    outbound.run_once()
    sent = " ".join(str(p) for p in sms.received)
    for field in ("leader_name", "leader_position", "leader_unit", "request", "case_ref"):
        for message in _rows():
            assert values[field] not in message.title + message.body + message.link, field
        assert values[field] not in sent, field


def test_a_department_switches_a_route_off_for_its_subtree(sms, world):
    alert_settings.save_department(
        world.admin, world.district.id, {"digest_minutes": "30", "group_general": "1"}, {"confirm": True}
    )
    assert db.session.get(DepartmentAlerts, world.district.id).routes == {"confirm": False, "group_general": True}
    h = report(world, "general")
    hazards.confirm(world.officer_a, h, confirm_values())
    assert _rows(kind="confirm") == []
    # A town with its own settings follows them, not the district's.
    alert_settings.save_department(
        world.admin_a,
        world.town_a.id,
        {"digest_minutes": "30", "group_general": "1", "route_confirm": "1"},
        {k: r.outside for k, r in announce.BY_KIND.items()},
    )
    h2 = report(world, "general")
    hazards.confirm(world.officer_a, h2, confirm_values())
    assert len(_rows(kind="confirm")) == 1


def test_a_major_hazard_is_heard_even_where_its_route_is_off(sms, world):
    kinds = {k: r.outside for k, r in announce.BY_KIND.items()}
    alert_settings.save_department(world.admin, world.district.id, {"digest_minutes": "30"}, kinds)
    h = report(world, "major")
    assert len(_rows(kind="reported")) == 2
    hazards.confirm(world.officer_a, h, confirm_values("major"))
    assert len(_rows(kind="confirm")) == 1


def test_a_person_chooses_email_instead_of_sms(sms, world, app):
    app.config["SMTP_HOST"] = "127.0.0.1"
    try:
        alert_settings.save_preference(world.company_a1, {"by_email": "1", "email": "anquan@jiayi.example.cn"})
        h = report(world, "general")
        hazards.confirm(world.officer_a, h, confirm_values())
    finally:
        app.config["SMTP_HOST"] = ""
    assert [(r.channel, r.target) for r in _rows(kind="confirm")] == [("email", "anquan@jiayi.example.cn")]


def test_a_department_robot_hears_its_own_groups_hazards(app, db, world):
    alert_settings.save_department(
        world.admin_a,
        world.town_a.id,
        {"digest_minutes": "10", "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=town-a"},
        {},
    )
    major = report(world, "major")
    [row] = _rows(channel="wecom")
    assert row.target == f"unit:{world.town_a.id}" and row.key == f"hazard-major:{major.id}:wecom"
    config = alert_settings.channel_config(row.org_unit_id, app.config)
    assert config["WECOM_WEBHOOK"].endswith("key=town-a") and config["DINGTALK_WEBHOOK"] == ""
    # The district's other town has no robot of its own and the deployment none: nothing queued.
    assert alert_settings.department(world.town_b.id).robots() == []


def test_secrets_left_blank_are_kept_and_cleared_only_when_asked(app, db, world):
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    alert_settings.save_department(
        world.admin, world.district.id, {"digest_minutes": "30", "dingtalk_webhook": url, "dingtalk_secret": "SECx"}, {}
    )
    alert_settings.save_department(world.admin, world.district.id, {"digest_minutes": "15"}, {})
    row = db.session.get(DepartmentAlerts, world.district.id)
    assert (row.dingtalk_webhook, row.dingtalk_secret, row.digest_minutes) == (url, "SECx", 15)
    alert_settings.save_department(world.admin, world.district.id, {"digest_minutes": "15", "clear_dingtalk": "1"}, {})
    assert (row.dingtalk_webhook, row.dingtalk_secret) == ("", "")


def test_an_admin_sets_only_departments_they_manage(db, world):
    from fieldapp.errors import Forbidden

    with pytest.raises(Forbidden):
        alert_settings.save_department(world.admin_a, world.town_b.id, {"digest_minutes": "30"}, {})
    assert db.session.get(DepartmentAlerts, world.town_b.id) is None


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet_until"),
    [
        ("22:00", "07:00", "23:30", "07:00+1"),
        ("22:00", "07:00", "06:59", "07:00"),
        ("22:00", "07:00", "07:00", None),
        ("12:00", "13:30", "12:45", "13:30"),
        ("12:00", "13:30", "11:59", None),
    ],
)
def test_quiet_hours_may_span_midnight(start, end, at, quiet_until):
    from datetime import datetime

    from fieldapp.schemas.commands.alerts import minutes

    pref = AlertPreference(quiet_start=minutes(start), quiet_end=minutes(end))
    moment = datetime(2026, 12, 7, *map(int, at.split(":")), tzinfo=clock.SHANGHAI)
    got = alert_settings.quiet_until(pref, moment)
    if quiet_until is None:
        assert got is None
    else:
        clock_text, _, next_day = quiet_until.partition("+")
        assert clock.local(got).strftime("%H:%M") == clock_text
        assert clock.local(got).date() == moment.date() + timedelta(days=int(next_day or 0))


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"by_email": "1"}, "email", "请填写邮箱地址"),
        ({"email": "not-an-address"}, "email", "邮箱地址格式不正确"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "quiet_start", "22:00 的格式"),
        ({"quiet_start": "22:00"}, "quiet_end", "开始和结束时间"),
    ],
)
def test_a_preference_that_cannot_be_kept_says_why(db, world, values, field, message):
    from fieldapp.errors import InputError

    with pytest.raises(InputError) as refused:
        alert_settings.save_preference(world.company_a1, values)
    assert message in refused.value.errors[field]
