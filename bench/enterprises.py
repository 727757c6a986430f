"""Benchmark: enterprise search and enterprise page at 20,000 enterprises; a 20,000-row import.

    .venv/bin/python -m bench.enterprises [--db sqlite|postgresql|both] [--n 20000] [--requests 200]

Server time is measured in-process (the WSGI app called through Flask's test
client, no network), which is what the issue's targets are about. PostgreSQL is
a throwaway cluster started here (or TEST_DATABASE_URL). Never run by the suite.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from bench import results  # noqa: E402
from fieldapp import clock, create_app  # noqa: E402
from fieldapp.db import analyze, db  # noqa: E402
from fieldapp.models import Enterprise, Grid  # noqa: E402
from fieldapp.services import demo, enterprise_import, uscc  # noqa: E402
from tests import postgres  # noqa: E402
from tests.helpers import csrf_token, logged_in  # noqa: E402

HASH = "scrypt:4096:8:1"


def grow(n: int, seed: int = 4754) -> None:
    """Top the demo district up to ``n`` enterprises, spread over its grids."""
    rng = random.Random(seed)
    grids = db.session.scalars(sa.select(Grid).order_by(Grid.id)).all()
    have = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise))
    district_id = grids[0].org_unit.parent_id
    words = demo.TRADE_NAMES
    industries = list(demo.INDUSTRIES.items())
    now = clock.now()
    rows, seen = [], set(db.session.scalars(sa.select(Enterprise.uscc)))
    while have + len(rows) < n:
        code = uscc.make("9", "1", "320506", f"{rng.randrange(10**8):08d}")
        if code in seen:
            continue
        seen.add(code)
        trade, industry = rng.choice(industries)
        rows.append(
            {
                "name": f"苏州{rng.choice(words)}{rng.choice(words)}{trade}有限公司{len(rows)}",
                "uscc": code,
                "grid_id": rng.choice(grids).id,
                "district_id": district_id,
                "status": "active",
                "industry": industry,
                "risk_grade": rng.choice(["red", "orange", "yellow", "blue"]),
                "operating_address": "江苏省苏州市吴中区",
                "latitude": 31.2,
                "longitude": 120.6,
                "created_at": now,
                "updated_at": now,
            }
        )
    for i in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Enterprise), rows[i : i + 2000])
    db.session.commit()
    analyze("enterprises")  # as the import does after a bulk load
    db.session.commit()


def timed(client, path: str, requests: int) -> list[float]:
    client.get(path)
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def xlsx_rows(n: int, grid_code: str, taken: set[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("企业")
    sheet.append([c.header for c in enterprise_import.COLUMNS[:6]])
    rng = random.Random(11714)
    seen: set[str] = set()
    while len(seen) < n:
        code = uscc.make("9", "1", "320506", f"{rng.randrange(10**8):08d}")
        if code not in seen and code not in taken:
            seen.add(code)
            sheet.append([f"导入测试{len(seen)}有限公司", code, grid_code, "在营", "C33", "小型"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
    else:
        with postgres.postgres() as url:
            yield url


def run(kind: str, n: int, requests: int) -> list[tuple]:
    results = []
    with database(kind) as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": HASH, "MEDIA_ROOT": tempfile.mkdtemp()}
        )
        with app.app_context():
            flask_migrate.upgrade()
            demo.load(hash_method=HASH)
            grow(n)
            total = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise))
            sample = db.session.scalar(sa.select(Enterprise).order_by(Enterprise.id.desc()).limit(1))
            name_part = sample.name[2:5]
            grid_code = db.session.scalar(sa.select(Grid.code).order_by(Grid.code).limit(1))
            taken = set(db.session.scalars(sa.select(Enterprise.uscc)))
        for username in ("admin", "inspector"):
            client = logged_in(app.test_client(), username, demo.DEMO_PASSWORD)
            for label, path in [
                ("search: first page", "/enterprises/"),
                ("search: name part", f"/enterprises/?q={name_part}"),
                ("search: page 40", "/enterprises/?page=40"),
                ("search: industry+risk", "/enterprises/?industry=C33&risk_grade=red"),
                ("enterprise page", f"/enterprises/{sample.id}"),
            ]:
                if username == "inspector" and label == "enterprise page":
                    path = "/enterprises/" + str(demo_enterprise(app))
                s = timed(client, path, requests)
                results.append((kind, total, username, label, statistics.median(s), pct(s, 95)))
        admin = logged_in(app.test_client(), "admin", demo.DEMO_PASSWORD)
        data = xlsx_rows(20_000, grid_code, taken)
        start = time.perf_counter()
        token = csrf_token(admin, "/enterprises/import")
        response = admin.post(
            "/enterprises/import",
            data={"csrf_token": token, "file": (io.BytesIO(data), "b.xlsx")},
            content_type="multipart/form-data",
        )
        preview_s = time.perf_counter() - start
        location = response.headers["Location"]
        start = time.perf_counter()
        admin.post(location, data={"csrf_token": csrf_token(admin, location), "mode": "all", "action": "commit"})
        commit_s = time.perf_counter() - start
        with app.app_context():
            after = db.session.scalar(sa.select(sa.func.count()).select_from(Enterprise))
            db.engine.dispose()
        assert after == total + 20_000, (after, total)
        results.append((kind, total, "admin", "import 20,000-row XLSX: preview", preview_s * 1000, None))
        results.append((kind, total, "admin", "import 20,000-row XLSX: commit", commit_s * 1000, None))
    return results


def demo_enterprise(app) -> int:
    with app.app_context():
        return next(a for a in demo.accounts() if a["username"] == "company")["enterprise"]["id"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"{'db':<11}{'rows':>7}  {'user':<10}{'measure':<34}{'p50 ms':>9}{'p95 ms':>9}")
    rows = []
    for kind in kinds:
        for row in run(kind, args.n, args.requests):
            kind_, total, user, label, p50, p95 = row
            p95s = f"{p95:9.1f}" if p95 is not None else f"{'':>9}"
            print(f"{kind_:<11}{total:>7}  {user:<10}{label:<34}{p50:9.1f}{p95s}", flush=True)
            rows.append(
                {
                    "db": kind_,
                    "enterprises": total,
                    "user": user,
                    "measure": label,
                    "p50_ms": round(p50, 1),
                    "p95_ms": round(p95, 1) if p95 is not None else None,
                }
            )
    results.save("enterprises", rows, {"requests": args.requests})
    return 0


if __name__ == "__main__":
    sys.exit(main())
