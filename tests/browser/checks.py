"""What a person sees wrong on a phone page, measured in the browser (see page_checks.js), and
axe-core's critical and serious findings."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page


def _functions() -> list[str]:
    """page_checks.js's functions, its comment lines dropped (page.evaluate takes one expression)."""
    text = (Path(__file__).with_name("page_checks.js")).read_text(encoding="utf-8")
    return [
        "\n".join(line for line in part.splitlines() if not line.strip().startswith("//")).strip()
        for part in text.split("//--")
    ]


SPLIT_TOKENS, PRIMARY_ACTIONS = _functions()


def split_tokens(page: Page) -> list[str]:
    """Codes, numbers, dates and short words that the page breaks across lines."""
    return page.evaluate(SPLIT_TOKENS)


def action_problem(page: Page) -> str | None:
    """None when the page has exactly one primary action under the thumb (or, marked as a page to
    read, none at all); otherwise what is wrong."""
    primaries = page.evaluate(PRIMARY_ACTIONS)
    if page.evaluate("document.querySelector('main[data-reading]') !== null"):
        return f"a page to read with a primary action: {primaries}" if primaries else None
    return None if len(primaries) == 1 else f"primary actions in reach: {primaries}"


def axe_violations(page: Page) -> list[str]:
    """Critical and serious axe-core findings on the page as it is now."""
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
