"""Hazard statistics: the figures match the underlying records, breakdowns add up, months are
China-time months, filters apply, and the SVG chart renders with its table."""

import itertools
import re
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from fieldapp import clock
from fieldapp.clock import SHANGHAI
from fieldapp.db import db
from fieldapp.models import Grid, Hazard
from fieldapp.services import hazards, statistics
from tests.factories import confirm_values, set_hazard, tallies, world_of_hazards
from tests.helpers import logged_in


@pytest.mark.dated
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
    this_month = clock.today().replace(day=1)
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


@pytest.mark.dated
def test_page_draws_the_chart_with_its_table(world, make_client):
    world_of_hazards(world)
    officer = logged_in(make_client(), "officer_a")
    page = officer.get("/statistics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<svg class="chart"' in html and "<title>每月发现与销号的隐患</title>" in html
    # The chart starts at the first month with a hazard found or closed; the table says each
    # month, a run of empty ones as one row ("2026-01 — 2026-11").
    table = html.split('id="by-month"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td>(\d+)</td><td>(\d+)</td>', table)

    def months_in(label):
        found = re.findall(r"\d{4}-\d{2}", label)
        first, last = (date.fromisoformat(f"{found[k]}-01") for k in (0, -1))
        return (last.year - first.year) * 12 + last.month - first.month + 1

    assert sum(months_in(label) for label, _f, _c in rows) == 12
    active = next(i for i, (_m, found, closed) in enumerate(rows) if found != "0" or closed != "0")
    assert html.count('<rect class="bar-found"') == sum(months_in(label) for label, _f, _c in rows[active:])
    assert all(found == closed == "0" for label, found, closed in rows if "—" in label)  # runs are empty
    assert 'data-stat="found">5<' in html and world.grid_a1.name in html
    bad = officer.get("/statistics?from=abc")
    assert bad.status_code == 200 and 'id="filter-error"' in bad.get_data(as_text=True)
    assert logged_in(make_client(), "insp_a1").get("/statistics").status_code == 403


# --- running tallies (models/tallies.py), kept by database triggers --------------------------


def _china_month(moment) -> date:
    return moment.astimezone(SHANGHAI).date().replace(day=1)


def recount() -> dict:
    """The tallies worked out in Python from the hazards, an oracle independent of the SQL."""
    unit_of = dict(db.session.execute(sa.select(Grid.id, Grid.org_unit_id)).all())
    out: dict[tuple, Counter] = {}
    for h in db.session.scalars(sa.select(Hazard)):
        key = (unit_of[h.grid_id], h.enterprise.industry or "", h.level or h.proposed_level)

        def add(month, key=key, **measures):
            out.setdefault((key[0], month, *key[1:]), Counter()).update(measures)

        add(_china_month(h.created_at), found=1, rejected=int(h.status == "rejected"))
        if h.confirmed_at:
            add(_china_month(h.confirmed_at), confirmed=1, confirmed_closed=int(h.closed_at is not None))
        if h.closed_at:
            add(_china_month(h.closed_at), closed=1)
        if h.deadline:
            add(h.deadline.replace(day=1), rectifying_due=int(h.status in hazards.RECTIFYING))
    closures = Counter()
    for h in db.session.scalars(
        sa.select(Hazard).where(Hazard.closed_at.is_not(None), Hazard.confirmed_at.is_not(None))
    ):
        days = (h.closed_at.astimezone(SHANGHAI).date() - h.confirmed_at.astimezone(SHANGHAI).date()).days
        closures[(unit_of[h.grid_id], _china_month(h.closed_at), days)] += 1
    return {key: +counts for key, counts in out.items() if +counts}, +closures


@pytest.mark.dated
def test_tallies_follow_every_write(world):
    world.ent_a1.industry = "C33"
    db.session.commit()
    made = world_of_hazards(world)
    assert tallies() == recount() and sum(c["found"] for c in tallies()[0].values()) == 5
    assert tallies()[1] == Counter({(world.town_a.id, _china_month(made["closed"].closed_at), 4): 1})
    hazards.regrade(world.officer_a, made["overdue"], confirm_values("major", note="涉及重大危险源"))
    assert tallies() == recount()
    world.ent_a1.industry = "C26"  # the enterprise's industry corrected: its hazards move along
    db.session.commit()
    assert tallies() == recount() and {k[2] for k in tallies()[0]} == {"C26"}
    world.grid_a1.org_unit_id = world.town_b.id  # the grid handed to another department
    db.session.commit()
    assert tallies() == recount() and {k[0] for k in tallies()[0]} == {world.town_b.id}
    set_hazard(made["early"], created_at=clock.now() - timedelta(days=70), deadline=clock.today() - timedelta(days=40))
    assert tallies() == recount()  # a hand-made SQL fix is followed too
    stray = Hazard(
        uuid=str(uuid.uuid4()),
        enterprise_id=world.ent_b1.id,
        grid_id=world.grid_b1.id,
        reporter_id=world.inspector_b1.id,
        description="测试",
    )
    db.session.add(stray)
    db.session.commit()
    assert tallies() == recount()
    db.session.delete(stray)
    db.session.commit()
    assert tallies() == recount()


def _comparable(r: statistics.Report) -> tuple:
    return (
        r.total,
        r.median_days,
        r.months,
        {name: sorted(r.breakdowns[name], key=str) for name in ("org_unit", "industry", "level")},
    )


def _from_hazards_only(monkeypatch, user, filters) -> statistics.Report:
    """Every figure counted from the hazards themselves, none from the tallies."""
    with monkeypatch.context() as m:
        m.setattr(statistics, "_whole_departments", lambda *_: None)
        return statistics.report(user, filters)


def test_district_and_town_figures_from_the_tallies_match_the_hazards(world, monkeypatch):
    made = world_of_hazards(world)
    # Overdue from a past month's deadline and (except on the 1st) from this month's.
    set_hazard(made["early"], deadline=clock.today() - timedelta(days=45))
    world.ent_a1.industry = "C33"
    db.session.commit()
    for filters in (
        statistics.default_filters(),
        statistics.parse_filters(MultiDict({"level": "general"}))[0],
        statistics.parse_filters(MultiDict({"industry": "C33"}))[0],
    ):
        from_hazards = _from_hazards_only(monkeypatch, world.admin, filters)
        with monkeypatch.context() as m:
            m.setattr(statistics, "GRIDS_ON_ONE_PAGE", 0)  # the district's 3 grids count as "many"
            from_tallies = statistics.report(world.admin, filters)
        assert from_tallies.by_department and not from_hazards.by_department
        assert _comparable(from_tallies) == _comparable(from_hazards)
        assert from_tallies.breakdowns["grid"] == []
        # A town (whole department, one page): everything from the tallies but the grid breakdown,
        # counted from its hazards by grid alone — the same figures.
        town = statistics.report(world.officer_a, filters)
        assert not town.by_department and town.breakdowns["grid"]
        assert (_comparable(town), town.breakdowns["grid"]) == (
            _comparable(t := _from_hazards_only(monkeypatch, world.officer_a, filters)),
            t.breakdowns["grid"],
        )
    assert from_hazards.total.found == 5 and from_hazards.total.overdue == 2


def test_large_scope_opens_one_department_at_a_time(world, make_client, monkeypatch):
    world_of_hazards(world)
    monkeypatch.setattr(statistics, "GRIDS_ON_ONE_PAGE", 2)  # the district admin sees 3 grids
    admin = logged_in(make_client(), "admin_d")
    page = admin.get("/statistics?level=general").get_data(as_text=True)
    assert 'id="by-grid"' not in page and 'id="by-org-unit"' in page
    # Departments by name; no grid filter until one department is open.
    assert world.town_a.name in page and '<select name="grid">' not in page
    link = f"/statistics?level=general&amp;unit={world.town_a.id}"
    assert link in page
    town = admin.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'id="by-grid"' in town and world.grid_a1.name in town and 'id="all-units"' in town
    assert 'data-stat="found">4<' in town and world.grid_b1.name not in town
    # The grid filter: that department's grids by code, the chosen one selected.
    one = admin.get(f"/statistics?unit={world.town_a.id}&grid={world.grid_a2.id}").get_data(as_text=True)
    options = re.findall(
        r'<option value="(\d+)"( selected)?>([^<]*)</option>',
        one.split('<select name="grid">')[1].split("</select>")[0],
    )
    assert options == [
        (str(g.id), " selected" if g is world.grid_a2 else "", f"{g.code} {g.name}")
        for g in sorted((world.grid_a1, world.grid_a2), key=lambda g: g.code)
    ]
    other = logged_in(make_client(), "officer_a").get(f"/statistics?unit={world.town_b.id}")
    assert other.status_code == 200 and 'data-stat="found">0<' in other.get_data(as_text=True)


def test_chart_months_start_at_the_first_activity_and_empty_runs_collapse():
    from fieldapp.web import charts

    m = [date(2026, k, 1) for k in range(1, 13)]
    months = [(d, 0, 0) for d in m[:9]] + [(m[9], 2, 0), (m[10], 0, 0), (m[11], 1, 1)]
    assert charts.from_first_activity(months) == months[9:]
    assert charts.from_first_activity([(d, 0, 0) for d in m]) == [(m[11], 0, 0)]
    assert charts.collapse_empty(months) == [
        (m[0], m[8], 0, 0),
        (m[9], m[9], 2, 0),
        (m[10], m[10], 0, 0),
        (m[11], m[11], 1, 1),
    ]


def test_chart_labels_are_legible_and_never_overlap():
    """13 user units on a 300-unit chart: at least 12 px on a phone's card. Twelve months do not
    fit side by side, so every other label is written, the last always."""
    from fieldapp.web import charts

    labels = [f"{k}月" for k in range(1, 13)]
    svg = str(charts.grouped_bars("t", labels, [("bar-found", "发现", list(range(12)))]))
    written = re.findall(r'<text x="[\d.]+" y="\d+" text-anchor="middle">(.*?)</text>', svg)
    assert written[-1] == "12月" and 3 <= len(written) < 12
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle">', svg)]
    assert all(b - a >= charts._text_width("12月", charts.FONT) for a, b in itertools.pairwise(xs))
    few = str(charts.grouped_bars("t", labels[:3], [("bar-found", "发现", [1, 2, 3])]))
    assert len(re.findall('text-anchor="middle"', few)) == 3
