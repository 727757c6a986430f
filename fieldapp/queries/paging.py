"""One page of a list: its ids first (index-only where indexes allow), then those rows.

Sorting thousands of full rows to keep twenty is what made big lists slow; the page's ids are
cheap, and its rows are then read by primary key with the eager loads the page needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from fieldapp.db import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def rows_statement(model, *options) -> sa.Select:
    """The rows of a page's ids (bound as ``page_ids``), with ``options``; build it once for a busy list."""
    return sa.select(model).where(model.id.in_(sa.bindparam("page_ids", expanding=True))).options(*options)


def page_of(rows: sa.Select, ids: list[int], total: int, page: int, per_page: int) -> Page:
    """Page ``page`` holding the rows of ``ids`` in that order, by ``rows`` (a ``rows_statement``)."""
    found = {row.id: row for row in db.session.scalars(rows, {"page_ids": ids})} if ids else {}
    return Page(items=[found[i] for i in ids if i in found], page=page, per_page=per_page, total=total)


def paginate(query: sa.Select, page: int, per_page: int, *options) -> Page:
    """Page ``page`` of ``query`` (a select of one model, ordered), its rows loaded with ``options``."""
    model = query.column_descriptions[0]["entity"]
    total = db.session.scalar(query.with_only_columns(sa.func.count(model.id)).order_by(None))
    ids = list(db.session.scalars(query.with_only_columns(model.id).limit(per_page).offset((page - 1) * per_page)))
    return page_of(rows_statement(model, *options), ids, total, page, per_page)


@dataclass(frozen=True)
class _Statements:
    count: sa.Select
    ids: sa.Select
    rows: sa.Select


#: ``paginate_bound``'s statements by list key: a list has a few shapes (scope, tab, filters).
_BUILT: dict[tuple, _Statements] = {}


def paginate_bound(
    key: tuple, build: Callable[[], sa.Select], values: dict, page: int, per_page: int, *options
) -> Page:
    """``paginate`` for a busy list: its three statements are built once per ``key`` (the list's
    shape, see ``fieldapp.queries``) from ``build()``, whose conditions hold bind parameters, and
    run with ``values``."""
    built = _BUILT.get(key)
    if built is None:
        query = build()
        model = query.column_descriptions[0]["entity"]
        built = _BUILT[key] = _Statements(
            query.with_only_columns(sa.func.count(model.id)).order_by(None),
            query.with_only_columns(model.id).limit(sa.bindparam("page_limit")).offset(sa.bindparam("page_offset")),
            rows_statement(model, *options),
        )
    total = db.session.scalar(built.count, values)
    ids = list(db.session.scalars(built.ids, {**values, "page_limit": per_page, "page_offset": (page - 1) * per_page}))
    return page_of(built.rows, ids, total, page, per_page)
