"""Working days: weekends skipped, configured holidays skipped, working weekend days counted."""

from datetime import date

from fieldapp.db import db
from fieldapp.models import Holiday
from fieldapp.services import workdays


def test_weekend_is_skipped(db):
    friday = date(2026, 11, 20)
    assert workdays.add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert workdays.add_working_days(friday, 3) == date(2026, 11, 25)  # Wednesday
    assert workdays.add_working_days(date(2026, 11, 21), 3) == date(2026, 11, 25)  # from a Saturday
    assert workdays.add_working_days(date(2026, 11, 23), 3) == date(2026, 11, 26)  # Monday: plain


def test_holidays_and_working_weekend_days(db):
    # National Day 2026: 1–7 October off; Sunday 27 September and Saturday 10 October worked.
    for d in range(1, 8):
        db.session.add(Holiday(day=date(2026, 10, d), name="国庆节"))
    db.session.add_all(
        [
            Holiday(day=date(2026, 9, 27), name="调休", workday=True),
            Holiday(day=date(2026, 10, 10), name="调休", workday=True),
        ]
    )
    db.session.commit()
    # Saturday 26 Sept: Sunday 27 worked (1), Mon 28 (2), Tue 29 (3).
    assert workdays.add_working_days(date(2026, 9, 26), 3) == date(2026, 9, 29)
    # Wednesday 30 Sept: the whole holiday skipped; Thu 8, Fri 9, Sat 10 (worked).
    assert workdays.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert workdays.is_workday(date(2026, 10, 10)) and not workdays.is_workday(date(2026, 10, 5))
    assert workdays.working_days_after(date(2026, 9, 30), date(2026, 10, 12)) == 4  # 8, 9, 10, 12


def test_a_long_run_of_holidays_widens_the_window(db):
    start = date(2027, 1, 1)
    for d in range(2, 80):
        db.session.add(Holiday(day=date.fromordinal(start.toordinal() + d), name="测试"))
    db.session.commit()
    # Friday 1 Jan 2027, then a weekend and 78 days off: the first working day is Monday 22 March.
    assert workdays.add_working_days(start, 1) == date(2027, 3, 22)
    assert workdays.add_working_days(start, 3) == date(2027, 3, 24)
    assert workdays.working_days_after(start, date(2027, 3, 24)) == 3


def test_admin_sets_and_removes_days(app, make_client, world):
    from tests.helpers import logged_in, post

    c = logged_in(make_client(), "admin_d")
    r = post(c, "/admin/holidays", {"day": "2026-12-31", "name": "测试假"}, token_from="/admin/holidays")
    assert r.status_code == 302
    assert db.session.get(Holiday, date(2026, 12, 31)).workday is False
    r = post(c, "/admin/holidays", {"day": "not a day", "name": "x"}, token_from="/admin/holidays")
    assert r.status_code == 400 and "请填写日期" in r.get_data(as_text=True)
    r = post(c, "/admin/holidays/2026-12-31/delete", token_from="/admin/holidays")
    assert r.status_code == 302 and db.session.get(Holiday, date(2026, 12, 31)) is None
    officer = logged_in(make_client(), "officer_a")
    assert officer.get("/admin/holidays").status_code == 403
