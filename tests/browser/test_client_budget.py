"""Client budget (issues 5 and 9): every inspector page, loaded in Chromium on a phone without
the service worker's precache, costs at most 80 KB of HTML, CSS and JS gzip-compressed (what
the reverse proxy sends). Same measure as bench/shell.py."""

from bench.shell import BUDGET, cold, inspector_pages, measure
from tests.browser.session import log_in


def test_every_inspector_page_within_budget(browser, browser_context_args, base_url, accounts):
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    page = context.new_page()
    cold(page)
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    for path in inspector_pages(accounts["company"]["enterprise"]["id"]):
        m = measure(page, base_url + path)
        assert any(name.endswith(".css") for name in m["parts"]), path  # the measure sees the assets
        assert any(name.endswith(".js") for name in m["parts"]), path
        assert m["gzip"] <= BUDGET, (path, m["gzip"], m["parts"])
    context.close()
