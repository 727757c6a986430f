"""Hazard lists to Excel, read in batches and written row by row."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale

from fieldapp import clock, codes
from fieldapp.db import db
from fieldapp.models import Enterprise, Grid, Hazard, User
from fieldapp.services import hazards, xlsx

HEADERS = [
    "编号",
    "企业",
    "统一社会信用代码",
    "网格",
    "行业",
    "部位",
    "隐患描述",
    "上报人",
    "上报时间",
    "建议等级",
    "认定等级",
    "状态",
    "整改期限",
    "是否逾期",
    "确认时间",
    "销号时间",
    "停产停业",
]


def _local(value) -> str:
    return value.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(query: sa.Select):
    """One list per hazard; the query is read 1,000 rows at a time."""
    today = clock.today()
    ordered = query.subquery()
    h = sa.orm.aliased(Hazard, ordered)
    result = db.session.execute(
        sa.select(
            h.id,
            Enterprise.name,
            Enterprise.uscc,
            Grid.code,
            Enterprise.industry,
            h.place,
            h.description,
            User.display_name,
            h.created_at,
            h.proposed_level,
            h.level,
            h.status,
            h.deadline,
            h.confirmed_at,
            h.closed_at,
            h.stop_work,
        )
        .join(Enterprise, Enterprise.id == h.enterprise_id)
        .join(Grid, Grid.id == h.grid_id)
        .join(User, User.id == h.reporter_id)
        .order_by(h.id)
        .execution_options(yield_per=1000)
    )
    # Labels resolved once: a lazy string costs a catalogue look-up every time it is printed.
    levels = {k: str(v) for k, v in hazards.LEVEL_LABELS.items()}
    statuses = {k: str(v) for k, v in hazards.STATUS_LABELS.items()}
    industries = {k: str(v) for k, v in codes.INDUSTRIES.items()}
    for (
        hid,
        name,
        uscc,
        grid,
        industry,
        place,
        description,
        reporter,
        created,
        proposed,
        level,
        status,
        deadline,
        confirmed,
        closed,
        stop,
    ) in result:
        overdue = status in hazards.RECTIFYING and deadline is not None and deadline < today
        yield [
            hid,
            name,
            uscc,
            grid,
            industries.get(industry, industry or ""),
            place,
            description,
            reporter,
            _local(created),
            levels.get(proposed, proposed),
            levels.get(level, "") if level else "",
            statuses.get(status, status),
            deadline.isoformat() if deadline else "",
            "是" if overdue else "",
            _local(confirmed),
            _local(closed),
            "是" if stop else "",
        ]


def workbook(query: sa.Select):
    with force_locale("zh_CN"):
        return xlsx.write([("隐患", HEADERS, rows(query))])
