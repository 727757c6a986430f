"""Every page added for accountability and supervision, on a 360 px phone: nothing runs off the
screen, and everything one taps is at least 44 px tall (tables of figures may scroll sideways
inside their own box)."""
import pytest
from playwright.sync_api import Page

from tests.browser.test_phone import log_in

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(el => el.offsetParent !== null && !el.closest('.table-scroll, [aria-hidden=true]') && el.type !== 'hidden')
    // A check box is tapped through its label, which is what must be tall enough.
    .map(el => (el.type === 'checkbox' || el.type === 'radio') && el.closest('label') ? el.closest('label') : el)
    .map(el => [el.outerHTML.slice(0, 90), Math.round(el.getBoundingClientRect().height)])
    .filter(([, h]) => h < 44)"""

PAGES = {
    None: ["/clues/new", "/clues/track", "/board/MD-01"],
    "inspector": ["/declarations", "/interference/new", "/worklog/", "/worklog/leave", "/coverage",
                  "/inspections/patrol"],
    "officer": ["/clues/", "/coverage", "/statistics", "/interference/"],
    "admin": ["/corps/", "/corps/training", "/corps/assessments", "/campaigns/", "/admin/declarations",
              "/admin/recusals", "/admin/holidays", "/clues/bulletins", "/worklog/attendance"],
    "discipline": ["/interference/"],
    "supervisor": ["/clues/", "/clues/bulletins"],
}


@pytest.mark.parametrize("username", list(PAGES))
def test_pages_fit_a_phone(page: Page, base_url, accounts, username, console_errors):
    if username:
        log_in(page, base_url, username, accounts[username]["password"])
    for path in PAGES[username]:
        response = page.goto(f"{base_url}{path}")
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert page.evaluate(SMALL_TARGETS) == [], path
    assert console_errors == []
