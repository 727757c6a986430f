"""Following a page's links as the crawls do (tests/browser/test_phone_pages.py and
scripts/page_snapshot.py): one page of each kind is enough."""

import re
from urllib.parse import parse_qs, urlsplit


def page_kind(path: str) -> tuple:
    """One page of each kind: its path with numbers as N, its query's keys, and which tab."""
    parts = urlsplit(path)
    query = parse_qs(parts.query)
    return re.sub(r"\d+", "N", parts.path), tuple(sorted(query)), tuple(query.get("tab", ()))
