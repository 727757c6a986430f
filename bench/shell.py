"""Client budgets: what each inspector page costs a phone on first load — the HTML and the CSS
and JS it loads, as Chromium receives them, gzip-compressed as the reverse proxy serves them.

    .venv/bin/python -m bench.shell

Headless Chromium (Debian's) against gunicorn on loopback with the demo data. Target (issues 5
and 9): <= 80 KB compressed per page. tests/browser/test_client_budget.py holds every page to it
with the same measure; this prints the table and keeps the figures for bench/README.md.
"""

from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

BUDGET = 80 * 1024
KINDS = ("document", "stylesheet", "script")


def inspector_pages(demo_enterprise: int) -> list[str]:
    return [
        "/",
        "/inspections/patrol",
        "/enterprises/",
        f"/enterprises/{demo_enterprise}",
        "/capture",
        "/outbox",
        "/hazards/",
        "/coverage",
        "/worklog/",
        "/offline",
        "/plan",
        "/scan",
    ]


def cold(page) -> None:
    """No HTTP cache for ``page`` (Chromium): every page fetches all it needs, as on first load."""
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})


def measure(page, url: str) -> dict:
    """Load ``url`` in ``page``; the document, stylesheets and scripts it fetched, raw and gzip."""
    seen: list = []
    issued: set = set()

    def keep(response):
        seen.append(response)

    def track(request):
        issued.add(request)

    page.on("request", track)
    page.on("response", keep)
    try:
        page.goto(url, wait_until="load")
    finally:
        page.remove_listener("response", keep)
        page.remove_listener("request", track)
    parts = {}
    for response in seen:
        if response.request not in issued:
            continue  # the page before's, still in flight when this one began (its body is gone)
        if response.request.resource_type in KINDS and response.status in (200, 304):
            # A revalidated asset (304) counts at its full size: a first load fetches it whole.
            body = response.body() if response.status == 200 else page.request.get(response.url).body()
            parts[re.sub(r"^https?://[^/]+", "", response.url)] = (len(body), len(gzip.compress(body, 6)))
    return {"parts": parts, "raw": sum(r for r, _ in parts.values()), "gzip": sum(g for _, g in parts.values())}


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bench import results
    from tests.browser.conftest import CHROMIUM_ARGS, PHONE_VIEWPORT, LiveServer, _chromium
    from tests.browser.test_phone import log_in

    instance = Path(tempfile.mkdtemp(prefix="fieldapp-bench-shell-"))
    server = LiveServer(instance)
    accounts = {a["username"]: a for a in server.prepare()}
    server.start()
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            # No service worker: every page is measured as on its first load, not from the precache.
            context = browser.new_context(
                viewport=PHONE_VIEWPORT,
                is_mobile=True,
                service_workers="block",
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            page = context.new_page()
            cold(page)
            log_in(page, server.base, "inspector", accounts["inspector"]["password"])
            enterprise = accounts["company"]["enterprise"]["id"]
            print(f"{'inspector page':<28}{'raw KB':>9}{'gzip KB':>9}  largest parts (gzip KB)")
            for path in inspector_pages(enterprise):
                m = measure(page, server.base + path)
                top = sorted(m["parts"].items(), key=lambda kv: -kv[1][1])[:3]
                print(
                    f"{path:<28}{m['raw'] / 1024:>9.1f}{m['gzip'] / 1024:>9.1f}  "
                    + ", ".join(f"{name.rsplit('/', 1)[-1] or name} {g / 1024:.1f}" for name, (_r, g) in top)
                )
                rows.append(
                    {
                        "measure": path,
                        "raw_kb": round(m["raw"] / 1024, 1),
                        "gzip_kb": round(m["gzip"] / 1024, 1),
                        "target_kb": BUDGET // 1024,
                    }
                )
            browser.close()
    finally:
        server.stop()
    results.save("shell", rows)
    worst = max(r["gzip_kb"] for r in rows)
    print(f"largest: {worst:.1f} KB gzip (target <= {BUDGET // 1024} KB)")
    return 0 if worst * 1024 <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
