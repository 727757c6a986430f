"""The page number a list was asked for, from the query string (the lists are in fieldapp.queries.paging)."""
from __future__ import annotations

from flask import request


def page_number() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), 100_000)
