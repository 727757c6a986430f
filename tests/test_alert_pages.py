"""The pages of issue 35: one's own channels and quiet hours, a department's robots and routes
(secrets never shown again), and the admin's list of undelivered messages with a resend."""

from __future__ import annotations

import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.models import AlertPreference, DepartmentAlerts, OutboundMessage
from fieldapp.services import outbound
from tests.helpers import logged_in, post

WEBHOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=6f1c-secret-key"


def test_a_person_sets_channels_and_quiet_hours(client, world):
    logged_in(client, "company_a1")
    page = client.get("/account/alerts").get_data(as_text=True)
    assert "免打扰时段" in page and "本系统尚未开通短信" in page
    refused = post(client, "/account/alerts", {"by_email": "1", "email": "", "quiet_start": "23:00"}, "/account/alerts")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "请填写邮箱地址" in text and "请填写免打扰的开始和结束时间" in text
    assert 'value="23:00"' in text  # what was typed stays
    saved = post(
        client,
        "/account/alerts",
        {"by_email": "1", "email": "anquan@jiayi.example.cn", "quiet_start": "22:00", "quiet_end": "07:00"},
        "/account/alerts",
    )
    assert saved.status_code == 302
    pref = db.session.get(AlertPreference, world.company_a1.id)
    assert (pref.by_email, pref.email, pref.quiet_start, pref.quiet_end) == (True, "anquan@jiayi.example.cn", 1320, 420)
    assert not pref.by_sms  # the deployment sends no SMS: the box kept what it was (unticked here)
    again = client.get("/account/alerts").get_data(as_text=True)
    assert 'value="22:00"' in again and "anquan@jiayi.example.cn" in again


def test_an_admin_sets_a_departments_robot_and_never_sees_it_again(client, world):
    logged_in(client, "admin_a")
    page = client.get("/admin/alerts")
    assert page.status_code == 200 and "甲镇" in page.get_data(as_text=True)
    bad = post(client, "/admin/alerts", {"digest_minutes": "2", "wecom_webhook": "qyapi.weixin"}, "/admin/alerts")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "5 到 1440" in text and "完整 Webhook 地址" in text
    saved = post(
        client,
        "/admin/alerts",
        {"digest_minutes": "15", "wecom_webhook": WEBHOOK, "group_general": "1", "route_confirm": "1"},
        "/admin/alerts",
    )
    assert saved.status_code == 302
    row = db.session.get(DepartmentAlerts, world.town_a.id)
    assert row.wecom_webhook == WEBHOOK and row.digest_minutes == 15 and row.routes["overdue"] is False
    shown = client.get("/admin/alerts").get_data(as_text=True)
    assert "6f1c-secret-key" not in shown and "已设置" in shown
    assert client.get(f"/admin/alerts?unit={world.town_b.id}").status_code == 404  # not theirs


def test_a_town_without_its_own_settings_says_whose_it_follows(client, world):
    logged_in(client, "admin_d")
    post(client, "/admin/alerts", {"digest_minutes": "30"}, "/admin/alerts")  # the district's own
    page = client.get(f"/admin/alerts?unit={world.town_b.id}").get_data(as_text=True)
    assert "沿用「测试区」的设置" in page


def _dead(unit, key):
    message = outbound.enqueue("sms", "13900000001", "confirm", "隐患已确认，请按期整改", key, org_unit_id=unit.id)
    message.status, message.attempts, message.last_error = "dead", 1, "Alibaba SMS: isv.MOBILE_NUMBER_ILLEGAL"
    db.session.commit()
    return message


def test_an_admin_sees_their_departments_undelivered_messages_and_sends_one_again(client, world):
    mine, theirs = _dead(world.town_a, "a"), _dead(world.town_b, "b")
    logged_in(client, "admin_a")
    home = client.get("/").get_data(as_text=True)  # the home page says one failed, a tap from the list
    assert 'data-stat="messages_failed" title="发送失败">1</span>' in home
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert page.count("isv.MOBILE_NUMBER_ILLEGAL") == 1 and "139****0001" in page and "13900000001" not in page
    assert post(client, f"/admin/outbox/{theirs.id}/resend", token_from="/admin/outbox").status_code == 404
    assert post(client, f"/admin/outbox/{mine.id}/resend", token_from="/admin/outbox").status_code == 302
    db.session.refresh(mine)
    assert mine.status == "pending" and mine.attempts == 0
    assert 'data-stat="messages_failed"' not in client.get("/").get_data(as_text=True)  # none failed now
    again = post(client, f"/admin/outbox/{mine.id}/resend", token_from="/admin/outbox", follow_redirects=True)
    assert "无需重新发送" in again.get_data(as_text=True)
    statuses = dict(db.session.execute(sa.select(OutboundMessage.key, OutboundMessage.status)).all())
    assert statuses == {"a": "pending", "b": "dead"}
