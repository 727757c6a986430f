"""Ids in URLs: ``<int:…>`` matches only numbers an id column can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from fieldapp.db import MAX_ID


class IdConverter(IntegerConverter):
    """Werkzeug's integer converter bounded by ``MAX_ID``: /hazards/3000000000 is no route (404)
    instead of a query PostgreSQL refuses (a 500 — found by the API fuzzing)."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
