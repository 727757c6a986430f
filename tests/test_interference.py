"""Leaders' interference records (seed 003): recording, the three-working-day limit, who may
read them (and that every other attempt is refused and logged), append-only supplements and
follow-ups, the discipline register."""

from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from fieldapp import clock, roles
from fieldapp.db import db
from fieldapp.errors import InputError
from fieldapp.models import (
    Holiday,
    InterferenceFollowUp,
    InterferenceRecord,
    InterferenceSupplement,
    Notification,
    ReadLog,
)
from fieldapp.services import interference
from fieldapp.services.integrity import AppendOnly
from tests.factories import interference_values
from tests.helpers import logged_in, post
from tests.images import jpeg


def record(world, **over) -> InterferenceRecord:
    return interference.record(world.officer_a, interference_values(**over))


@pytest.mark.clock("2026-12-01T10:00+08:00")
def test_recording_sends_to_the_discipline_inspectors_with_the_limit(world):
    row = record(world, occurred_at="2026-11-20T09:30")  # a Friday
    assert row.org_unit_id == world.town_a.id
    assert row.due_on == date(2026, 11, 25)  # Mon, Tue, Wed
    assert row.occurred_at == datetime(2026, 11, 20, 1, 30, tzinfo=ZoneInfo("UTC"))
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "interference")).all()
    assert told == [world.discipline.id]
    assert (
        db.session.scalar(sa.select(Notification.link).where(Notification.kind == "interference"))
        == f"/interference/{row.id}"
    )


@pytest.mark.clock("2026-12-01T10:00+08:00")
def test_timeliness_counts_working_days_and_holidays(world, factory):
    db.session.add(Holiday(day=date(2026, 11, 23), name="测试假"))
    db.session.commit()
    row = record(world, occurred_at="2026-11-20T09:30")
    assert row.due_on == date(2026, 11, 26)  # Monday is a holiday: Tue, Wed, Thu

    def recorded_at(at: datetime) -> InterferenceRecord:
        return InterferenceRecord(
            **{
                c: getattr(row, c)
                for c in (
                    "recorder_id",
                    "org_unit_id",
                    "leader_name",
                    "leader_position",
                    "leader_unit",
                    "manner",
                    "conduct",
                    "occurred_at",
                    "request",
                    "due_on",
                )
            },
            created_at=at,
        )

    # Recorded on Thursday 26 November (10:00 Shanghai): on the last day, in time.
    assert interference.timeliness(recorded_at(datetime(2026, 11, 26, 2, 0, tzinfo=ZoneInfo("UTC")))).on_time
    # Had it been recorded on Monday 30 November: Friday 27 and Monday 30 are past the limit.
    t = interference.timeliness(recorded_at(datetime(2026, 11, 30, 2, 0, tzinfo=ZoneInfo("UTC"))))
    assert not t.on_time and t.late_by == 2


#: Three working days after a record made two hours before each moment of tests/dates.py, counted
#: by hand on the calendar each moment loads.
DUE_AT = {
    "month-end": date(2027, 7, 5),
    "new-years-eve": date(2027, 1, 6),
    "new-years-day": date(2027, 1, 6),
    "leap-day": date(2028, 3, 3),
    "before-spring-festival": date(2026, 2, 26),
    "after-spring-festival": date(2026, 2, 27),
    "friday": date(2026, 12, 16),
}


@pytest.mark.dated
def test_the_limit_on_any_day(world, moment):
    """Seed 003 art. 9's three working days from an interference two hours ago: across a weekend,
    the turn of the year, 29 February and the Spring Festival's days off and worked Saturdays."""
    row = record(world)
    occurred = clock.day_of(row.occurred_at)
    assert occurred == clock.day_of(clock.now() - timedelta(hours=2))
    if moment.id in DUE_AT:
        assert row.due_on == DUE_AT[moment.id]
    else:  # the real date, with no holidays loaded: weekdays only
        days = [occurred + timedelta(days=d) for d in range(1, 10)]
        assert row.due_on == [d for d in days if d.weekday() < 5][2]
    assert interference.timeliness(row).on_time  # recorded at once


