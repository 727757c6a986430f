"""Enterprise search: one query builder for the list page, the export and the API."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from fieldapp import codes, policy
from fieldapp.db import db
from fieldapp.models import Enterprise, User
from fieldapp.models.enterprises import ENTERPRISE_STATUSES


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
        grid = args.get("grid", type=int)
        return cls(
            q=(args.get("q") or "").strip()[:100],
            grid=grid if grid and 0 < grid < 2**31 else None,
            status=args.get("status") if args.get("status") in ENTERPRISE_STATUSES else "",
            industry=args.get("industry") if args.get("industry") in codes.INDUSTRIES else "",
            risk_grade=args.get("risk_grade") if args.get("risk_grade") in codes.RISK_GRADES else "",
            pending=args.get("pending") == "1",
        )

    def as_args(self) -> dict:
        return {k: v for k, v in (("q", self.q), ("grid", self.grid), ("status", self.status),
                                  ("industry", self.industry), ("risk_grade", self.risk_grade),
                                  ("pending", "1" if self.pending else "")) if v}


def _filtered(user: User, f: Filters, query: sa.Select) -> sa.Select:
    query = query.where(policy.enterprise_condition(user))
    if f.q:
        like = f"%{_escape_like(f.q)}%"
        query = query.where(sa.or_(Enterprise.name.like(like, escape="\\"),
                                   Enterprise.uscc.like(like.upper(), escape="\\")))
    if f.grid:
        query = query.where(Enterprise.grid_id == f.grid)
    if f.status:
        query = query.where(Enterprise.status == f.status)
    if f.industry:
        query = query.where(Enterprise.industry == f.industry)
    if f.risk_grade:
        query = query.where(Enterprise.risk_grade == f.risk_grade)
    if f.pending:
        query = query.where(Enterprise.pending_review.is_(True))
    return query


def page_ids(user: User, f: Filters, page: int, per_page: int) -> tuple[list[int], int]:
    """The ids of one page of results, in order, and the total.

    A text search cannot use an index (it matches inside names), so it reads
    (id, name) of every match in one pass over the covering grid index and
    sorts in Python, instead of counting in one scan and sorting rows in a
    second; lists without text page in SQL along the name index.
    """
    offset = (page - 1) * per_page
    if f.q:
        matches = db.session.execute(_filtered(user, f, sa.select(Enterprise.id, Enterprise.name))).all()
        matches.sort(key=lambda row: (row[1], row[0]))
        return [row[0] for row in matches[offset:offset + per_page]], len(matches)
    query = _filtered(user, f, sa.select(Enterprise.id))
    total = db.session.scalar(query.with_only_columns(sa.func.count(Enterprise.id)))
    ids = list(db.session.scalars(query.order_by(Enterprise.name, Enterprise.id).limit(per_page).offset(offset)))
    return ids, total


def search(user: User, f: Filters) -> sa.Select:
    """Enterprises in ``user``'s scope matching ``f``, by name then id. A code
    typed in full (or its tail) matches by code; anything else matches names."""
    query = _filtered(user, f, sa.select(Enterprise))
    return query.order_by(Enterprise.name, Enterprise.id)
