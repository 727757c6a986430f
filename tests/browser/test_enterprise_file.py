"""The enterprise file and the online patrol on a 360 px phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.session import log_in

TAPPABLE_TOO_SMALL = """() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
    .filter(el => el.offsetParent !== null && !el.closest('p, dd'))
    .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""


def test_inspector_runs_an_online_patrol_and_records_a_finding(
    page: Page, base_url, accounts, artifacts, console_errors
):
    company = accounts["company"]["enterprise"]
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    page.goto(f"{base_url}/enterprises/{company['id']}")
    expect(page.locator("h1")).to_have_text(company["name"])
    page.get_by_role("link", name="线上巡查").click()
    gaps = page.locator("#gaps details")
    expect(gaps.first).to_contain_text("尚未整改")
    expect(page.locator("#gaps")).to_contain_text("风险点没有填写管控措施")
    expect(page.locator("#gaps")).to_contain_text("自查已逾期")
    expect(page.locator("#gaps")).to_contain_text("从未自查")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(TAPPABLE_TOO_SMALL) == []
    page.screenshot(path=str(artifacts / "online-patrol.png"), full_page=True)

    missing = page.locator("#gaps details", has_text="风险点没有填写管控措施")
    missing.locator("summary").click()
    missing.get_by_label("记录为巡查发现").fill("冲压机无管控措施，需企业补充并培训")
    missing.get_by_role("button", name="记录发现").click()
    expect(page.get_by_role("status")).to_contain_text("已记录巡查发现")
    expect(page.locator("#findings")).to_contain_text("冲压机无管控措施，需企业补充并培训")
    assert console_errors == []


def test_company_manager_sees_own_file_without_internal_findings(page: Page, base_url, accounts):
    log_in(page, base_url, "company", accounts["company"]["password"])
    page.get_by_role("link", name="我的企业", exact=True).last.click()
    expect(page.locator("#risk-points")).to_contain_text("喷漆车间")
    expect(page.locator("#findings")).to_have_count(0)
    expect(page.get_by_role("link", name="新增风险点")).to_be_visible()
    expect(page.get_by_role("link", name="线上巡查")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
