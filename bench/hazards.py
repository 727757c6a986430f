"""Benchmark: the officer queue, the hazard page and one transition at 150,000 hazards.

    .venv/bin/python -m bench.hazards [--db sqlite|postgresql|both] [--n 150000] [--requests 200]

Targets (issue 6), server time in-process: officer queue and hazard page <= 40 ms p50 on
PostgreSQL; a transition <= 20 ms. The hazards (and three events each) are bulk-inserted
over the demo district's enterprises, in every state of the loop. Never run by the suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

import flask_migrate
import sqlalchemy as sa

from bench import results
from bench.enterprises import HASH, database, grow, pct, timed
from fieldapp import clock, create_app
from fieldapp.db import analyze, db
from fieldapp.models import Enterprise, Hazard, HazardEvent, User
from fieldapp.services import demo, hazards
from tests.helpers import logged_in

STATES = [
    ("reported", 10),
    ("confirmed", 10),
    ("rectifying", 25),
    ("awaiting_recheck", 10),
    ("awaiting_closure", 5),
    ("closed", 35),
    ("rejected", 5),
]


def fill(n: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    enterprises = db.session.execute(sa.select(Enterprise.id, Enterprise.grid_id)).all()
    users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
    reporter, officer, company = users["inspector"], users["officer"], users["company"]
    weighted = [s for s, w in STATES for _ in range(w)]
    now = clock.now()
    today = clock.today()
    for start in range(0, n, 5000):
        rows, events = [], []
        for i in range(start, min(n, start + 5000)):
            status = rng.choice(weighted)
            decided = status != "reported"
            created = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
            enterprise_id, grid_id = rng.choice(enterprises)
            rows.append(
                {
                    "uuid": f"00000000-0000-4000-8000-{i:012d}",
                    "enterprise_id": enterprise_id,
                    "grid_id": grid_id,
                    "reporter_id": reporter,
                    "description": f"隐患描述{i}",
                    "place": "车间",
                    "proposed_level": rng.choice(["general", "general", "major"]),
                    "legal_basis": "",
                    "status": status,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "level": rng.choice(["general", "major"]) if decided and status != "rejected" else None,
                    "officer_id": officer if decided else None,
                    "confirmed_at": created if decided else None,
                    "deadline": today + timedelta(days=rng.randint(-60, 30)) if decided else None,
                    "required_measures": "整改" if decided else "",
                    "decision_basis": "",
                    "reject_reason": "",
                    "notice_number": "",
                    "stop_work": False,
                    "stop_scope": "",
                    "workers_withdrawn": "",
                    "emergency_measures": "",
                    "order_number": "",
                }
            )
        ids = db.session.execute(sa.insert(Hazard).returning(Hazard.id, Hazard.status), rows).all()
        for hazard_id, status in ids:
            steps = {
                "reported": [],
                "rejected": [("reject", "reported", "rejected", officer)],
                "confirmed": [("confirm", "reported", "confirmed", officer)],
            }.get(status) or [
                ("confirm", "reported", "confirmed", officer),
                ("acknowledge", "confirmed", "rectifying", company),
                ("submit", "rectifying", "awaiting_recheck", company),
            ]
            for action, before, after, actor in steps:
                events.append(
                    {
                        "hazard_id": hazard_id,
                        "actor_id": actor,
                        "actor_role": "enforcement_officer",
                        "action": action,
                        "from_status": before,
                        "to_status": after,
                        "note": "",
                        "data": {},
                        "created_at": now,
                    }
                )
        if events:
            db.session.execute(sa.insert(HazardEvent), events)
        db.session.commit()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # The steady state autovacuum keeps: statistics and the visibility map (index-only scans).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE hazards, hazard_events")
    else:
        analyze("hazards", "hazard_events")
        db.session.commit()


def run(kind: str, n: int, requests: int) -> list[tuple]:
    results = []
    with database(kind) as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": HASH, "MEDIA_ROOT": tempfile.mkdtemp()}
        )
        with app.app_context():
            flask_migrate.upgrade()
            demo.load(hash_method=HASH)
            grow(20_000)
            started = time.perf_counter()
            fill(n)
            load_s = time.perf_counter() - started
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Hazard))
            user = db.session.scalar(sa.select(User).where(User.username == "officer"))
            visible = hazards.scope(user).with_only_columns(Hazard.id)
            sample = db.session.scalar(visible.where(Hazard.status == "rectifying").order_by(Hazard.id.desc()).limit(1))
            reported = list(
                db.session.scalars(visible.where(Hazard.status == "reported").order_by(Hazard.id).limit(requests))
            )
        results.append((kind, total, "bulk load", load_s * 1000, None))
        officer = logged_in(app.test_client(), "officer", demo.DEMO_PASSWORD)
        for label, path in [
            ("officer queue (to confirm)", "/hazards/?tab=to_confirm"),
            ("officer: overdue", "/hazards/?tab=overdue"),
            ("hazard page", f"/hazards/{sample}"),
        ]:
            s = timed(officer, path, requests)
            results.append((kind, total, label, statistics.median(s), pct(s, 95)))
        with app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == "officer"))
            samples = []
            for hazard_id in reported:
                h = db.session.get(Hazard, hazard_id)
                start = time.perf_counter()
                hazards.reject(user, h, "基准测试")
                samples.append((time.perf_counter() - start) * 1000)
            db.engine.dispose()
        results.append((kind, total, "transition (reject, with event)", statistics.median(samples), pct(samples, 95)))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--n", type=int, default=150_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"{'db':<11}{'hazards':>8}  {'measure':<34}{'p50 ms':>9}{'p95 ms':>9}")
    rows = []
    for kind in kinds:
        for kind_, total, label, p50, p95 in run(kind, args.n, args.requests):
            p95s = f"{p95:9.1f}" if p95 is not None else f"{'':>9}"
            print(f"{kind_:<11}{total:>8}  {label:<34}{p50:9.1f}{p95s}", flush=True)
            rows.append(
                {
                    "db": kind_,
                    "hazards": total,
                    "measure": label,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1) if p95 is not None else None,
                }
            )
    results.save("hazards", rows, {"requests": args.requests})
    return 0


if __name__ == "__main__":
    sys.exit(main())
