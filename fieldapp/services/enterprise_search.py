"""Enterprise search: one query builder for the list page, the export and the API."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from fieldapp import codes, fields, policy
from fieldapp.db import db
from fieldapp.models import Enterprise, User
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.queries import enterprises as enterprise_statements
from fieldapp.queries.paging import Page, page_of, paginate


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Filters:
    q: str = ""
    grid: int | None = None
    status: str = ""
    industry: str = ""
    risk_grade: str = ""
    pending: bool = False

    @classmethod
    def from_args(cls, args: MultiDict) -> Filters:
        return cls(
            q=(args.get("q") or "").strip()[:100],
            grid=args.get("grid", type=fields.ident),
            status=args.get("status") if args.get("status") in ENTERPRISE_STATUSES else "",
            industry=args.get("industry") if args.get("industry") in codes.INDUSTRIES else "",
            risk_grade=args.get("risk_grade") if args.get("risk_grade") in codes.RISK_GRADES else "",
            pending=args.get("pending") == "1",
        )

    def as_args(self) -> dict:
        return {
            k: v
            for k, v in (
                ("q", self.q),
                ("grid", self.grid),
                ("status", self.status),
                ("industry", self.industry),
                ("risk_grade", self.risk_grade),
                ("pending", "1" if self.pending else ""),
            )
            if v
        }


def _binding(user: User, f: Filters) -> tuple[tuple, dict]:
    """Which conditions apply (the scope's shape and the filters given), and their values."""
    shape, values = policy.scope_binding(user)
    given = {}
    if f.q:
        like = f"%{_escape_like(f.q)}%"
        given.update(q=like, q_upper=like.upper())
    given.update(
        {
            k: v
            for k, v in (("grid", f.grid), ("status", f.status), ("industry", f.industry), ("risk_grade", f.risk_grade))
            if v
        }
    )
    if f.pending:
        given["pending"] = True
    return (shape, frozenset(given)), {**values, **given}


def _filtered(user: User, f: Filters, query: sa.Select) -> sa.Select:
    key, values = _binding(user, f)
    return query.where(*enterprise_statements.search_conditions(*key)).params(values)


def page_ids(user: User, f: Filters, page: int, per_page: int) -> tuple[list[int], int]:
    """The ids of one page of results, in order, and the total.

    A text search cannot use an index (it matches inside names), so it reads
    (id, name) of every match in one pass over the covering grid index and
    sorts in Python, instead of counting in one scan and sorting rows in a
    second; lists without text page in SQL along the name index.
    """
    offset = (page - 1) * per_page
    key, values = _binding(user, f)
    matching, count, paged = enterprise_statements.search_statements(*key)
    if f.q:
        matches = db.session.execute(matching, values).all()
        matches.sort(key=lambda row: (row[1], row[0]))
        return [row[0] for row in matches[offset : offset + per_page]], len(matches)
    total = db.session.scalar(count, values)
    ids = list(db.session.scalars(paged, {**values, "limit": per_page, "offset": offset}))
    return ids, total


def page(user: User, f: Filters, page: int, per_page: int) -> Page:
    """Page ``page`` of the list: the enterprises matching ``f``, by name."""
    ids, total = page_ids(user, f, page, per_page)
    return page_of(enterprise_statements.LIST_ROWS, ids, total, page, per_page)


def by_id(user: User, page: int, per_page: int) -> Page:
    """Page ``page`` of every enterprise in ``user``'s scope, in id order (the API's list)."""
    return paginate(
        policy.enterprise_scope(user).order_by(Enterprise.id), page, per_page, sa.orm.joinedload(Enterprise.grid)
    )


def search(user: User, f: Filters) -> sa.Select:
    """Enterprises in ``user``'s scope matching ``f``, by name then id. A code
    typed in full (or its tail) matches by code; anything else matches names."""
    query = _filtered(user, f, sa.select(Enterprise))
    return query.order_by(Enterprise.name, Enterprise.id)
