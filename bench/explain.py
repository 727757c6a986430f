"""EXPLAIN every statement of each key page on PostgreSQL: the evidence behind the indexes (issue 9).

    .venv/bin/python -m bench.explain --url postgresql+psycopg://…/district   # a district already there
    .venv/bin/python -m bench.explain [--scale 1]                               # throwaway cluster + district

In-process (Flask test client), as a user of each route's role picked as ``bench.load`` picks
them: each page is requested once to warm up, then again with every statement captured; each
SELECT is run once more under ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`` with its own
parameters. Per page it reports the statements, their summed execution time, the slowest, the
indexes the plans use, and every sequential scan of a table holding more than
``BIG_TABLE`` rows — the plans a district would feel — with the reason where one is the right
plan (``JUSTIFIED``); an unjustified one makes the exit status 1. Each statement's plan summary is kept in
``bench/results/detail/explain.json``. Never run by the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from contextlib import ExitStack

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench import results  # noqa: E402
from bench.generate import PASSWORD  # noqa: E402
from bench.load import ROUTES, pick_users  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp.db import db  # noqa: E402
from tests.helpers import logged_in  # noqa: E402

#: A sequential scan of a table larger than this is flagged: it grows with the district.
BIG_TABLE = 10_000
#: Sequential scans of big tables that are the right plan, with the reason (also noted in the code).
JUSTIFIED = {
    (
        "coverage, district admin",
        "enterprises",
    ): "all ~19,200 enterprises of a district are counted: one pass over the table (their last "
    "inspection kept on each) is the whole answer",
}


def _walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


def summarise(plan_json: list, sizes: dict[str, float]) -> dict:
    """What one EXPLAIN ANALYZE says: time, indexes used, sequential scans of big tables."""
    top = plan_json[0]
    indexes, big_seq, seq = set(), set(), set()
    for node in _walk(top["Plan"]):
        if node.get("Index Name"):
            indexes.add(node["Index Name"])
        if node["Node Type"] == "Seq Scan":
            table = node.get("Relation Name", "")
            (big_seq if sizes.get(table, 0) > BIG_TABLE else seq).add(table)
    return {
        "ms": round(top["Execution Time"] + top.get("Planning Time", 0), 2),
        "indexes": sorted(indexes),
        "big_seq_scans": sorted(big_seq),
        "small_seq_scans": sorted(seq),
    }


def capture(app, client, path: str) -> list[tuple[str, object]]:
    """The statements one request runs, with their parameters."""
    statements: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return statements


def explain(app, statements, sizes) -> list[dict]:
    out = []
    with app.app_context(), db.engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters or {}
            ).scalar()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            out.append({"sql": " ".join(statement.split())[:160], **summarise(plan, sizes)})
            conn.rollback()
    return out


def run(url: str) -> tuple[list[dict], list[dict]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})
    with app.app_context():
        engine = db.engine
        sizes = {
            name: float(n)
            for name, n in db.session.execute(
                sa.text(
                    "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = "
                    "'public'::regnamespace"
                )
            )
        }
        db.session.remove()
    picked = pick_users(engine, 1)
    summary, detail = [], []
    clients = {}
    for route in ROUTES:
        if route.role == "anonymous" or route.path == "sync":
            continue
        username, ids = picked[route.role][0]
        if username not in clients:
            clients[username] = logged_in(app.test_client(), username, PASSWORD)
        client = clients[username]
        path = route.path.format(**ids)
        client.get(path)  # warm: the first request of a user touches the session row
        plans = explain(app, capture(app, client, path), sizes)
        for p in plans:
            detail.append({"page": route.label, **p})
        slowest = max(plans, key=lambda p: p["ms"]) if plans else None
        summary.append(
            {
                "page": route.label,
                "statements": len(plans),
                "sql_ms": round(sum(p["ms"] for p in plans), 1),
                "slowest_ms": slowest["ms"] if slowest else "",
                "slowest": slowest["sql"][:70] if slowest else "",
                "indexes": " ".join(sorted({i for p in plans for i in p["indexes"]})),
                "big_seq_scans": " ".join(sorted({t for p in plans for t in p["big_seq_scans"]})) or "none",
                "why": " ".join(
                    JUSTIFIED.get((route.label, t), "UNJUSTIFIED")
                    for t in sorted({t for p in plans for t in p["big_seq_scans"]})
                ),
            }
        )
    engine.dispose()
    return summary, detail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database holding a district (bench.generate)")
    parser.add_argument("--scale", type=float, default=1.0, help="without --url: the district's scale")
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url
        if not url:
            from bench.generate import throwaway_district

            url = stack.enter_context(throwaway_district(args.scale))
        summary, detail = run(url)
    print("| page | statements | sql ms | slowest ms | big seq scans |\n|---|---|---|---|---|")
    for row in summary:
        print(
            f"| {row['page']} | {row['statements']} | {row['sql_ms']} | {row['slowest_ms']} | {row['big_seq_scans']} |"
        )
    results.save(
        "explain",
        summary,
        {"scale": args.scale if not args.url else "given database", "big table": f"> {BIG_TABLE} rows"},
    )
    (results.DIR / "detail").mkdir(exist_ok=True)
    (results.DIR / "detail" / "explain.json").write_text(json.dumps(detail, ensure_ascii=False, indent=1) + "\n")
    return 1 if any("UNJUSTIFIED" in row["why"] for row in summary) else 0


if __name__ == "__main__":
    sys.exit(main())
