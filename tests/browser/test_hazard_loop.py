"""The closed loop in three phones at once: the inspector reports a major hazard, the
officer confirms it with a stop-work order, the company rectifies with photos, the
inspector re-checks on site without signal, the officer closes it — each role's screen
checked along the way."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from fieldapp import clock
from tests.browser.capture import fill_and_sign, pass_recheck
from tests.browser.session import controlled, log_in, phone_state
from tests.images import jpeg


def phone(browser, browser_context_args) -> Page:
    return browser.new_context(**browser_context_args).new_page()


def open_hazard(page: Page, base: str, tab: str, enterprise: str) -> None:
    page.goto(f"{base}/hazards/?tab={tab}")
    page.locator("#hazard-list a", has_text=enterprise).first.click()
    expect(page.locator("h1")).to_have_text(re.compile("^隐患："))  # the heading names the hazard


def test_inspector_officer_and_company_close_the_loop(server, browser, browser_context_args, artifacts):  # noqa: F811
    base, accounts = server.base, server.accounts
    enterprise = accounts["company"]["enterprise"]
    inspector, officer, company = (phone(browser, browser_context_args) for _ in range(3))
    log_in(inspector, base, "inspector", accounts["inspector"]["password"])
    log_in(officer, base, "officer", accounts["officer"]["password"])
    log_in(company, base, "company", accounts["company"]["password"])

    # 1. The inspector records an inspection with a general and a major hazard; it syncs.
    expect(inspector.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    controlled(inspector)
    inspector.goto(f"{base}/enterprises/{enterprise['id']}")
    inspector.get_by_role("button", name="开始现场检查").click()
    expect(inspector.locator("#c-enterprise")).to_have_text(enterprise["name"])
    fill_and_sign(inspector, 3)
    expect(inspector.locator("#c-done-state")).to_contain_text("已同步", timeout=30000)

    # 2. The officer's queue: the major one first; confirmed with a stop-work order.
    officer.goto(f"{base}/hazards/")
    first = officer.locator("#hazard-list li").first
    expect(first).to_contain_text(enterprise["name"])
    expect(first).to_contain_text("重大事故隐患")
    assert officer.locator("#bell .badge").inner_text() == "2"
    first.locator("a").click()
    expect(officer.locator("h1")).to_have_text(re.compile("^隐患：."))
    officer.locator("#act-confirm summary").click()
    # The stop-work order's fields are there for a major hazard only.
    officer.get_by_label("认定等级").select_option("general")
    expect(officer.get_by_label("停止作业范围")).to_be_hidden()
    officer.get_by_label("认定等级").select_option("major")
    expect(officer.get_by_label("停止作业范围")).to_be_visible()
    officer.get_by_label("整改期限").fill("2099-01-01")
    officer.get_by_role("button", name="确认隐患").click()
    expect(officer.locator("#act-error")).to_contain_text("不能超过一年")
    # A week from today in China, one tap (the app counts days in China time; UTC's date differs after 16:00).
    officer.get_by_role("button", name="+7 天").click()
    expect(officer.get_by_label("整改期限")).to_have_value((clock.today() + timedelta(days=7)).isoformat())
    officer.get_by_label("整改要求").fill("清理危化品仓库，恢复通道")
    officer.get_by_role("button", name="确认隐患").click()
    expect(officer.locator("#act-error")).to_contain_text("确认重大事故隐患须填写此项")
    expect(officer.get_by_label("整改要求")).to_have_value("清理危化品仓库，恢复通道")
    officer.get_by_label("停止作业范围").fill("危化品仓库全部作业")
    officer.get_by_label("撤出作业人员情况").fill("仓库作业人员 4 人已撤离")
    officer.get_by_label("应急处置措施").fill("设置警戒区，切断电源")
    officer.get_by_label("指令文书编号").fill("吴应急停〔2026〕8号")
    officer.get_by_role("button", name="确认隐患").click()
    expect(officer.locator("#hazard-status")).to_contain_text("已确认待整改")
    expect(officer.locator("#stop-work")).to_contain_text("吴应急停〔2026〕8号")
    hazard_url = officer.url
    officer.get_by_role("link", name="打印整改通知书").click()
    expect(officer.locator("h1")).to_have_text("责令限期整改指令书")
    officer.screenshot(path=str(artifacts / "hazard-notice.png"), full_page=True)

    # 3. The company: the notice arrives; acknowledged; rectified with a photo.
    company.goto(f"{base}/")
    expect(company.locator("#bell .badge")).to_have_text("1")
    company.locator("#bell").click()
    company.get_by_role("button", name=re.compile("隐患已确认")).click()
    expect(company.locator("#hazard-status")).to_contain_text("剩 7 天")
    company.get_by_role("button", name="签收整改通知").click()
    expect(company.locator("#hazard-status")).to_contain_text("整改中")
    company.locator("#act-submit summary").click()
    company.get_by_label("整改情况").fill("危化品已移至专用库房，通道已清理")
    company.locator("#act-submit input[name=photos]").set_input_files(
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 900, color=(30, 160, 60))}]
    )
    company.get_by_role("button", name="提交整改并申请复查").click()
    expect(company.locator("#hazard-status")).to_contain_text("待复查")
    company.screenshot(path=str(artifacts / "hazard-company.png"), full_page=True)
    assert company.evaluate("document.documentElement.scrollWidth") <= 360

    # 4. The inspector re-checks on site without signal.
    inspector.goto(f"{base}/")
    expect(inspector.locator("#pack-status")).to_contain_text("家企业")
    inspector.wait_for_timeout(500)  # the pack revalidates on the home page
    server.stop()
    inspector.context.set_offline(True)
    inspector.goto(f"{base}/offline")
    card = inspector.locator("#offline-rechecks li", has_text=enterprise["name"])
    expect(card).to_have_count(1)
    card.get_by_role("link", name="现场复查").click()
    expect(inspector.locator("#r-enterprise")).to_have_text(enterprise["name"])
    inspector.get_by_role("button", name="提交复查结果").click()
    expect(inspector.locator("#r-error")).to_contain_text("请选择复查结果")
    pass_recheck(inspector)
    assert [r["state"] for r in phone_state(inspector)["records"] if r["state"] != "synced"] == ["ready"]
    server.start()
    inspector.context.set_offline(False)
    inspector.goto(f"{base}/outbox")
    inspector.get_by_role("button", name="立即同步").click()
    expect(inspector.locator("[data-pending]")).to_be_hidden(timeout=30000)

    # 5. The officer closes the major hazard; the page shows every step and before/after.
    officer.goto(hazard_url)
    expect(officer.locator("#hazard-status")).to_contain_text("复查通过待销号")
    expect(officer.locator("#before-after figure")).to_have_count(2)
    officer.get_by_label("销号意见").fill("同意销号")
    officer.get_by_role("button", name="销号").click()
    expect(officer.locator("#hazard-status")).to_contain_text("已销号")
    actions = officer.locator("#timeline li[data-action]").evaluate_all("els => els.map(e => e.dataset.action)")
    assert actions == ["confirm", "acknowledge", "submit", "recheck_pass", "close"]
    officer.screenshot(path=str(artifacts / "hazard-closed.png"), full_page=True)
    company.goto(hazard_url)
    expect(company.locator("#hazard-status")).to_contain_text("已销号")
    for page in (inspector, officer, company):
        page.context.close()
