"""The moments the date-sensitive tests run at, besides the real one.

A test marked ``@pytest.mark.dated`` runs once at each (``conftest`` moves the app's clock with
``clock.travel``): the end of a month, of a bimonthly period and of a half-year late in the
evening; New Year's Eve and the first minutes of New Year's Day in China, when UTC still says the
old year (New Year's Day loaded as a holiday); 29 February; the days either side of the 2026
Spring Festival holiday, with the State Council's calendar for it loaded (the day before is a
Saturday worked in exchange); a Friday afternoon before a weekend; and now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fieldapp.clock import SHANGHAI


@dataclass(frozen=True)
class Moment:
    id: str
    at: datetime | None  # None: the real clock
    #: Calendar exceptions loaded for the test: (day, name, is it a working day).
    calendar: tuple[tuple[date, str, bool], ...] = field(default=())


def _china(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


#: 2026's Spring Festival as the State Council set it: 15–23 February off, Saturdays 14 and 28
#: February worked.
SPRING_FESTIVAL_2026 = tuple((date(2026, 2, 15) + timedelta(days=d), "春节", False) for d in range(9)) + (
    (date(2026, 2, 14), "春节调休", True),
    (date(2026, 2, 28), "春节调休", True),
)

#: New Year's Day, a public holiday whatever the year's arrangements around it.
NEW_YEAR_2027 = ((date(2027, 1, 1), "元旦", False),)

MOMENTS = [
    Moment("now", None),
    Moment("month-end", _china(2027, 6, 30, 23, 20)),
    Moment("new-years-eve", _china(2026, 12, 31, 23, 30), NEW_YEAR_2027),
    Moment("new-years-day", _china(2027, 1, 1, 0, 20), NEW_YEAR_2027),
    Moment("leap-day", _china(2028, 2, 29, 12, 0)),
    Moment("before-spring-festival", _china(2026, 2, 14, 17, 0), SPRING_FESTIVAL_2026),
    Moment("after-spring-festival", _china(2026, 2, 24, 8, 30), SPRING_FESTIVAL_2026),
    Moment("friday", _china(2026, 12, 11, 16, 30)),
]
