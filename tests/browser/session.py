"""Helpers the browser tests share: logging in, the service worker, what a phone has stored."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1.greeting")).to_contain_text("您好")


def controlled(page: Page) -> None:
    """Wait until the service worker controls the page (polled: our CSP forbids the eval
    that wait_for_function would use — as it should) and, for someone signed in, until it holds
    the whole shell (downloaded once a signed-in page is idle)."""
    for attempt in range(300):  # a loaded test machine is slow
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            if page.locator("meta[name=fieldapp-user]").count():
                shell_kept(page)
            return
        # A document created while the worker was activating misses clients.claim(); the
        # next navigation is controlled, as it would be for the user.
        if attempt % 50 == 49 and page.evaluate(
            "navigator.serviceWorker.getRegistration().then(r => !!(r && r.active))"
        ):
            page.reload()
        page.wait_for_timeout(100)
    state = page.evaluate("""navigator.serviceWorker.getRegistration().then(r => r ? [
        r.installing && r.installing.state, r.waiting && r.waiting.state, r.active && r.active.state] : null)""")
    raise AssertionError(f"the service worker never took control (registration: {state})")


SHELL_SIZE = """async () => {
  const urls = await fetch("/sw.js").then((r) => r.text())
    .then((text) => JSON.parse(text.match(/const PRECACHE = (\\{.*\\});/)[1]).urls);
  const names = await caches.keys();
  if (names.length !== 1) { return [urls.length, -1]; }
  const cache = await caches.open(names[0]);
  const kept = new Set((await cache.keys()).map((r) => new URL(r.url).pathname));
  return [urls.length, urls.filter((u) => kept.has(u)).length];
}"""


def shell_kept(page: Page) -> None:
    """Wait until the worker's cache holds every file of its precache list."""
    for _ in range(300):
        wanted, kept = page.evaluate(SHELL_SIZE)
        if kept == wanted:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the shell was not downloaded: {kept} of {wanted} files")


def phone_state(page: Page) -> dict:
    """Records and media kept on the phone for the logged-in user."""
    return page.evaluate("""() => window.fieldappStore.currentUser().then(uid =>
        window.fieldappStore.open(uid).then(db => Promise.all([
          window.fieldappStore.getAll(db, "records"), window.fieldappStore.getAll(db, "media")])))
        .then(([records, media]) => ({
          records: records.map(r => ({uuid: r.uuid, state: r.state, error: r.last_error,
                                      photos: (r.photos || []).length, hazards: (r.hazards || []).length})),
          media: media.map(m => ({uuid: m.uuid, record: m.record_uuid, sha256: m.sha256, kind: m.kind,
                                  uploaded: m.uploaded}))}))""")
