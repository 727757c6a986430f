"""Working days: weekends and configured public holidays are skipped, and working
weekend days (调休上班) count — for limits such as seed 003 art. 9's three working days."""

from __future__ import annotations

from collections.abc import Mapping
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
    """Add or replace one calendar exception (a holiday, or a working weekend day)."""
    said = commands.read(HolidaySchema(), values)
    row = db.session.get(Holiday, said["day"]) or Holiday(day=said["day"])
    row.name, row.workday = said["name"], said["workday"]
    db.session.add(row)
    commit()
    return row


@transaction
def remove_day(day: date) -> None:
    row = db.session.get(Holiday, day)
    if row is not None:
        db.session.delete(row)
        commit()
