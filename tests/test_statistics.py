"""Hazard statistics: the figures match the underlying records, breakdowns add up, months are
China-time months, filters apply, and the SVG chart renders with its table."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from fieldapp.db import db
from fieldapp.models import Hazard
from fieldapp.services import hazards, statistics
from tests.helpers import logged_in
from tests.test_hazards import PHOTO, confirm_values, report

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(h: Hazard, **values) -> None:
    db.session.execute(sa.update(Hazard).where(Hazard.id == h.id).values(**values))
    db.session.commit()
    db.session.expire_all()


def world_of_hazards(world):
    """Five hazards in grid A1 (one major), one in B1, across three months."""
    now = datetime.now(SHANGHAI)
    made = []
    for _i in range(3):
        h = report(world)
        hazards.confirm(world.officer_a, h, confirm_values())
        made.append(h)
    closed = made[0]
    hazards.acknowledge(world.company_a1, closed)
    hazards.submit(world.company_a1, closed, "已整改", PHOTO)
    hazards.recheck(world.inspector_a1, closed, True, {"note": "通过"}, PHOTO)
    rejected = report(world)
    hazards.reject(world.officer_a, rejected, "不属实")
    major = report(world, level="major")
    hazards.confirm(world.officer_a, major, confirm_values("major"))
    # Back-date: the closed one confirmed 4 days before its closure; one overdue.
    _at(closed, confirmed_at=closed.closed_at - timedelta(days=4))
    _at(made[1], deadline=hazards.today() - timedelta(days=2))
    # One reported at 00:30 on the 1st, China time: still last month in UTC, this month here.
    first = now.replace(day=1, hour=0, minute=30, second=0, microsecond=0)
    _at(made[2], created_at=first.astimezone(UTC))
    return {"closed": closed, "overdue": made[1], "rejected": rejected, "major": major, "early": made[2]}


def test_figures_match_the_records(world):
    world_of_hazards(world)
    f = statistics.default_filters()
    r = statistics.report(world.officer_a, f)
    rows = db.session.scalars(sa.select(Hazard)).all()
    assert r.total.found == len(rows) == 5
    assert r.total.confirmed == sum(1 for h in rows if h.confirmed_at) == 4
    assert r.total.rejected == 1 and r.total.closed == 1 and r.total.overdue == 1
    assert r.total.rectification_rate == 25  # 1 of the 4 confirmed
    assert r.median_days == 4.0
    for name in statistics.DIMENSIONS:
        assert sum(fig.found for _k, fig in r.breakdowns[name]) == 5, name
    assert dict((k, fig.found) for k, fig in r.breakdowns["level"]) == {"general": 4, "major": 1}
    this_month = hazards.today().replace(day=1)
    by_month = {m: (found, closed) for m, found, closed in r.months}
    assert len(r.months) == 12 and by_month[this_month] == (5, 1)  # none leaks into the UTC month before
    assert sum(found for _m, found, _c in r.months) == 5


def test_scope_and_filters(world):
    world_of_hazards(world)
    assert statistics.report(world.inspector_b1, statistics.default_filters()).total.found == 0
    f, problems = statistics.parse_filters(MultiDict({"level": "major", "grid": str(world.grid_a1.id)}))
    assert not problems and statistics.report(world.officer_a, f).total.found == 1
    f, problems = statistics.parse_filters(MultiDict({"from": "2026-13", "to": "nonsense", "level": "x"}))
    assert set(problems) == {"from", "to"} and f.level is None
    f, problems = statistics.parse_filters(MultiDict({"from": "2026-10", "to": "2026-01"}))
    assert "range" in problems and f == statistics.default_filters()


def test_page_draws_the_chart_with_its_table(world, make_client):
    world_of_hazards(world)
    officer = logged_in(make_client(), "officer_a")
    page = officer.get("/statistics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg class="chart"' in html and "<title>每月发现与销号的隐患</title>" in html
    assert html.count('<rect class="bar-found"') == 12 and 'id="by-month"' in html
    assert 'data-stat="found">5<' in html and world.grid_a1.name in html
    bad = officer.get("/statistics?from=abc")
    assert bad.status_code == 200 and 'id="filter-error"' in bad.get_data(as_text=True)
    assert logged_in(make_client(), "insp_a1").get("/statistics").status_code == 403