IN_TWO_DAYS = object()  # stands for a time two days ahead, taken when the test runs


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("leader_name", "", "姓名"),
        ("manner", "bribe", "方式"),
        ("conduct", "", "情形"),
        ("occurred_at", "yesterday", "发生的时间"),
        ("request", "  ", "要求"),
        ("occurred_at", IN_TWO_DAYS, "晚于现在"),
        ("hazard_id", "999999", "隐患编号"),
        ("leader_unit", "单" * 101, "100"),
    ],
)
def test_bad_input_is_refused_with_a_message(world, field, value, message):
    if value is IN_TWO_DAYS:  # the time is taken when the test runs: collected, it named the test by the minute
        value = (clock.local(clock.now()) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    with pytest.raises(InputError) as refused:
        record(world, **{field: value})
    assert message in refused.value.errors[field]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterferenceRecord)) == 0


def test_the_form_keeps_what_was_typed_when_an_attachment_is_refused(world, make_client):
    c = logged_in(make_client(), "officer_a")
    data = interference_values()
    data["files"] = (BytesIO(b"<html><script>alert(1)</script></html>"), "evil.jpg")
    r = post(c, "/interference/new", data, token_from="/interference/new", content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "evil.jpg" in html and "只接受 PDF 或照片" in html
    assert "要求对某企业的隐患从轻处理" in html and "某县人民政府" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterferenceRecord)) == 0
    data = interference_values()
    data["files"] = [(BytesIO(jpeg(200, 150)), "note.jpg"), (BytesIO(b"%PDF-1.4 minimal"), "letter.pdf")]
    r = post(c, "/interference/new", data, token_from="/interference/new", content_type="multipart/form-data")
    assert r.status_code == 302
    row = db.session.scalar(sa.select(InterferenceRecord))
    assert sorted(f.content_type for f in row.files) == ["application/pdf", "image/jpeg"]
    pdf = next(f for f in row.files if f.content_type == "application/pdf")
    got = c.get(f"/interference/{row.id}/files/{pdf.id}")
    assert got.status_code == 200 and got.headers["Content-Disposition"] == "attachment"


def test_visibility_matrix(world, factory, make_client):
    other_discipline = factory.user(roles.DISCIPLINE_INSPECTOR, units=[world.town_b], username="discipline_b")
    both = factory.user(roles.ADMIN, roles.ENFORCEMENT_OFFICER, units=[world.town_a], username="admin_officer")
    row = record(world)
    expected = {
        "officer_a": 200,
        "discipline1": 200,
        "discipline_b": 403,
        "admin_d": 403,
        "admin_a": 403,
        "admin_officer": 403,
        "officer_d": 403,
        "insp_a1": 403,
        "company_a1": 403,
        "supervisor1": 403,
    }
    for username, status in expected.items():
        c = logged_in(make_client(), username)
        r = c.get(f"/interference/{row.id}")
        assert r.status_code == status, username
        if status == 403:
            html = r.get_data(as_text=True)
            assert "王某" not in html and "只有记录人和本单位纪检监察人员" in html
        # A missing record answers exactly like a forbidden one: existence is not leaked.
        missing = c.get("/interference/999999")
        assert missing.status_code == 403 and "只有记录人和本单位纪检监察人员" in missing.get_data(as_text=True)
        listing = c.get("/interference/")
        if listing.status_code == 200:
            assert ("王某" in listing.get_data(as_text=True)) == (status == 200), username
    logs = db.session.execute(
        sa.select(ReadLog.user_id, ReadLog.denied).where(
            ReadLog.object_type == "interference", ReadLog.object_id == row.id
        )
    ).all()
    granted = {uid for uid, denied in logs if not denied}
    refused = {uid for uid, denied in logs if denied}
    assert granted == {world.officer_a.id, world.discipline.id}
    assert {world.admin.id, world.admin_a.id, both.id, other_discipline.id} <= refused
    # The discipline inspector sees who read it and who was refused.
    page = logged_in(make_client(), "discipline1").get(f"/interference/{row.id}").get_data(as_text=True)
    assert "被拒绝" in page and world.admin.display_name in page


def test_no_route_edits_or_deletes_and_every_attempt_is_logged(world, make_client):
    row = record(world)
    before = {c.key: getattr(row, c.key) for c in sa.inspect(InterferenceRecord).column_attrs}
    for username in ("officer_a", "discipline1", "admin_d"):
        c = logged_in(make_client(), username)
        for method, url in (
            ("POST", f"/interference/{row.id}"),
            ("DELETE", f"/interference/{row.id}"),
            ("PUT", f"/interference/{row.id}"),
            ("PATCH", f"/interference/{row.id}"),
            ("GET", f"/interference/{row.id}/edit"),
            ("POST", f"/interference/{row.id}/delete"),
        ):
            headers = {"X-CSRFToken": _token(c)} if method != "GET" else {}
            r = c.open(url, method=method, data={"leader_name": "改掉"}, headers=headers)
            assert r.status_code == 403, (username, method, url)
            assert "不能修改或删除" in r.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(InterferenceRecord, row.id)
    assert {c.key: getattr(row, c.key) for c in sa.inspect(InterferenceRecord).column_attrs} == before
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ReadLog)
            .where(ReadLog.object_type == "interference", ReadLog.denied.is_(True))
        )
        == 18
    )


