"""Query, form and JSON values as the app reads them: without NUL characters.

No keyboard types a NUL. PostgreSQL refuses one in text — an error, not a row, so a search or a
form carrying %00 was a 500 there (SQLite stored it). Removing it keeps everything else typed.
"""

from __future__ import annotations

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def without_nul(value):
    """``value`` with NUL removed from every string in it (JSON: dicts, lists, keys too)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    return value


class _Parameters(ImmutableMultiDict):
    """Werkzeug builds args and form from (name, value) pairs: the strings are cleaned there,
    uploaded files are left as they are. A multipart part whose name could not be read (its
    name is None) names nothing a form has, and is dropped (Flask-WTF's CSRF check read every
    name as a string: such a part was a 500)."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            mapping = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            mapping = mapping.items()
        super().__init__([(without_nul(k), without_nul(v)) for k, v in mapping if k is not None])  # files unchanged


class AppRequest(Request):
    parameter_storage_class = _Parameters


def page_number() -> int:
    """The page of a list the query string asks for (1 if none or nonsense)."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), 100_000)
