"""SQL statements per key page stay within a fixed budget, whatever the data size (no N+1)."""
from contextlib import contextmanager

import sqlalchemy as sa

from fieldapp.db import db as _db
from fieldapp.services import selfchecks
from tests.helpers import logged_in

BUDGET = {"list": 7, "file": 15, "patrol": 13, "home": 5}


@contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(_db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", count)


def _grow(factory, world, n: int):
    for _i in range(n):
        e = factory.enterprise(world.grid_a1)
        company = factory.user("company_manager", enterprises=[e])
        for j in range(3):
            point = selfchecks.add_risk_point(company, e, {"place": f"部位{j}", "hazard_type": "fire",
                                                           "risk_level": "yellow", "control_measures": ""})
        selfchecks.record_self_check(company, e, "2026-11-01", "王工",
                                     [selfchecks.ItemInput(point.id, ok=False, problem="问题")])
    return e


def _measure(client, paths: dict[str, str]) -> dict[str, int]:
    out = {}
    for name, path in paths.items():
        client.get(path)  # warm-up: first requests may load lazily cached things
        with counting() as statements:
            assert client.get(path).status_code == 200, path
        out[name] = len(statements)
    return out


def test_key_pages_query_counts_do_not_grow_with_data(client, factory, world):
    logged_in(client, "insp_a1")
    small = _grow(factory, world, 1)
    paths = {"list": "/enterprises/?per_page=50", "file": f"/enterprises/{small.id}",
             "patrol": f"/enterprises/{small.id}/online-patrol", "home": "/"}
    before = _measure(client, paths)
    big = _grow(factory, world, 12)
    paths.update(file=f"/enterprises/{big.id}", patrol=f"/enterprises/{big.id}/online-patrol")
    after = _measure(client, paths)
    assert after == before
    for name, count in after.items():
        assert count <= BUDGET[name], (name, count)
