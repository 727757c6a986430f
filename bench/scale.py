"""Key pages at district and city scale: does a page's cost grow with the data? (issue 32, item 4)

    .venv/bin/python -m bench.scale --small URL --large URL    # a district (scale 1) and a city (10)
    .venv/bin/python -m bench.scale --small-scale 0.01 --large-scale 0.1   # throwaway, generated

Each key page is requested in-process (Flask test client, one user at a time) as a user of its
role, on both databases, the same kind of user on each: the first grid's inspector, the first
town's officer, a district's admin, and on a city the city's admin. Per page and database: wall
time p50/p95, and CPU per request — the app's (this process) and PostgreSQL's (the backends the
app's connections use, from /proc/<pid>/schedstat, nanoseconds). What grows with the data shows
as CPU at the large scale over CPU at the small one; a user whose scope is the same size on
both (an inspector's grid, a town, a district) should cost the same.

Targets (issue 32): CPU per request at 10× within 1.25× of 1× for every key page (their users'
scope does not grow); key pages p95 ≤ 50 ms at 10×; dashboards ≤ 150 ms p95 for a district,
≤ 300 ms for the city (their CPU ratio is reported, not held to 1.25×). Never run by the suite
except at a small scale so it cannot rot.
"""

from __future__ import annotations

import argparse
import os
import statistics as pystats
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import sqlalchemy as sa  # noqa: E402

from bench import results  # noqa: E402
from bench.enterprises import pct  # noqa: E402
from bench.generate import PASSWORD  # noqa: E402
from bench.load import ROUTES, admin_of, pick_users  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp.db import db  # noqa: E402
from tests.helpers import logged_in  # noqa: E402

#: CPU per request at the large scale may be this much of the small one's (issue 32).
GROWTH = 1.25


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # inspector, officer, district_admin, city_admin
    path: str  # formatted with the user's ids
    target_ms: float = 50.0  # server p95 at the large scale
    same_scope: bool = True  # the user's scope is the same size at both scales
    key: bool = True  # a key page: its CPU may grow at most GROWTH (dashboards: their p95 only)


def _pages() -> list[Page]:
    """bench.load's key pages and dashboards (its admin: a district's), and the city's dashboards."""
    pages = []
    for route in ROUTES:
        if route.role == "anonymous" or route.path == "sync":
            continue
        role = "district_admin" if route.role == "admin" else route.role
        dashboard = route.path in ("/coverage", "/statistics")
        pages.append(Page(route.label, role, route.path, route.target_ms, key=not dashboard))
    return [
        *pages,
        Page("coverage, city admin", "city_admin", "/coverage", 300, same_scope=False, key=False),
        Page("statistics, city admin", "city_admin", "/statistics", 300, same_scope=False, key=False),
    ]


PAGES = _pages()


def users() -> dict[str, tuple[str, dict]]:
    """The user of each role and the ids their pages need."""
    picked = pick_users(db.engine, 1)
    out = {role: picked[role][0] for role in ("inspector", "officer")}
    district = admin_of(db.engine, "district")
    if district:
        out["district_admin"] = (district, {})
    city = admin_of(db.engine, "city")
    if city:
        out["city_admin"] = (city, {})
    return out


class Backends:
    """CPU time of the PostgreSQL backends this process's connections use (Linux, same machine)."""

    def __init__(self, engine: sa.Engine):
        self.pids: set[int] = set()
        sa.event.listen(engine, "checkout", self._checkout)

    def _checkout(self, dbapi_connection, record, proxy):
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if pid:
            self.pids.add(pid)

    def seconds(self) -> dict[int, float]:
        out = {}
        for pid in self.pids:
            try:
                out[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
            except (FileNotFoundError, ProcessLookupError, ValueError):
                out[pid] = 0.0
        return out


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[p] - before.get(p, 0.0) for p in after)


