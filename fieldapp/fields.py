"""Reading a submitted form's values the same way everywhere: trimmed text within a length
(required or not), an ISO date; each problem goes into ``errors`` under its field."""

from __future__ import annotations

from datetime import date

from fieldapp.db import MAX_ID
from fieldapp.i18n import gettext as _

#: The years whose calendars, training and sheets can be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def text(values: dict, key: str, limit: int, errors: dict, required: str | None = None) -> str:
    """The trimmed text; ``required`` is the message when it is missing."""
    value = (values.get(key) or "").strip()
    if required and not value:
        errors[key] = required
    elif len(value) > limit:
        errors[key] = _("不能超过 %(n)d 个字。", n=limit)
    return value[:limit]


def ident(raw) -> int | None:
    """A row id typed or posted as text: digits within the INTEGER range, else None (which
    callers answer like "not found", without asking the database). Also Werkzeug's ``type=``
    for an id in a query or form: ``request.args.get("grid", type=ident)``."""
    text = str(raw if raw is not None else "").strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(text) if text.isdecimal() and 0 < int(text) <= MAX_ID else None


def year(raw) -> int | None:
    """A year asked for in a query (``type=year``): within FIRST_YEAR–LAST_YEAR, else None."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdecimal() and FIRST_YEAR <= int(text) <= LAST_YEAR else None


def day(values: dict, key: str, errors: dict, required: str | None = None) -> date | None:
    """An ISO date; empty gives None (or ``required`` as the message), nonsense a message."""
    raw = (values.get(key) or "").strip()
    if not raw:
        if required:
            errors[key] = required
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = _("日期格式不正确。")
        return None
