"""Today's plan on the phone (issue 34): which stops and in which order for a crafted grid, the
inspector's pins, drops and order (kept, and the same offline), the map, navigation links that
carry each app's datum, and a visit finished on site leaving the plan."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from fieldapp import clock
from tests.browser.capture import pass_recheck
from tests.browser.checks import axe_violations
from tests.browser.conftest import LiveServer
from tests.browser.session import controlled, log_in

HERE = {"latitude": 31.2575, "longitude": 120.5041, "accuracy": 30}  # in 木渎镇第1网格, near its south end


@pytest.fixture
def grid(tmp_path, demo_instance):
    """The demo district with its activity (enterprises 1–5 of grid 1 inspected today, a hazard of
    enterprise 1 waiting for its re-check), made into a crafted day: that re-check overdue, enterprise
    9 the target of a running campaign, enterprise 12 red."""
    live = LiveServer.copied(demo_instance, tmp_path / "instance").with_activity()
    live.db = sa.create_engine(f"sqlite:///{live.instance / 'fieldapp.db'}")
    today = clock.today()
    with live.db.begin() as conn:
        conn.execute(
            sa.text("UPDATE hazards SET deadline = :d WHERE enterprise_id = 1 AND status = 'awaiting_recheck'"),
            {"d": today - timedelta(days=3)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO campaigns (org_unit_id, name, description, template_id, starts_on, ends_on, criteria, "
                "created_by_id, created_at) SELECT org_unit_id, '危化品专项整治', '', 1, :s, :e, '', 1, :now "
                "FROM grids WHERE id = 1"
            ),
            {"s": today - timedelta(days=1), "e": today + timedelta(days=10), "now": clock.now()},
        )
        conn.execute(
            sa.text("INSERT INTO campaign_targets (campaign_id, enterprise_id) SELECT max(id), 9 FROM campaigns")
        )
        conn.execute(sa.text("UPDATE enterprises SET risk_grade = 'red' WHERE id = 12"))
        names = dict(conn.execute(sa.text("SELECT id, name FROM enterprises WHERE grid_id = 1")).all())
    live.names = names
    with live.running():
        yield live


def stop_ids(page: Page) -> list[int]:
    return [int(x) for x in page.locator("#plan-stops > li").evaluate_all("els => els.map(e => e.dataset.stop)")]


def test_the_day_planned_adjusted_and_kept_offline(grid, browser, browser_context_args, artifacts):
    context = browser.new_context(**browser_context_args, permissions=["geolocation"], geolocation=HERE)
    page = context.new_page()
    log_in(page, grid.base, "inspector", grid.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=15000)
    controlled(page)

    # The home page's first card: the overdue re-check first, a tap from its form.
    page.reload()
    card = page.locator("#today-plan")
    expect(card.locator("li").first).to_contain_text(grid.names[1])
    expect(card.locator("li").first.get_by_role("link", name="现场复查")).to_have_attribute(
        "href", "/capture?recheck=1"
    )
    assert page.locator("main > section.card").first.get_attribute("id") == "today-plan"

    page.goto(f"{grid.base}/plan")
    expect(page.locator("#plan-position")).to_contain_text("±30 米")
    # The overdue re-check leads; then, of 8 a day with 4 visits done today (2–5), the campaign's
    # target and the most pressing due visits: red 12 never visited (4 × 180), orange 22 (3 × 180).
    expect(page.locator("#plan-stops > li").first).to_contain_text("逾期复查")
    assert stop_ids(page)[0] == 1
    assert sorted(stop_ids(page)) == [1, 9, 12, 22]
    expect(page.locator("#plan-stops > li[data-stop='9']")).to_contain_text("专项：危化品专项整治")
    expect(page.locator("#plan-stops > li[data-stop='12']")).to_contain_text("重大风险")
    done = page.locator("#plan-done > li").evaluate_all("els => els.map(e => +e.dataset.done)")
    assert sorted(done) == [2, 3, 4, 5]
    expect(page.locator("#plan-summary")).to_contain_text("4 处")
    expect(page.locator("#plan-summary")).to_contain_text("已完成 4 处")
    # Legs: from where the inspector stands, then from the previous stop.
    expect(page.locator("#plan-stops > li").first.locator("[data-leg]")).to_contain_text("距我")
    expect(page.locator("#plan-stops > li").nth(1).locator("[data-leg]")).to_contain_text("距上一处")
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "plan.png"), full_page=True)

    # The overdue re-check cannot be dropped; another stop can, and the next by priority takes its place.
    first = page.locator("#plan-stops > li").first
    first.get_by_text("调整", exact=True).click()
    expect(first).to_contain_text("逾期复查不能移出今日计划")
    assert first.locator("[data-action=drop]").count() == 0
    red = page.locator("#plan-stops > li[data-stop='12']")
    red.get_by_text("调整", exact=True).click()
    red.locator("[data-action=drop]").click()
    expect(page.locator("#plan-stops > li[data-stop='12']")).to_have_count(0)
    assert len(stop_ids(page)) == 4
    page.locator("#plan-rest-box summary").click()
    expect(page.locator("#plan-rest > li[data-rest='12']")).to_contain_text("今天不去")
    # Pinned from the rest: in today's plan, marked so.
    page.locator("#plan-rest > li[data-rest='7'] [data-action=add]").click()
    expect(page.locator("#plan-stops > li[data-stop='7']")).to_contain_text("已加入")
    # Moved up: the inspector's own order, kept, and the way back to the planned one offered.
    before = stop_ids(page)
    page.locator("#plan-stops > li").nth(2).get_by_text("调整", exact=True).click()
    page.locator("#plan-stops > li").nth(2).locator("[data-action=up]").click()
    expect(page.locator("#plan-auto")).to_be_visible()
    after = stop_ids(page)
    assert after[1] == before[2] and after[2] == before[1]
    expect(page.locator("#plan-auto")).to_be_visible()

    # What the links should say, from the conversion node's tests hold to published reference points.
    with grid.db.connect() as conn:
        lat, lng = conn.execute(sa.text("SELECT latitude, longitude FROM enterprises WHERE id = 9")).one()
    want = page.evaluate(
        """([lat, lng]) => import('/static/js/plan/coords.js')
             .then(c => [c.wgs84ToGcj02(lat, lng), c.wgs84ToBd09(lat, lng)])""",
        [lat, lng],
    )

    # Offline: the same plan from the phone's own pages and data.
    context.set_offline(True)
    page.reload()
    expect(page.locator("#plan-stops > li").first).to_be_visible()
    assert stop_ids(page) == after
    expect(page.locator("#plan-stops > li[data-stop='7']")).to_contain_text("已加入")

    # Navigation: Amap gets GCJ-02, Baidu BD-09, geo: the stored WGS-84 — each link says which.
    row = page.locator("#plan-stops > li[data-stop='9']")
    row.get_by_text("导航", exact=True).click()
    amap = parse_qs(urlparse(row.locator("[data-nav=amap]").get_attribute("href")).query)
    to_lng, to_lat, to_name = amap["to"][0].split(",")
    assert abs(float(to_lat) - want[0][0]) < 1e-6 and abs(float(to_lng) - want[0][1]) < 1e-6
    assert to_name == grid.names[9] and amap["coordinate"] == ["gaode"]
    # The shift is real: 100–700 m in eastern China, not a copy of the stored point.
    assert 1e-3 < abs(float(to_lng) - lng) < 1e-2
    baidu = parse_qs(urlparse(row.locator("[data-nav=baidu]").get_attribute("href")).query)
    b_lat, b_lng = map(float, baidu["location"][0].split(","))
    assert abs(b_lat - want[1][0]) < 1e-6 and abs(b_lng - want[1][1]) < 1e-6 and baidu["coord_type"] == ["bd09ll"]
    assert row.locator("[data-nav=geo]").get_attribute("href").startswith(f"geo:{lat:.6f},{lng:.6f}")

    # The map: every enterprise of the grid a dot; tapping one opens what it needs and its file.
    assert page.locator("#plan-map .map-dot").count() == len(grid.names)
    page.locator("#plan-map .map-dot[data-id='9'] .map-hit").click()
    picked = page.locator("#plan-picked")
    expect(picked.locator("h2")).to_have_text(grid.names[9])
    expect(picked.locator("[data-file]")).to_have_attribute("href", "/enterprises/9")
    expect(picked.locator("[data-start]")).to_have_attribute("href", "/capture?enterprise=9")

    # The re-check done on site (offline): back on the plan, that stop is done.
    page.locator("#plan-stops > li").first.get_by_role("link", name="现场复查").click()
    pass_recheck(page)
    page.goto(f"{grid.base}/plan")
    expect(page.locator("#plan-done > li[data-done='1']")).to_be_visible()
    assert 1 not in stop_ids(page)
    context.close()
