"""Benchmark: the coverage dashboard, the statistics page and the hazard export at district scale.

    .venv/bin/python -m bench.dashboards [--db sqlite|postgresql|both] [--scale 1] [--requests 30]

Targets (issue 8), server time in-process: coverage dashboard and statistics page <= 150 ms p50
on PostgreSQL with 20,000 enterprises, 240,000 inspections and 150,000 hazards; the XLSX export
of all 150,000 hazards streams and finishes in <= 30 s without holding them all in memory
(peak Python memory is reported). Never run by the suite.
"""

from __future__ import annotations

import argparse
import os
import statistics as pystats
import sys
import tempfile
import time
import tracemalloc

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench import results  # noqa: E402
from bench.enterprises import database, pct, timed  # noqa: E402
from bench.generate import PASSWORD, generate  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp.db import db  # noqa: E402
from fieldapp.models import Hazard, User  # noqa: E402
from fieldapp.services import coverage  # noqa: E402
from tests.helpers import logged_in  # noqa: E402


def run(kind: str, scale: float, requests: int) -> list[tuple]:
    results = []
    with database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})
        with app.app_context():
            flask_migrate.upgrade()
            started = time.perf_counter()
            counts = generate(scale, log=lambda *_: None)
            load = time.perf_counter() - started
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(sa.text("VACUUM ANALYZE"))
            admin = db.session.get(User, counts["admin"]).username
            officer = db.session.scalar(sa.select(User.username).where(User.username.like("o%")).limit(1))
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Hazard))
        results.append(
            (
                kind,
                "generate",
                f"{load:.1f} s",
                "",
                str({k: v for k, v in counts.items() if k not in ("admin", "district_admin", "district_officer")}),
            )
        )
        previous = coverage.current().previous().key
        for username in (admin, officer):
            client = logged_in(app.test_client(), username, PASSWORD)
            for label, path in (
                ("coverage", "/coverage"),
                ("coverage, last period", f"/coverage?period={previous}"),
                ("statistics", "/statistics"),
                ("officer queue", "/hazards/?tab=to_confirm"),
            ):
                samples = timed(client, path, requests)
                results.append(
                    (kind, f"{label} ({username})", f"{pystats.median(samples):.1f}", f"{pct(samples, 95):.1f}", "")
                )
        client = logged_in(app.test_client(), admin, PASSWORD)
        started = time.perf_counter()
        response = client.get("/hazards/export.xlsx?tab=all")
        size = len(response.data)
        took = time.perf_counter() - started
        assert response.status_code == 200
        tracemalloc.start()  # a second run for the memory figure: tracing slows Python down
        client.get("/hazards/export.xlsx?tab=all")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append(
            (
                kind,
                f"export of {total} hazards",
                f"{took:.1f} s",
                "",
                f"{size / 1e6:.1f} MB file; Python peak {peak / 1e6:.0f} MB",
            )
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print("| db | measure | p50 ms | p95 ms | note |\n|---|---|---|---|---|")
    rows = []
    for kind in kinds:
        for row in run(kind, args.scale, args.requests):
            print("| " + " | ".join(row) + " |", flush=True)
            rows.append(dict(zip(("db", "measure", "p50_ms", "p95_ms", "note"), row, strict=True)))
    results.save("dashboards", rows, {"scale": args.scale, "requests": args.requests})
    return 0


if __name__ == "__main__":
    sys.exit(main())