def _token(client) -> str:
    from tests.helpers import csrf_token

    return csrf_token(client, "/account")


def test_the_application_refuses_changes_from_any_code_path(world):
    row = record(world)
    supplement = interference.supplement(world.officer_a, row, {"text": "对方又打来电话。"})
    step = interference.follow_up(world.discipline, row, {"state": "received"})
    for obj, attr, value in ((row, "leader_name", "改掉"), (supplement, "text", "删改"), (step, "state", "handled")):
        setattr(obj, attr, value)
        with pytest.raises(AppendOnly):
            db.session.commit()
        db.session.rollback()
    for obj in (row, supplement, step):
        db.session.delete(obj)
        with pytest.raises(AppendOnly):
            db.session.flush()
        db.session.rollback()
    assert db.session.get(InterferenceRecord, row.id).leader_name == "王某"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InterferenceSupplement)) == 1
    assert db.session.scalar(sa.select(InterferenceFollowUp.state)) == "received"


def test_supplements_only_by_the_recorder_follow_ups_only_by_discipline(world, make_client):
    row = record(world)
    c = logged_in(make_client(), "officer_a")
    r = post(c, f"/interference/{row.id}/supplements", {"text": ""}, token_from=f"/interference/{row.id}")
    assert r.status_code == 400 and "补充的内容" in r.get_data(as_text=True)
    r = post(
        c,
        f"/interference/{row.id}/supplements",
        {"text": "对方通过秘书再次打招呼。"},
        token_from=f"/interference/{row.id}",
    )
    assert r.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.kind == "interference_supplement", Notification.user_id == world.discipline.id)
        )
        == 1
    )
    r = post(c, f"/interference/{row.id}/follow-ups", {"state": "handled"}, token_from=f"/interference/{row.id}")
    assert r.status_code == 403
    d = logged_in(make_client(), "discipline1")
    r = post(d, f"/interference/{row.id}/supplements", {"text": "纪检补充"}, token_from=f"/interference/{row.id}")
    assert r.status_code == 403
    r = post(d, f"/interference/{row.id}/follow-ups", {"state": "nonsense"}, token_from=f"/interference/{row.id}")
    assert r.status_code == 400 and "处理状态" in r.get_data(as_text=True)
    r = post(
        d,
        f"/interference/{row.id}/follow-ups",
        {"state": "verifying", "note": "已约谈核实。"},
        token_from=f"/interference/{row.id}",
    )
    assert r.status_code == 302
    page = d.get(f"/interference/{row.id}").get_data(as_text=True)
    assert "核实中" in page and "对方通过秘书再次打招呼" in page


def test_the_register_aggregates_by_unit_and_leader(world, factory, make_client):
    record(world)
    record(world, leader_name="王某", conduct="leaking")
    record(world, leader_name="李某", leader_position="局长", leader_unit="某局")
    outsider = factory.user(roles.ENFORCEMENT_OFFICER, units=[world.town_b], username="officer_b")
    interference.record(outsider, interference_values(leader_name="赵某"))
    rows = interference.register(world.discipline)
    totals = interference.aggregates(rows)
    assert totals["total"] == 4 and totals["late"] == 0
    assert totals["by_unit"][0] == ("某县人民政府", 3)
    assert totals["by_leader"][0] == (("王某", "副县长", "某县人民政府"), 2)
    page = logged_in(make_client(), "discipline1").get("/interference/").get_data(as_text=True)
    assert "汇总分析" in page and "某局" in page and "赵某" in page
    own = logged_in(make_client(), "officer_b").get("/interference/").get_data(as_text=True)
    assert "赵某" in own and "李某" not in own and "汇总分析" not in own
    assert interference.unreceived_count(world.discipline) == 4
    home = logged_in(make_client(), "discipline1").get("/").get_data(as_text=True)
    assert 'data-stat="interference_new"' in home


def test_admins_cannot_record_or_list(world, make_client):
    c = logged_in(make_client(), "admin_d")
    assert c.get("/interference/").status_code == 403
    assert c.get("/interference/new").status_code == 403
