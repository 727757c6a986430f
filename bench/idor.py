"""Do out-of-scope ids answer like ids that do not exist — in time as well as in words? (issue 10)

    .venv/bin/python -m bench.idor --url postgresql+psycopg://…/district   # a district already there
    .venv/bin/python -m bench.idor [--scale 0.1]                           # throwaway cluster + district

An inspector of one grid asks, in-process, for objects of another grid (they exist) and for ids
past the last one (they do not), interleaved, ``--requests`` times each: enterprise, inspection,
hazard and photo pages. The suite already proves the status and the body are the same
(tests/test_authz_matrix.py); this measures the time. Reported per object kind: both medians,
the difference, and a Mann-Whitney test; a difference is "of note" when it is both significant
(p < 0.01) and larger than ``NOTE_MS`` — then the exit status is 1. Never run by the suite.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench import results  # noqa: E402
from bench.generate import PASSWORD  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp.db import db  # noqa: E402
from tests.helpers import logged_in  # noqa: E402

CSRF_META = re.compile(rb'<meta name="csrf-token" content="[^"]*">')
#: A timing difference below this is not "of note": a network adds more jitter than that.
NOTE_MS = 1.0


def mann_whitney_p(a: list[float], b: list[float]) -> float:
    """Two-sided p-value of the Mann-Whitney U test (normal approximation, ties averaged)."""
    ranked = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(ranked)
    i = 0
    while i < len(ranked):
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        i = j + 1
    n1, n2 = len(a), len(b)
    r1 = sum(r for r, (_, group) in zip(ranks, ranked, strict=True) if group == 0)
    u = r1 - n1 * (n1 + 1) / 2
    sigma = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (u - n1 * n2 / 2) / sigma if sigma else 0.0
    return math.erfc(abs(z) / math.sqrt(2))


def _targets(conn) -> tuple[str, dict[str, tuple[int, int]]]:
    """An inspector, and per kind (an id of another grid's object, an id that does not exist)."""
    username, grid_id = conn.execute(
        sa.text(
            "SELECT u.username, ig.grid_id FROM users u JOIN inspector_grids ig ON ig.user_id = u.id "
            "ORDER BY u.id LIMIT 1"
        )
    ).one()
    queries = {
        "enterprise": (
            "SELECT max(id) FROM enterprises",
            "SELECT id FROM enterprises WHERE grid_id <> :g ORDER BY id LIMIT 1",
        ),
        "inspection": (
            "SELECT max(id) FROM inspections",
            "SELECT i.id FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id "
            "WHERE e.grid_id <> :g ORDER BY i.id LIMIT 1",
        ),
        "hazard": ("SELECT max(id) FROM hazards", "SELECT id FROM hazards WHERE grid_id <> :g ORDER BY id LIMIT 1"),
        "photo": (
            "SELECT max(id) FROM photos",
            "SELECT p.photo_id FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id "
            "JOIN enterprises e ON e.id = i.enterprise_id WHERE e.grid_id <> :g ORDER BY p.id LIMIT 1",
        ),
    }
    out = {}
    for kind, (last, other) in queries.items():
        out[kind] = (
            conn.execute(sa.text(other), {"g": grid_id}).scalar_one(),
            conn.execute(sa.text(last)).scalar_one() + 1000,
        )
    return username, out


PATHS = {
    "enterprise": "/enterprises/{}",
    "inspection": "/inspections/{}",
    "hazard": "/hazards/{}",
    "photo": "/photos/{}/display",
}


def run(url: str, requests: int) -> list[dict]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})
    with app.app_context():
        with db.engine.connect() as conn:
            username, targets = _targets(conn)
        engine = db.engine
    client = logged_in(app.test_client(), username, PASSWORD)
    rows = []
    for kind, (elsewhere, missing) in targets.items():
        times: dict[int, list[float]] = {elsewhere: [], missing: []}
        answers: dict[int, set] = {elsewhere: set(), missing: set()}
        for _ in range(5):  # warm both paths
            client.get(PATHS[kind].format(elsewhere))
            client.get(PATHS[kind].format(missing))
        for i in range(requests * 2):
            obj = (elsewhere, missing)[i % 2]
            started = time.perf_counter()
            response = client.get(PATHS[kind].format(obj))
            times[obj].append((time.perf_counter() - started) * 1000)
            # The page's CSRF token is fresh on every render: not part of the answer.
            answers[obj].add((response.status_code, CSRF_META.sub(b"", response.get_data())))
        a, b = times[elsewhere], times[missing]
        diff = statistics.median(a) - statistics.median(b)
        p = mann_whitney_p(a, b)
        rows.append(
            {
                "object": kind,
                "out of scope ms": round(statistics.median(a), 2),
                "missing ms": round(statistics.median(b), 2),
                "difference ms": round(diff, 2),
                "p": round(p, 4),
                "same answer": answers[elsewhere] == answers[missing] and len(answers[elsewhere]) == 1,
                "of note": bool(p < 0.01 and abs(diff) > NOTE_MS),
            }
        )
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database holding a district (bench.generate)")
    parser.add_argument("--scale", type=float, default=0.1, help="without --url: the district's scale")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url
        if not url:
            from bench.generate import throwaway_district

            url = stack.enter_context(throwaway_district(args.scale))
        rows = run(url, args.requests)
    print(
        "| object | out of scope ms | missing ms | difference ms | p | same answer | of note |\n"
        "|---|---|---|---|---|---|---|"
    )
    for r in rows:
        print("| " + " | ".join(str(v) for v in r.values()) + " |")
    results.save(
        "idor",
        rows,
        {
            "requests": args.requests,
            "note above": f"{NOTE_MS} ms and p < 0.01",
            "database": "given" if args.url else f"scale {args.scale}",
        },
    )
    return 1 if any(r["of note"] or not r["same answer"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
