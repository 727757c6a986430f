"""Suspected duplicate hazards: one enterprise's open hazards that look like the same thing — on
the same checklist item, or described alike. The phone suggests adding evidence to the existing
one instead of a second report (static/js/capture/duplicates.js, the same measure); officers see
what still slipped through grouped in their queue.

Alike: the Dice coefficient of the descriptions' character bigrams (punctuation and spaces
dropped), at least ``THRESHOLD``. Bigrams suit Chinese, where words are not spaced; "消防通道堵塞"
and "消防通道被杂物堵塞" share most of theirs. tests/similarity_cases.json holds both languages'
implementations to the same answers.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.models import Hazard, ItemResult
from fieldapp.services.hazards import OPEN

THRESHOLD = 0.5


def _normalised(text: str) -> str:
    return "".join(c for c in (text or "").lower() if not c.isspace() and unicodedata.category(c)[0] not in ("P", "S"))


def _bigrams(text: str) -> Counter:
    t = _normalised(text)
    if len(t) < 2:
        return Counter([t] if t else [])
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


def similarity(a: str, b: str) -> float:
    """Dice's coefficient of the two texts' bigrams: 0 (nothing shared) to 1 (the same)."""
    x, y = _bigrams(a), _bigrams(b)
    total = sum(x.values()) + sum(y.values())
    return 2 * sum((x & y).values()) / total if total else 0.0


def suspects(hazards: list[Hazard]) -> dict[int, list[sa.Row]]:
    """For each of ``hazards`` (a page of a queue), the other open hazards of its enterprise that
    look like it: rows of id, description, status (one query for the page)."""
    if not hazards:
        return {}
    enterprises = {h.enterprise.id for h in hazards}
    rows = db.session.execute(
        sa.select(Hazard.id, Hazard.enterprise_id, Hazard.description, Hazard.status, ItemResult.item_id)
        .outerjoin(ItemResult, ItemResult.id == Hazard.item_result_id)
        .where(Hazard.enterprise_id.in_(enterprises), Hazard.status.in_(OPEN))
        .order_by(Hazard.id)
    ).all()
    item_of = {r.id: r.item_id for r in rows}
    found: dict[int, list[sa.Row]] = {}
    for h in hazards:
        item = item_of.get(h.id)
        same = [
            r
            for r in rows
            if r.id != h.id
            and r.enterprise_id == h.enterprise.id
            and ((item is not None and r.item_id == item) or similarity(h.description, r.description) >= THRESHOLD)
        ]
        if same:
            found[h.id] = same
    return found


def grouped(hazards: list[Hazard], found: dict[int, list[sa.Row]]) -> list[list[Hazard]]:
    """The page's hazards with each suspected duplicate moved up beside the first of its kind, as
    groups (a group of one: no duplicate on this page)."""
    on_page = {h.id: h for h in hazards}
    group_of: dict[int, list[Hazard]] = {}
    groups: list[list[Hazard]] = []
    for h in hazards:
        if h.id in group_of:
            continue
        group = [h]
        group_of[h.id] = group
        stack = [h]
        while stack:  # everything on the page linked to the group, however indirectly
            for o in found.get(stack.pop().id, []):
                if o.id in on_page and o.id not in group_of:
                    group.append(on_page[o.id])
                    group_of[o.id] = group
                    stack.append(on_page[o.id])
        groups.append(group)
    return groups
