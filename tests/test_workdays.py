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


def test_the_state_councils_calendar_loads_beside_the_admins_own(db, app):
    """``fieldapp calendar load`` fills the calendar from the chinesecalendar package — weekdays
    off and weekends worked, marked official — and never writes over an admin's entry, nor
    brings back an official day an admin removed; a revised calendar corrects its own rows."""
    workdays.set_day({"day": "2026-10-02", "name": "本地安排", "workday": "1"})  # the admin's word
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["fieldapp", "calendar", "load"])
    assert loaded.exit_code == 0 and "保留管理员设置 1 天" in loaded.output, loaded.output
    assert "2004–2026 年" in loaded.output and "尚无 2027 年的安排" in loaded.output  # which years, said

    def row(day: date) -> Holiday | None:
        db.session.expire_all()
        return db.session.get(Holiday, day)

    national_day = row(date(2026, 10, 1))
    assert (national_day.name, national_day.workday, national_day.official) == ("国庆节", False, True)
    assert row(date(2026, 10, 10)).workday and row(date(2026, 10, 10)).official  # a Saturday worked
    assert row(date(2026, 10, 3)) is None  # a Saturday off needs no row
    assert (row(date(2026, 10, 2)).name, row(date(2026, 10, 2)).official) == ("本地安排", False)
    assert row(date(2024, 2, 12)).name == "春节"  # the years before too
    # Wednesday 30 Sept: 1 Oct off, 2 Oct worked by the admin's word, 5-7 off, Thu 8.
    assert workdays.add_working_days(date(2026, 9, 30), 2) == date(2026, 10, 8)

    again = runner.invoke(args=["fieldapp", "calendar", "load"])
    assert "新增 0 天，更正 0 天" in again.output, again.output
    workdays.remove_day(date(2026, 10, 1))  # the admin cancels an official day: it stays cancelled
    workdays.load_official()
    assert row(date(2026, 10, 1)).workday and not row(date(2026, 10, 1)).official

    revised = workdays.official_calendar()
    del revised[date(2026, 10, 7)]
    revised[date(2026, 10, 6)] = ("中秋节", False)
    done = workdays.load_official(revised)
    assert (done.added, done.changed) == (0, 2) and row(date(2026, 10, 7)) is None
    assert row(date(2026, 10, 6)).name == "中秋节"


def test_the_admin_page_tells_official_days_from_their_own(app, make_client, world):
    from tests.helpers import logged_in

    workdays.load_official({date(2026, 10, 1): ("国庆节", False), date(2026, 10, 10): ("国庆节", True)})
    workdays.set_day({"day": "2026-12-31", "name": "本地假", "workday": ""})
    page = logged_in(make_client(), "admin_d").get("/admin/holidays?year=2026").get_data(as_text=True)
    listed = page[page.index('id="holiday-list"') :]
    assert listed.count("国务院安排</span>") == 2 and "本地假" in listed
