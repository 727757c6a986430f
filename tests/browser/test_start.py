"""开始检查 from the home page takes the quickest form the phone has, and the worker's shell
download yields to the user: a new phone on a slow link (the throttling proxy of bench/network.py,
which carries the worker's own requests too) gets the server's form at once, and the phone's form
once the shell holds it."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from bench.network import ThrottlingProxy
from tests.browser.conftest import PHONE_VIEWPORT
from tests.browser.session import controlled, log_in

KEPT = "caches.match('/capture').then((r) => !!r)"
ACTIVE = "navigator.serviceWorker.getRegistration().then((r) => !!r && !!r.active)"
INSTALLED = "navigator.serviceWorker.getRegistration().then((r) => !!r && !!r.active && !r.installing)"
EMPTY_SHELL = """caches.keys().then((names) => Promise.all(names.map((name) => caches.open(name)
  .then((cache) => cache.keys().then((keys) => Promise.all(keys.map((key) => cache.delete(key))))))))"""


def _filling(request) -> bool:
    """One of the worker's shell downloads: its own fetches carry no cookie (credentials "omit"),
    unlike a page's or its importScripts. (Their cache-control header, no-cache for cache "reload",
    is not reported once a test routes requests.)"""
    return bool(request.service_worker and "/static/" in request.url and request.header_value("cookie") is None)


def test_start_from_home_takes_the_form_the_phone_has(server, browser, artifacts):
    # Slow enough that the shell (~60 KB in ~30 files) takes seconds, the pack (~4 KB) not.
    proxy = ThrottlingProxy(server.port, kbit=150, rtt_ms=200)
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        # Requests as the browser starts them, with when (the wall clock, as the page's
        # performance.timeOrigin): the worker's shell download (its own fetches bypass the HTTP
        # cache, cache "reload" sends no-cache, and carry no cookie) and the rest.
        started: list[tuple[float, str, str]] = []

        def seen(r):
            started.append((time.time() * 1000, "shell" if _filling(r) else r.method, r.url.split("/", 3)[-1]))

        context.on("request", seen)
        log_in(page, proxy.base, "inspector", server.accounts["inspector"]["password"])
        expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=20000)
        rows = page.locator("#to-visit li.patrol-row")
        first, second = rows.nth(0).locator("strong").inner_text(), rows.nth(1).locator("strong").inner_text()
        page.screenshot(path=str(artifacts / "home-to-visit-start-360.png"))
        # The worker installed (on a loaded machine it may still be installing after the login: an
        # install for someone signed in fills the shell whole, as an update must, and only an active
        # worker yields); then the shell emptied and the home page opened again: once idle, it asks
        # the active worker for the shell, which is downloading when the user taps.
        for _ in range(600):
            if page.evaluate(INSTALLED):
                break
            page.wait_for_timeout(50)
        page.evaluate(EMPTY_SHELL)
        page.goto(f"{proxy.base}/")
        asked = len(started)
        for _ in range(300):
            if any(kind == "shell" for _, kind, _ in started[asked:]):
                break
            page.wait_for_timeout(50)
        assert any(kind == "shell" for _, kind, _ in started[asked:]), "the home page never asked for the shell"
        assert page.evaluate(KEPT) is False, "the shell was already whole: slow the link down"

        # The phone's form is not on the phone yet: the server's, in one tap from the page's main
        # action (today's plan, drawn from the pack); the download stops.
        lead = page.locator("#today-plan-stops li.patrol-row").first
        planned = lead.locator("strong").inner_text().split(". ", 1)[1]
        lead.get_by_role("button", name="开始检查").click()
        expect(page.locator("form#record-form")).to_be_visible()
        expect(page.locator("main")).to_contain_text(planned)
        # The form is the POST's answer (no redirect's round trip) and takes the draft's address.
        expect(page).to_have_url(re.compile(r"/inspections/\d+$"))
        # From the POST that opens the form until the form has loaded, the worker's download starts
        # at most what its two fetchers began as the navigation's fetch event came (left running,
        # it started four files meanwhile); the form, idle after its load, asks again.
        page.wait_for_load_state("load")
        loaded = page.evaluate("performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventStart")
        posted = next(t for t, kind, url in started if kind == "POST" and url.endswith("/inspections"))
        meanwhile = [url for t, kind, url in started if kind == "shell" and posted <= t <= loaded]
        assert len(meanwhile) <= 2, meanwhile
        # Reloading asks for the draft; it does not send 开始检查 again.
        draft = page.url.split("/", 3)[-1]
        posts = sum(kind == "POST" for _, kind, _ in started)
        page.reload()
        expect(page.locator("form#record-form")).to_be_visible()
        assert sum(kind == "POST" for _, kind, _ in started) == posts
        assert ("GET", draft) in [(kind, url) for _, kind, url in started]

        # An idle signed-in page asks again; once the shell is whole the phone's form opens.
        page.goto(f"{proxy.base}/")
        controlled(page)
        assert page.evaluate(KEPT) is True
        other = first if first != planned else second
        page.locator("#to-visit li.patrol-row", has_text=other).get_by_role("button", name="开始检查").click()
        expect(page.locator("#c-enterprise")).to_have_text(other)
    finally:
        context.close()
        proxy.stop()


def test_a_page_left_as_its_worker_installs_does_not_start_the_shell(server, browser):
    """A new phone's worker is registered by the first signed-in page once it is idle. 开始检查
    tapped while it installs: the worker becomes active while that page waits for the server's form,
    and must not start the shell's download then (a first install leaves it to a page to ask; on a
    weak link it would share the link with the form); the form's page asks once idle."""
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = context.new_page()
        seen: list[tuple[str, str]] = []  # in the order the browser reported them
        context.on("request", lambda r: seen.append(("shell" if _filling(r) else r.method, r.url.split("/", 3)[-1])))

        # The worker's script is held until the tap (its install, with an empty shell, is quicker
        # than any tap could be on this machine), then given as the form starts its slow way.
        held: list = []  # the worker's script, until the tap
        released: list = []  # then everything (the tests' own reads of /sw.js too)

        def hold_worker(route):
            (route.continue_() if released else held.append(route))

        context.route("**/sw.js", hold_worker)

        def slow_form(route):
            released.append(True)
            for script in held:
                script.continue_()
            time.sleep(2)  # the form takes its time (a weak link): the worker is active meanwhile
            route.continue_()

        page.route("**/enterprises/*/inspections", slow_form)
        # Signed in without the login page (whose idle moment would register the worker first).
        login = context.request.get(f"{server.base}/login").text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        form = {"login": "inspector", "password": server.accounts["inspector"]["password"], "csrf_token": token}
        assert context.request.post(f"{server.base}/login", form=form, headers={"Referer": server.base}).ok
        page.goto(f"{server.base}/")
        for _ in range(400):  # the home page, idle, registers the worker; the user taps as it installs
            if held:
                break
            page.wait_for_timeout(10)
        assert held, "the home page never registered the worker"
        assert page.evaluate(ACTIVE) is False, "the worker was active before the tap"
        page.locator("#to-visit [data-capture-start] button").first.click()
        expect(page.locator("form#record-form")).to_be_visible()
        page.wait_for_load_state("load")
        assert page.evaluate(ACTIVE) is True
        posted = max(i for i, (kind, path) in enumerate(seen) if kind == "POST" and path.endswith("/inspections"))
        # The form's page asks for its stylesheet (from the HTTP cache) as it shows.
        shown = next(
            i
            for i, (kind, path) in enumerate(seen)
            if i > posted and kind == "GET" and path.startswith("static/css/app.")
        )
        # Had the page, idle just before the tap, asked already (the worker was that quick), the two
        # fetches begun as its YIELD arrived may still start; otherwise none may.
        allowed = 2 if any(kind == "shell" for kind, _ in seen[:posted]) else 0
        assert len([path for kind, path in seen[posted:shown] if kind == "shell"]) <= allowed, seen[posted:shown]
        controlled(page)  # the form's page, once idle, asks: the shell is downloaded after all
    finally:
        context.close()
