"""The dashboards on a 360 px phone: the coverage table and the statistics chart (SVG drawn on
the server) fit the screen, and the chart is an image with its numbers in a table."""

from playwright.sync_api import expect

from tests.browser.session import log_in


def test_dashboards_fit_a_phone(page, base_url, accounts, artifacts, console_errors):
    log_in(page, base_url, "officer", accounts["officer"]["password"])
    page.goto(f"{base_url}/coverage")
    expect(page.locator("#coverage-grids tbody tr").first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "coverage.png"), full_page=True)
    page.goto(f"{base_url}/statistics")
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] <= 360 and box["height"] > 60
    assert chart.get_attribute("role") == "img" and page.locator("svg.chart title").count() >= 1
    # The table spans the twelve months (a run of empty ones in one row); the chart starts at the
    # first month with a hazard, so it has a bar for at least the last month.
    spans = page.locator("#by-month tbody th").all_inner_texts()
    assert spans and spans[-1].startswith(("20", "— 20")) and len(spans) <= 12
    assert page.locator("svg.chart rect.bar-found").count() >= 1
    # Its labels are 12 px or more as drawn on this screen.
    drawn = page.evaluate("""() => { const svg = document.querySelector('svg.chart');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize));
        return Math.min(...sizes) * scale; }""")
    assert drawn >= 12
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "statistics.png"), full_page=True)
    assert console_errors == []
