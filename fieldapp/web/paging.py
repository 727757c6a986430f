"""Pagination of a scoped select, with the page number taken from the query string."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

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


def paginate(query: sa.Select, per_page: int) -> Page:
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), 100_000)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return Page(items=items, page=page, per_page=per_page, total=total)