class Side:
    """One database's app, the users of each role logged in, and its PostgreSQL backends."""

    def __init__(self, url: str):
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})
        with self.app.app_context():
            self.engine = db.engine
            self.backends = Backends(self.engine)
            people = users()
        # Requests outside any app context of ours: each pushes its own (with its own g and session).
        self.clients = {
            role: (logged_in(self.app.test_client(), username, PASSWORD), ids)
            for role, (username, ids) in people.items()
        }
        self.walls: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}  # app, db seconds

    def path(self, page: Page) -> str:
        return page.path.format(**self.clients[page.role][1])

    def warm(self, page: Page, n: int) -> None:
        client = self.clients[page.role][0]
        for _ in range(n):  # the templates, the plans, the caches
            status = client.get(self.path(page)).status_code
            if status != 200:
                raise RuntimeError(f"{page.label}: {self.path(page)} answered {status}")

    def run(self, page: Page, n: int) -> None:
        client, path = self.clients[page.role][0], self.path(page)
        walls = self.walls.setdefault(page.label, [])
        spent = self.cpu.setdefault(page.label, [0.0, 0.0])
        db_before, app_before = self.backends.seconds(), time.process_time()
        for _ in range(n):
            began = time.perf_counter()
            client.get(path)
            walls.append((time.perf_counter() - began) * 1000)
        spent[0] += time.process_time() - app_before
        spent[1] += _spent(db_before, self.backends.seconds())

    def figures(self, page: Page) -> dict:
        walls, (app_cpu, db_cpu) = self.walls[page.label], self.cpu[page.label]
        return {
            "p50": round(pystats.median(walls), 1),
            "p95": round(pct(walls, 95), 1),
            "cpu_app_ms": round(app_cpu * 1000 / len(walls), 2),
            "cpu_db_ms": round(db_cpu * 1000 / len(walls), 2),
        }


def measure_both(small_url: str, large_url: str, requests: int, rounds: int = 10, log=print):
    """Per page label on each database: wall p50/p95 ms and app/db CPU ms per request. The two are
    measured in turns (``rounds`` of ``requests / rounds`` each, the order swapped every round),
    so that the machine's drift — a shared VM's speed changes by tens of percent within minutes —
    falls on both alike."""
    sides = [Side(small_url), Side(large_url)]
    each = max(1, requests // rounds)
    for page in PAGES:
        present = [side for side in sides if page.role in side.clients]
        for side in present:
            side.warm(page, max(3, requests // 10))
        for r in range(rounds):
            for side in present if r % 2 == 0 else present[::-1]:
                side.run(page, each)
        log(f"  {page.label}: " + " | ".join(str(side.figures(page)) for side in present))
    out = tuple({p.label: side.figures(p) for p in PAGES if p.label in side.walls} for side in sides)
    for side in sides:
        side.engine.dispose()
    return out


def measure(url: str, requests: int, log=print) -> dict[str, dict]:
    """Per page label: wall p50/p95 ms and app/db CPU ms per request, on one database."""
    side = Side(url)
    for page in PAGES:
        if page.role in side.clients:
            side.warm(page, max(3, requests // 10))
            side.run(page, requests)
            log(f"  {page.label}: {side.figures(page)}")
    side.engine.dispose()
    return {p.label: side.figures(p) for p in PAGES if p.label in side.walls}


def compare(small: dict[str, dict], large: dict[str, dict]) -> list[dict]:
    """One row per page: both scales side by side, the CPU ratio, and whether each target is met."""
    rows = []
    for page in PAGES:
        if page.label not in large:
            continue
        a, b = small.get(page.label), large[page.label]
        cpu_large = b["cpu_app_ms"] + b["cpu_db_ms"]
        row = {
            "page": page.label,
            "small_p95": a["p95"] if a else None,
            "large_p50": b["p50"],
            "large_p95": b["p95"],
            "target_p95": page.target_ms or None,
            "small_cpu_ms": round(a["cpu_app_ms"] + a["cpu_db_ms"], 2) if a else None,
            "large_cpu_ms": round(cpu_large, 2),
            "large_cpu_app_db": f"{b['cpu_app_ms']} + {b['cpu_db_ms']}",
        }
        if a and page.same_scope:
            row["cpu_ratio"] = round(cpu_large / max(row["small_cpu_ms"], 0.01), 2)
        met = [not page.target_ms or b["p95"] <= page.target_ms]
        if "cpu_ratio" in row and page.key:
            met.append(row["cpu_ratio"] <= GROWTH)
        row["met"] = all(met)
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", help="PostgreSQL URL of a generated district (scale 1)")
    parser.add_argument("--large", help="PostgreSQL URL of a generated city (scale 10)")
    parser.add_argument("--small-scale", type=float, default=1.0, help="scale generated when --small is not given")
    parser.add_argument("--large-scale", type=float, default=10.0, help="scale generated when --large is not given")
    parser.add_argument("--large-districts", type=int, help="districts of the generated city (default: its scale)")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    from bench.generate import throwaway_district

    with ExitStack() as stack:
        small = args.small or stack.enter_context(throwaway_district(args.small_scale))
        large = args.large or stack.enter_context(throwaway_district(args.large_scale, args.large_districts))
        at_small, at_large = measure_both(small, large, args.requests)
    rows = compare(at_small, at_large)
    for row in rows:
        print(row)
    results.save(
        "scale",
        rows,
        {"small": args.small_scale, "large": args.large_scale, "requests": args.requests, "db": "postgresql"},
    )
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
