"""The one clock of the app: ``now()`` (aware UTC) and ``today()`` (China's date).

Every limit the regulations set is counted in China's calendar (Asia/Shanghai): deadlines,
overdue lists, reminders, the bimonthly coverage periods, half-year assessments, training
years, terms. Stored times are UTC. Nothing else in the app reads the system clock, so that
``travel`` can move all of it — the tests run the date-sensitive rules on a month's last day,
at the turn of the year, on 29 February and around the Spring Festival, as well as today.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: How far ``now()`` is from the system clock; zero except inside ``travel``.
_offset = timedelta(0)


def now() -> datetime:
    """The current moment, aware, in UTC (the form every stored time takes)."""
    return datetime.now(UTC) + _offset


def today() -> date:
    """Today's date in China, the day every deadline and period is counted in."""
    return now().astimezone(SHANGHAI).date()


def local(value: datetime) -> datetime:
    """A stored (UTC) moment as China's wall-clock time."""
    return value.astimezone(SHANGHAI)


def day_of(value: datetime) -> date:
    """The China-time date a stored moment falls on."""
    return value.astimezone(SHANGHAI).date()


def moment(day: date, at: time = time(10, 0)) -> datetime:
    """A China-time wall-clock moment on ``day`` (10:00 unless told), as an aware datetime."""
    return datetime.combine(day, at, SHANGHAI)


@contextmanager
def travel(to: datetime | date) -> Iterator[datetime]:
    """Run the app as if it were ``to`` (a date means 10:00 China time that day).

    The clock keeps ticking from there, so the order of what happens inside stays real.
    Meant for tests and benchmarks; a server never calls it.
    """
    global _offset
    target = moment(to) if not isinstance(to, datetime) else to
    if target.tzinfo is None:
        raise ValueError("travel needs an aware datetime or a date")
    before = _offset
    _offset = target - datetime.now(UTC)
    try:
        yield target
    finally:
        _offset = before
