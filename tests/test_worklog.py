"""Work log derived from field work (no double entry), leave requests and the attendance sheet."""

from datetime import date, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from fieldapp.clock import SHANGHAI
from fieldapp.db import db
from fieldapp.errors import Conflict, InputError
from fieldapp.models import Holiday, Inspection, LeaveRequest
from fieldapp.services import worklog
from tests.factories import inspect, report
from tests.helpers import logged_in, post

MONTH = date(2026, 10, 1)


def test_log_is_derived_from_field_work(world):
    late_evening = datetime(2026, 10, 1, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC, still 1 October here
    record = inspect(world, world.ent_a1, late_evening)
    h = report(world)
    db.session.execute(
        sa.update(type(h)).where(type(h).id == h.id).values(created_at=datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI))
    )
    db.session.commit()
    days = {d.day: d for d in worklog.log(world.inspector_a1, MONTH)}
    assert len(days) == 31
    first = [e.kind for e in days[date(2026, 10, 1)].entries]
    assert first == ["inspection"] and record.number in days[date(2026, 10, 1)].entries[0].text
    assert [e.kind for e in days[date(2026, 10, 9)].entries] == ["report"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 2  # report() opened a draft today
    assert worklog.log(world.inspector_b1, MONTH)[0].entries == []


def leave(world, start, end, kind="annual"):
    return worklog.request_leave(
        world.inspector_a1, {"kind": kind, "starts_on": start, "ends_on": end, "reason": "探亲"}
    )


def test_leave_requests_and_the_attendance_sheet(world, make_client):
    with pytest.raises(InputError) as refused:
        leave(world, "2026-10-20", "2026-10-19")
    assert "不能早于" in refused.value.errors["ends_on"]
    first = leave(world, "2026-10-19", "2026-10-20")
    with pytest.raises(InputError) as refused:
        leave(world, "2026-10-20", "2026-10-22")
    assert "重叠" in refused.value.errors["starts_on"]
    worklog.decide(world.admin, first.id, True, "同意")
    with pytest.raises(Conflict):
        worklog.decide(world.admin, first.id, False)
    db.session.add(Holiday(day=date(2026, 10, 5), name="国庆节"))
    db.session.commit()
    inspect(world, world.ent_a1, datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI))
    inspect(world, world.ent_a1_other, datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI))  # a Saturday worked
    days, sheet = worklog.attendance(world.admin, MONTH)
    row = next(marks for person, marks, _c in sheet if person.id == world.inspector_a1.id)
    mark = dict(zip(days, row, strict=True))
    assert mark[date(2026, 10, 8)] == "work" and mark[date(2026, 10, 10)] == "work"
    assert mark[date(2026, 10, 19)] == "leave" and mark[date(2026, 10, 20)] == "leave"
    assert mark[date(2026, 10, 5)] == "off" and mark[date(2026, 10, 11)] == "off" and mark[date(2026, 10, 12)] == ""
    counts = next(c for person, _m, c in sheet if person.id == world.inspector_a1.id)
    assert (counts["work"], counts["leave"]) == (2, 2)
    admin = logged_in(make_client(), "admin_d")
    got = admin.get("/worklog/attendance.xlsx?month=2026-10")
    book = load_workbook(BytesIO(got.data), read_only=True)
    rows = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert rows[0][:3] == ["姓名", "工作证号", "1日"]
    mine = next(r for r in rows if r[0] == world.inspector_a1.display_name)
    assert mine[2 + 7] == "出勤" and mine[-3:-1] == [2, 2]
    assert admin.get("/worklog/attendance?month=bad").status_code == 404
    page = admin.get(f"/worklog/?user={world.inspector_a1.id}&month=2026-10").get_data(as_text=True)
    assert "2026-10-08" in page and "年休假" in page


@pytest.mark.dated
def test_pages_and_scope(world, factory, make_client):
    insp = logged_in(make_client(), "insp_a1")
    r = post(
        insp, "/worklog/leave", {"kind": "sick", "starts_on": "2026-12-01", "ends_on": "nonsense"}, "/worklog/leave"
    )
    assert r.status_code == 400 and "日期格式不正确" in r.get_data(as_text=True)
    r = post(
        insp, "/worklog/leave", {"kind": "sick", "starts_on": "2026-12-01", "ends_on": "2026-12-02"}, "/worklog/leave"
    )
    assert r.status_code == 302
    row = db.session.scalar(sa.select(LeaveRequest))
    other_admin = logged_in(make_client(), "admin_a")  # town A manages insp_a1
    pending = other_admin.get("/worklog/leave/pending").get_data(as_text=True)
    assert world.inspector_a1.display_name in pending
    from fieldapp import roles

    factory.user(roles.ADMIN, units=[world.town_b], username="admin_b")
    outsider = logged_in(make_client(), "admin_b")
    r = post(outsider, f"/worklog/leave/{row.id}/approve", {}, "/worklog/leave/pending")
    assert r.status_code == 404 and db.session.get(LeaveRequest, row.id).status == "pending"  # as if missing
    assert outsider.get(f"/worklog/?user={world.inspector_a1.id}").status_code == 404
    # An inspector asking for someone else's log gets their own.
    own = insp.get(f"/worklog/?user={world.inspector_b1.id}")
    assert own.status_code == 200 and world.inspector_b1.display_name not in own.get_data(as_text=True)
    assert logged_in(make_client(), "officer_a").get("/worklog/").status_code == 403
