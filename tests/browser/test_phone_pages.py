"""Every page added for accountability and supervision, on a 360 px phone: nothing runs off the
screen, and everything one taps is at least 44 px tall (tables of figures may scroll sideways
inside their own box)."""
import re
import subprocess
import sys
from collections import deque
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.checks import action_problem, axe_violations, split_tokens
from tests.browser.conftest import ROOT, LiveServer
from tests.browser.test_phone import log_in

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(el => el.offsetParent !== null && !el.closest('.table-scroll, [aria-hidden=true]') && el.type !== 'hidden')
    // A check box or a file input is tapped through its label, which is what must be tall enough.
    .map(el => ['checkbox', 'radio', 'file'].includes(el.type) && el.closest('label') ? el.closest('label') : el)
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


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, demo_instance):
    """A server of its own, with the demo's day of work (records, hazards in every state), since
    following every link opens notifications and the like."""
    server = LiveServer.copied(demo_instance, tmp_path_factory.mktemp("crawl") / "instance")
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "fieldapp", "demo", "--with-activity"],
                   cwd=ROOT, env=server.env, check=True, capture_output=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


#: Files, not pages.
DOWNLOADS = re.compile(r"\.xlsx|/export|/media/|/photos?/|/download|/logout")


def _kind(path: str) -> tuple:
    """One page of each kind: its path with numbers as N, its query's keys, and which tab."""
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    return re.sub(r"\d+", "N", parts.path), tuple(sorted(query)), tuple(query.get("tab", ()))


@pytest.mark.parametrize("username", ["inspector", "techinspector", "officer", "company", "supervisor", "admin",
                                      "discipline"])
def test_every_page_its_links_reach_fits_a_phone(page: Page, crawled, username, console_errors, artifacts):
    """Beyond the pages listed above: from the home page, each kind of page this account's links
    reach, however deep (a new page is covered the day it is linked). Each fits the screen, splits
    no code, figure, date or short word across lines, has one main action under the thumb (none if
    it is a page to read), and axe finds nothing critical or serious. Printed documents (A4) are
    opened but not measured. The first screen of each page is left in test-artifacts/pages/."""
    base = crawled.base
    shots = artifacts / "pages"
    shots.mkdir(exist_ok=True)
    log_in(page, base, username, crawled.accounts[username]["password"])
    queue, kinds, problems = deque(["/"]), set(), []
    page.on("response", lambda r: problems.append((r.url, r.status)) if r.status >= 400 else None)
    while queue:
        path = queue.popleft()
        if DOWNLOADS.search(path) or _kind(path) in kinds:
            continue
        kinds.add(_kind(path))
        response = page.goto(f"{base}{path}")
        if not response.ok:
            problems.append((path, response.status))
            continue
        if not page.evaluate("document.body.classList.contains('document')"):
            if page.evaluate("document.documentElement.scrollWidth") > 360:
                problems.append((path, "wider than the screen"))
            if small := page.evaluate(SMALL_TARGETS):
                problems.append((path, small))
            if split := split_tokens(page):
                problems.append((path, "split across lines", split))
            if action := action_problem(page):
                problems.append((path, action))
            if found := axe_violations(page):
                problems.append((path, found))
            page.screenshot(path=str(shots / f"{username}{re.sub(r'[^0-9A-Za-z]+', '-', path).rstrip('-')}.png"))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            if href.startswith(base + "/"):
                queue.append(href[len(base):].split("#")[0])
    assert len(kinds) >= 5, kinds  # the crawl went somewhere
    assert problems == []
    assert console_errors == []
