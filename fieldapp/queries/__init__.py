"""Statements behind the busy pages, built once and run many times: the one place for the pattern.

Why. Building a SQLAlchemy ``select`` (and the cache key SQLAlchemy derives from it to find its
compiled SQL) costs more CPU than running it on an indexed table: a fifth to a third of a hot
page's time, measured with ``bench/`` (see bench/README.md). So a busy page's statement is built
once per *shape* and kept for the life of the process; each request sends only *values*.

- **Shape**: the hashable arguments that decide which conditions a statement has — the user's
  scope as a ``policy.Shape`` (grids? company? staff? PostgreSQL arrays?), which filters are set, a
  tab. Never an id, a date, a search word: those would make one statement per value.
- **Values**: bind parameters (``sa.bindparam("today")``, ``policy.SCOPE_GRIDS``) given when it
  runs: ``db.session.scalars(statement, {**scope_values, "today": today})``.

How::

    @prebuilt
    def hazard_page(shape: policy.Shape) -> sa.Select:
        return sa.select(Hazard).where(scope(shape), Hazard.id == sa.bindparam("id"))

    shape, values = policy.scope_binding(user)
    db.session.scalar(hazard_page(shape), {**values, "id": hazard_id})

Only for pages that are measured to need it; an ordinary query is written where it is used.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
S = TypeVar("S")


def prebuilt(build: Callable[P, S]) -> Callable[P, S]:
    """``build(*shape)`` runs once per shape; later calls return the same statement (or tuple of
    statements). Its arguments must be a shape (see above), not values."""
    return functools.cache(build)
