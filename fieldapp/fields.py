"""Values read from a query string or a path the same way everywhere: a row's id, a year. (A
form's fields are read by its command's schema: fieldapp/schemas/commands/.)"""

from __future__ import annotations

from fieldapp.db import MAX_ID

#: The years whose calendars, training and sheets can be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def ident(raw) -> int | None:
    """A row id typed or posted as text: digits within the INTEGER range, else None (which
    callers answer like "not found", without asking the database). Also Werkzeug's ``type=``
    for an id in a query or form: ``request.args.get("grid", type=ident)``."""
    text = str(raw if raw is not None else "").strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses; the length first, as int() refuses
    # more than 4,300 digits.
    return int(text) if text.isdecimal() and len(text) <= len(str(MAX_ID)) and 0 < int(text) <= MAX_ID else None


def year(raw) -> int | None:
    """A year asked for in a query (``type=year``): within FIRST_YEAR–LAST_YEAR, else None."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdecimal() and len(text) == 4 and FIRST_YEAR <= int(text) <= LAST_YEAR else None
