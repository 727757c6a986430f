"""Every role logs in on a phone, in Chinese, sees their home, and logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.session import log_in

HOME_SECTION = {
    "inspector": ("inspector", "我的网格"),
    "inspector2": ("inspector", "我的网格"),
    "techinspector": ("inspector", "我的网格"),
    "officer": ("officer", "待办队列"),
    "company": ("company", "我的企业"),
    "company2": ("company", "我的企业"),
    "supervisor": ("supervisor", "社会监督"),
    "admin": ("admin", "管理概览"),
    "discipline": ("discipline", "干预记录"),
}


@pytest.mark.parametrize("username", list(HOME_SECTION))
def test_each_role_logs_in_sees_home_and_logs_out(page: Page, base_url, accounts, console_errors, username):
    account = accounts[username]
    log_in(page, base_url, username, account["password"])
    section, heading = HOME_SECTION[username]
    expect(page.locator(f'[data-section="{section}"] h2')).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    page.get_by_role("link", name="我的", exact=True).click()
    expect(page.locator("h1")).to_have_text("我的账号")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status")).to_contain_text("您已安全退出")
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    assert console_errors == []


def test_inspector_home_fits_a_360px_phone(page: Page, base_url, accounts, artifacts, console_errors):
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    expect(page.locator('[data-section="inspector"]')).to_contain_text(accounts["inspector"]["grid"]["name"])
    assert page.viewport_size["width"] == 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifacts / "inspector-home.png"), full_page=True)
    # Everything one taps is at least 44 px tall (and the bottom bar is always in reach).
    small = page.evaluate("""() => [...document.querySelectorAll('a, button, input, select, textarea')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""")
    assert small == []
    nav = page.get_by_role("navigation", name="主导航").bounding_box()
    assert nav["y"] + nav["height"] <= 780 + 1
    assert console_errors == []


def test_wrong_password_shows_a_message_and_keeps_the_username(page: Page, base_url):
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名或手机号").fill("inspector")
    page.get_by_label("密码").fill("not-the-password1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名或手机号")).to_have_value("inspector")
    expect(page.get_by_label("密码")).to_have_value("")


def test_inspector_finds_an_enterprise_of_their_grid(page: Page, base_url, accounts):
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    page.get_by_role("link", name="企业", exact=True).click()
    first = page.locator("#enterprise-list a").first
    name = first.locator("strong").inner_text()
    page.get_by_label("名称或统一社会信用代码").fill(name[2:6])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#enterprise-list")).to_contain_text(name)
    page.locator("#enterprise-list a", has_text=name).click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("#basics")).to_contain_text(accounts["inspector"]["grid"]["name"])


def test_english_is_one_tap_away(page: Page, base_url, accounts):
    log_in(page, base_url, "officer", accounts["officer"]["password"])
    page.get_by_role("link", name="我的", exact=True).click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("My account")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("h1")).to_have_text("我的账号")
