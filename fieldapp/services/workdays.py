"""Working days: weekends and configured public holidays are skipped, and working
weekend days (调休上班) count — for limits such as seed 003 art. 9's three working days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from fieldapp.clock import SHANGHAI
from fieldapp.db import commit, db, transaction
from fieldapp.models import Holiday
from fieldapp.schemas import commands
from fieldapp.schemas.commands.admin import HolidaySchema


def span(first: date, last: date) -> tuple[datetime, datetime]:
    """The China-time days ``first`` to ``last`` (inclusive) as [start, end) moments, for
    comparing with stored UTC times."""
    return (datetime.combine(first, time.min, SHANGHAI), datetime.combine(last + timedelta(days=1), time.min, SHANGHAI))


def _calendar(start: date, end: date) -> dict[date, bool]:
    """Configured exceptions between two dates: day -> is it a working day."""
    rows = db.session.execute(sa.select(Holiday.day, Holiday.workday).where(Holiday.day.between(start, end)))
    return {day: workday for day, workday in rows}


def is_workday(day: date, calendar: dict[date, bool] | None = None) -> bool:
    calendar = _calendar(day, day) if calendar is None else calendar
    if day in calendar:
        return calendar[day]
    return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted)."""
    # A year's window holds any real run of holidays; widened if a calendar ever needs more.
    window = 31 + n * 3
    while True:
        calendar = _calendar(start, start + timedelta(days=window))
        day, left = start, n
        while left and day < start + timedelta(days=window):
            day += timedelta(days=1)
            if is_workday(day, calendar):
                left -= 1
        if not left:
            return day
        window *= 2


def working_days_after(start: date, end: date) -> int:
    """Working days in (start, end]: how many working days ``end`` lies after ``start``."""
    if end <= start:
        return 0
    calendar = _calendar(start, end)
    return sum(1 for i in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=i), calendar))


def holidays(year: int) -> list[Holiday]:
    return list(
        db.session.scalars(
            sa.select(Holiday).where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(Holiday.day)
        )
    )


@transaction
def set_day(values: Mapping) -> Holiday:
    """Add or replace one calendar exception (a holiday, or a working weekend day): the admin's
    own, which the official calendar's yearly load leaves as it is."""
    said = commands.read(HolidaySchema(), values)
    row = db.session.get(Holiday, said["day"]) or Holiday(day=said["day"])
    row.name, row.workday, row.official = said["name"], said["workday"], False
    db.session.add(row)
    commit()
    return row


@transaction
def remove_day(day: date) -> None:
    """An admin's row goes; an official one becomes the admin's word that the day is ordinary (a
    weekday worked, a weekend off), so that the next load of the calendar does not bring it back."""
    row = db.session.get(Holiday, day)
    if row is None:
        return
    if row.official:
        row.official, row.workday = False, day.weekday() < 5
        row.name = f"取消：{row.name}"[:50]
    else:
        db.session.delete(row)
    commit()


@dataclass
class Loaded:
    first_year: int
    last_year: int
    added: int
    changed: int
    kept: int  # days an admin had set, left as they are


def official_calendar() -> dict[date, tuple[str, bool]]:
    """The State Council's arrangements from the ``chinesecalendar`` package, as exceptions to
    the week: weekdays off and weekend days worked (day -> (name, is it a working day))."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday as Festival

    names = {f.value: f.chinese for f in Festival}
    days = {d: (names.get(n, n), False) for d, n in chinese_calendar.holidays.items() if d.weekday() < 5}
    days |= {d: (names.get(n, n), True) for d, n in chinese_calendar.workdays.items() if d.weekday() >= 5}
    return days


@transaction
def load_official(calendar: dict[date, tuple[str, bool]] | None = None) -> Loaded:
    """Bring the official rows in line with the calendar for the years it covers: add and
    correct them, remove those it no longer has; an admin's row is never touched."""
    calendar = official_calendar() if calendar is None else calendar
    first, last = min(calendar).year, max(calendar).year
    rows = {
        h.day: h
        for h in db.session.scalars(
            sa.select(Holiday).where(Holiday.day.between(date(first, 1, 1), date(last, 12, 31)))
        )
    }
    added = changed = kept = 0
    for day, (name, workday) in sorted(calendar.items()):
        row = rows.get(day)
        if row is None:
            db.session.add(Holiday(day=day, name=name, workday=workday, official=True))
            added += 1
        elif not row.official:
            kept += 1
        elif (row.name, row.workday) != (name, workday):
            row.name, row.workday = name, workday
            changed += 1
    for day, row in rows.items():
        if row.official and day not in calendar:
            db.session.delete(row)
            changed += 1
    commit()
    return Loaded(first, last, added, changed, kept)
