"""Every page added for accountability and supervision, on a 360 px phone: nothing runs off the
screen, and everything one taps is at least 44 px tall (tables of figures may scroll sideways
inside their own box)."""

import contextlib
import functools
import re
import sqlite3
import unicodedata
from collections import deque

import pytest
from playwright.sync_api import Page

from tests.browser.checks import action_problem, axe_violations, split_tokens
from tests.browser.conftest import LiveServer
from tests.browser.session import log_in
from tests.crawl import page_kind

SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(el => el.offsetParent !== null && !el.closest('.table-scroll, [aria-hidden=true]') && el.type !== 'hidden')
    // A check box or a file input is tapped through its label, which is what must be tall enough.
    .map(el => ['checkbox', 'radio', 'file'].includes(el.type) && el.closest('label') ? el.closest('label') : el)
    .map(el => [el.outerHTML.slice(0, 90), Math.round(el.getBoundingClientRect().height)])
    .filter(([, h]) => h < 44)"""

PAGES = {
    None: ["/clues/new", "/clues/track", "/board/MD-01"],
    "inspector": [
        "/declarations",
        "/interference/new",
        "/worklog/",
        "/worklog/leave",
        "/coverage",
        "/inspections/patrol",
    ],
    "officer": ["/clues/", "/coverage", "/statistics", "/interference/"],
    "admin": [
        "/corps/",
        "/corps/training",
        "/corps/assessments",
        "/campaigns/",
        "/admin/declarations",
        "/admin/recusals",
        "/admin/holidays",
        "/clues/bulletins",
        "/worklog/attendance",
    ],
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
    server = LiveServer.copied(demo_instance, tmp_path_factory.mktemp("crawl") / "instance").with_activity()
    with server.running():
        yield server


#: Files, not pages.
DOWNLOADS = re.compile(r"\.xlsx|/export|/media/|/photos?/|/download|/logout")


@pytest.mark.parametrize(
    "username", ["inspector", "techinspector", "officer", "company", "supervisor", "admin", "discipline"]
)
def test_every_page_its_links_reach_fits_a_phone(page: Page, crawled, username, console_errors, artifacts):
    """Beyond the pages listed above: from the home page, each kind of page this account's links
    reach, however deep (a new page is covered the day it is linked). Each fits the screen, splits
    no code, figure, date or short word across lines, has one main action under the thumb (none if
    it is a page to read), and axe finds nothing critical or serious. Printed documents (A4) are
    opened but not measured. The first screen of each page is left in test-artifacts/pages/ (360 px)."""
    base = crawled.base
    shots = artifacts / "pages"
    shots.mkdir(exist_ok=True)
    log_in(page, base, username, crawled.accounts[username]["password"])
    queue, kinds, problems = deque(["/"]), set(), []
    page.on("response", lambda r: problems.append((r.url, r.status)) if r.status >= 400 else None)
    while queue:
        path = queue.popleft()
        if DOWNLOADS.search(path) or page_kind(path) in kinds:
            continue
        kinds.add(page_kind(path))
        response = page.goto(f"{base}{path}")
        if not response.ok:
            problems.append((path, response.status))
            continue
        if page.locator("#outbox").count():  # drawn from the phone's IndexedDB after the page loads
            page.locator("#outbox").wait_for(state="visible")
        # A page drawn by its script (the phone's form) says so until it is shown.
        page.wait_for_selector("[aria-busy=true]", state="detached")
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
            # At CSS pixels (360 wide): what is judged, and a quarter of the time a Pixel's 2.6× takes.
            name = f"{username}{re.sub(r'[^0-9A-Za-z]+', '-', path).rstrip('-')}.png"
            page.screenshot(path=str(shots / name), scale="css")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            if href.startswith(base + "/"):
                queue.append(href[len(base) :].split("#")[0])
    assert len(kinds) >= 5, kinds  # the crawl went somewhere
    assert problems == []
    assert console_errors == []


def test_a_printed_record_names_itself_on_every_page_and_keeps_signatures_whole(page: Page, crawled, artifacts):
    """The A4 record as Chromium prints it (read back from the PDF): the record's number and
    "n / N" on every page, the signatures on one page with their heading and a line for the
    inspector's own, at most four photos a page, each with its caption."""
    from pypdf import PdfReader

    base = crawled.base
    log_in(page, base, "officer", crawled.accounts["officer"]["password"])
    with contextlib.closing(sqlite3.connect(crawled.instance / "fieldapp.db")) as conn:
        record_id, number, photos = conn.execute(
            "SELECT i.id, i.number, count(p.id) AS n FROM inspections i JOIN inspection_photos p "
            "ON p.inspection_id = i.id WHERE i.state = 'signed' "
            "GROUP BY i.id, i.number ORDER BY n DESC, i.id"
        ).fetchone()
    assert photos >= 3  # the demo's day has a record with several photos
    page.goto(f"{base}/inspections/{record_id}/print")
    pdf = artifacts / "record-print.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    # NFKC: the PDF's CJK font maps some characters to their Kangxi radical forms (⼈ for 人).
    pages = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(str(pdf)).pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert number in text, n
        assert re.search(rf"(^|\n){n} / {len(pages)}(\n|$)", text), (n, text[-80:])
    nfkc = functools.partial(unicodedata.normalize, "NFKC")  # full-width ：（） become :()
    signing = [text for text in pages if "现场负责人" in text and nfkc("签字：") in text]
    assert len(signing) == 1 and nfkc("检查人员（签字）：") in signing[0]
    images = [len(p.images) for p in PdfReader(str(pdf)).pages]
    assert sum(images) == photos + 1 and max(images) <= 4 + 1  # photos and the signature (the QR is vector)
    assert all(f"{k}." in "".join(pages) for k in range(1, photos + 1))  # every photo's caption
