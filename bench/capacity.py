"""Capacity stated as people served: an open-loop load from a usage model (issue 32, item 5).

    .venv/bin/python -m bench.capacity --url postgresql+psycopg://…/city          # a generated city
    .venv/bin/python -m bench.capacity --scale 0.05 --steps 2000,4000 --seconds 5   # throwaway, small

gunicorn (``deploy/gunicorn.conf.py``, as ``bench.load`` starts it) over PostgreSQL holding
``bench.generate``'s data. Requests arrive at a fixed rate — a Poisson process, whatever the
server's answers take (open loop: a slow server does not slow the arrivals, as real people do
not wait for each other) — in the mix of ``MODEL``: what a given number of inspectors, with the
officers, company managers and admins who work alongside them, ask of the server in the busiest
hour. The number of inspectors steps up until the p95 of a key page (its latency from when the
request was due, queueing included) passes ``KNEE_MS`` or a request fails; the last step that
held is the knee, printed as inspectors served per core of the machine (the load's clients share
it; the CPU split shows how much of it the server used).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

from bench import cpu, results
from bench.load import _gunicorn, _login, _outbox_item, _pct, admin_of, pick_users
from bench.offline import photo_bases
from tests.browser.conftest import _free_port

#: A key page's p95, from when its request was due, above which the server no longer keeps up.
KNEE_MS = 100.0
#: The numbers of inspectors stepped through (the aim: 10,000 per core).
STEPS = "10000,20000,30000,40000,45000,50000,55000,60000,70000,80000,100000,120000,160000,200000"

# --- the usage model: per inspector and working day, each figure with where it comes from -------

#: Enterprises in a grid: the issue's ~22-50, the upper end (bench.generate puts 50 in each).
GRID_ENTERPRISES = 50
#: Every enterprise at least once in every two-month period (seed 002 art. 5(8)); a two-month
#: period holds ~41 working days (~250 working days a year in China, over six periods).
VISITS = GRID_ENTERPRISES / 41  # ≈ 1.22 coverage visits a day
#: Hazards reported per visit: bench.generate's district, 150,000 hazards over 240,000 visits
#: a year — far more than a real district reports, so the load errs on the heavy side.
HAZARDS = VISITS * 150_000 / 240_000  # ≈ 0.76 a day
#: Of those, confirmed (the generator's loop: 5 % rejected, 8 % still waiting) and re-checked on
#: site within the deadline (DOMAIN.md: the inspector re-checks; one in ten fails once).
CONFIRMED = HAZARDS * 0.87
RECHECKS = CONFIRMED * 1.1
#: Officers per inspector: bench.generate's 60 to a 400-grid district.
OFFICERS = 60 / 400
#: District admins per inspector: one to a 400-grid district.
ADMINS = 1 / 400
#: The busiest hour's share of a day's requests: visits run 08:00-17:00 (bench.generate), an
#: even hour is 1/9 ≈ 11 %; doubled for the afternoon, when inspectors back in signal sync the
#: day's outbox at once. An assumption, not a measurement: the model's weakest figure.
BUSIEST_HOUR = 0.25


@dataclass(frozen=True)
class Activity:
    label: str
    role: str  # inspector or officer: whose session sends it
    kind: str  # get, sync (a record with its photos), media (photos alone), step (a hazard step)
    path: str  # formatted with the user's ids
    per_day: float  # per inspector and working day
    why: str
    key: bool = False  # a key page: its p95 decides the knee


MODEL = [
    Activity(
        "inspector home", "inspector", "get", "/", 4 + CONFIRMED, "4 a day; company managers' home per hazard", True
    ),
    Activity("patrol list", "inspector", "get", "/inspections/patrol", VISITS, "one per visit", True),
    Activity(
        "enterprise page",
        "inspector",
        "get",
        "/enterprises/{enterprise}",
        VISITS + RECHECKS,
        "per visit, re-check",
        True,
    ),
    Activity("enterprise search", "inspector", "get", "/enterprises/?q={name_part}", 2, "2 a day", True),
    Activity("offline pack", "inspector", "get", "/api/v1/pack", 1, "once a day, before setting out"),
    Activity("sync: record + 3 photos + signature", "inspector", "sync", "", VISITS, "one per visit"),
    Activity(
        "inspection page", "inspector", "get", "/inspections/{inspection}", VISITS, "the record, once synced", True
    ),
    Activity("hazard list", "inspector", "get", "/hazards/", 2, "2 a day"),
    Activity(
        "hazard page",
        "officer",
        "get",
        "/hazards/{hazard}",
        HAZARDS + RECHECKS + CONFIRMED,
        "officer's decision, re-check, company (an officer's page stands in for each)",
        True,
    ),
    Activity(
        "photos for a step", "inspector", "media", "", RECHECKS + CONFIRMED, "re-check and rectification evidence"
    ),
    Activity(
        "hazard step",
        "officer",
        "step",
        "/hazards/{pending}/confirm",
        HAZARDS + RECHECKS + CONFIRMED,
        "decision, re-check, rectification (a confirmation stands in: event, notices, trail, tallies)",
    ),
    Activity("officer queue", "officer", "get", "/hazards/?tab=to_confirm", HAZARDS, "one per report", True),
    Activity("coverage, town officer", "officer", "get", "/coverage", OFFICERS * 2, "twice an officer's day"),
    Activity("statistics, town officer", "officer", "get", "/statistics", OFFICERS * 2, "twice an officer's day"),
    Activity("coverage, district admin", "admin", "get", "/coverage", ADMINS * 3, "3 times an admin's day"),
    Activity("statistics, district admin", "admin", "get", "/statistics", ADMINS * 3, "3 times an admin's day"),
]


SYNC = next(a for a in MODEL if a.kind == "sync")


def per_inspector_hour() -> float:
    """Requests one inspector brings in the busiest hour (a sync is two: its photos, its record)."""
    return sum(a.per_day * (2 if a.kind == "sync" else 1) for a in MODEL) * BUSIEST_HOUR


# --- the load -------------------------------------------------------------------------------------


class Step:
    """One rate held for a while: each arrival's latency and status, per activity."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {a.label: [] for a in MODEL}
        self.errors: dict[str, int] = {a.label: 0 for a in MODEL}
        self.late = 0  # arrivals sent more than 10 ms after they were due (the load's own lag)


_local = threading.local()


def _connection(port: int) -> http.client.HTTPConnection:
    if getattr(_local, "conn", None) is None:
        _local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    return _local.conn


def _send(port: int, method: str, path: str, headers: dict, body=None) -> int:
    for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile: once more
        conn = _connection(port)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (http.client.HTTPException, OSError):
            conn.close()
            _local.conn = None
            if attempt == 2:
                return 599
    return 599


class Load:
    def __init__(self, port: int, by_role: dict, sync_spec: list[dict], bases: list[str], pending: dict):
        self.port, self.by_role, self.sync_spec, self.bases = port, by_role, sync_spec, bases
        self.pending = pending  # officer index -> hazard ids still waiting for a decision
        self.turn: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        self.outbox: dict[int, list] = {}
        self.media: list = []
        self.built = 0

    def prepare(self, syncs: int, batches: int) -> None:
        """Build the phones' records (each inspector's own) and photo batches before the clock
        starts: phones build them on their own CPUs."""
        each = syncs // len(self.sync_spec) + 1
        for i, spec in enumerate(self.sync_spec):
            queue = self.outbox.setdefault(i, [])
            while len(queue) < each:
                queue.append(self._item(spec))
        while len(self.media) < batches:
            self.media.append(self._item(self.sync_spec[0]))

    def _item(self, spec: dict):
        self.built += 1
        return _outbox_item({**spec, "bases": self.bases}, self.built)

    def _client(self, role: str, kind: str):
        """The next user of ``role``: each kind of request goes round them in its own turn, so the
        records (built per inspector) are drawn evenly."""
        with self.lock:
            key = (role, kind)
            i = self.turn[key] = (self.turn.get(key, -1) + 1) % len(self.by_role[role])
        return i, self.by_role[role][i]

    def run_one(self, activity: Activity, due: float, step: Step) -> None:
        late = time.perf_counter() - due
        try:
            ok = self._send(activity)
        except Exception:  # noqa: BLE001 - any failure is the step's error, counted below
            ok = False
        took = (time.perf_counter() - due) * 1000
        with step.lock:
            step.latencies[activity.label].append(took)
            step.errors[activity.label] += 0 if ok else 1
            step.late += late > 0.010

    def _send(self, activity: Activity) -> bool:
        i, client = self._client(activity.role, activity.kind)
        headers = {"Cookie": client.cookie, "X-CSRFToken": client.csrf}
        ok = True
        if activity.kind == "get":
            ok = _send(self.port, "GET", activity.path.format(**client.ids), headers) == 200
        elif activity.kind in ("sync", "media"):
            store = self.outbox[i] if activity.kind == "sync" else self.media
            # More than chance allowed for: built now (the clock runs; rare).
            _record, (batch, batch_type), body = store.pop() if store else self._item(self.sync_spec[i])
            ok = _send(self.port, "POST", "/api/v1/media", {**headers, "Content-Type": batch_type}, batch) in (200, 201)
            if activity.kind == "sync":
                status = _send(
                    self.port, "POST", "/api/v1/inspections", {**headers, "Content-Type": "application/json"}, body
                )
                ok = ok and status in (200, 201)
        else:
            hazard = self.pending[i].pop()
            deadline = date.today() + timedelta(days=15)
            form = f"level=general&deadline={deadline}&required_measures=%E9%99%90%E6%9C%9F%E6%95%B4%E6%94%B9"
            status = _send(
                self.port,
                "POST",
                f"/hazards/{hazard}/confirm",
                {**headers, "Content-Type": "application/x-www-form-urlencoded"},
                form.encode(),
            )
            ok = status in (302, 303)
        return ok


def _rates(inspectors: int) -> list[float]:
    """Arrivals per second of each activity."""
    return [a.per_day * BUSIEST_HOUR / 3600 * inspectors for a in MODEL]


def prepare(load: Load, inspectors: int, seconds: float) -> None:
    """Enough records and photo batches for a step, with room for chance."""
    expected = {a.kind: r * seconds for a, r in zip(MODEL, _rates(inspectors), strict=True)}
    load.prepare(int(expected["sync"] * 1.5) + 10, int(expected["media"] * 1.5) + 10)


def drive(load: Load, inspectors: int, seconds: float, seed: int) -> Step:
    """Arrivals for ``inspectors`` at the busiest hour's rate for ``seconds``."""
    rng = random.Random(seed)
    weights = _rates(inspectors)
    rate = sum(weights)
    step = Step()
    with ThreadPoolExecutor(max_workers=96) as pool:
        start = time.perf_counter()
        due = start
        while True:
            due += rng.expovariate(rate)
            if due - start > seconds:
                break
            activity = rng.choices(MODEL, weights)[0]
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(load.run_one, activity, due, step)
    return step


def summarise(inspectors: int, seconds: float, step: Step, spent: dict) -> dict:
    key_p95 = {a.label: _pct(step.latencies[a.label], 95) for a in MODEL if a.key and step.latencies[a.label]}
    worst = max(key_p95, key=key_p95.get)
    errors = sum(step.errors.values())
    requests_ = sum(len(v) for v in step.latencies.values())
    return {
        "inspectors": inspectors,
        "per_s": round(requests_ / seconds, 1),
        "errors": errors,
        "failed": ", ".join(f"{k} {v}" for k, v in step.errors.items() if v),
        "worst_key_page": worst,
        "worst_key_p95": round(key_p95[worst], 1),
        "sync_p95": round(_pct(step.latencies[SYNC.label], 95), 1),
        "dashboards_p95": round(
            max(
                (_pct(step.latencies[a.label], 95) for a in MODEL if "admin" in a.label and step.latencies[a.label]),
                default=0,
            ),
            1,
        ),
        "late_arrivals": step.late,
        "cpu_app": round(spent["app"] / seconds, 2),
        "cpu_db": round(spent["db"] / seconds, 2),
        "cpu_clients": round(spent["clients"] / seconds, 2),
        "held": errors == 0 and key_p95[worst] <= KNEE_MS,
    }


def _sessions(base: str, engine, n: int) -> dict[str, list]:
    """Up to n inspectors and n town officers, logged in with the ids their pages need, and a
    district's admin (on a city, the first district's)."""
    picked = pick_users(engine, n)
    admin = admin_of(engine, "district")
    out: dict[str, list] = {"admin": [_login(base, admin)]}
    for role in ("inspector", "officer"):
        out[role] = []
        for username, ids in picked[role]:
            client = _login(base, username)
            client.ids = {**ids, "username": username}
            out[role].append(client)
    return out


def _pending(engine, officers: list) -> dict[int, list[int]]:
    """Hazards waiting for a decision in each officer's town (the officers' pages pick them)."""
    out = {}
    with engine.connect() as conn:
        for i, c in enumerate(officers):
            out[i] = list(
                conn.execute(
                    sa.text(
                        "SELECT h.id FROM hazards h JOIN grids g ON g.id = h.grid_id JOIN users u ON u.username = :u "
                        "JOIN user_org_units j ON j.user_id = u.id AND j.org_unit_id = g.org_unit_id "
                        "WHERE h.status = 'reported' ORDER BY h.id"
                    ),
                    {"u": c.ids["username"]},
                ).scalars()
            )
    return out


def run(url: str, steps: list[int], seconds: float, work: Path, clients: int, log=print) -> list[dict]:
    port = _free_port()
    server = _gunicorn(url, work / "media", port, work / "gunicorn.log")
    rows = []
    try:
        base = f"http://127.0.0.1:{port}"
        engine = sa.create_engine(url)
        by_role = _sessions(base, engine, clients)
        pending = _pending(engine, by_role["officer"])
        engine.dispose()
        sync_spec = []
        for c in by_role["inspector"][:clients]:
            p = requests.get(f"{base}/api/v1/pack", headers={"Cookie": c.cookie}, timeout=120).json()
            enterprise = next(e for e in p["enterprises"] if not p["recused"].get(str(e["id"])))
            sync_spec.append({"pack": {"templates": p["templates"], "me": p["me"]}, "enterprise": enterprise})
        bases = [base64.b64encode(b).decode() for b in photo_bases(3)]
        load = Load(port, by_role, sync_spec, bases, pending)
        for n, inspectors in enumerate(steps):
            prepare(load, inspectors, seconds)
            before, own = cpu.snapshot(server.pid), time.process_time()
            step = drive(load, inspectors, seconds, seed=n)
            after = cpu.snapshot(server.pid)
            # The load's clients are this process's threads (children: none).
            after["clients"], before["clients"] = time.process_time(), own
            row = summarise(inspectors, seconds, step, {k: after[k] - before[k] for k in before})
            rows.append(row)
            log(row)
            if not row["held"]:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def knee(rows: list[dict]) -> dict:
    held = [r for r in rows if r["held"]]
    cores = os.cpu_count() or 1
    best = held[-1] if held else None
    out = {
        "inspectors": best["inspectors"] if best else 0,
        "per_core": round(best["inspectors"] / cores) if best else 0,
        "cores": cores,
        "requests_per_inspector_hour": round(per_inspector_hour(), 2),
    }
    if best:
        server_cores = best["cpu_app"] + best["cpu_db"]
        out["per_server_core"] = round(best["inspectors"] / max(server_cores, 0.01))
    if len(rows) > len(held):
        failed = rows[len(held)]
        out["limit"] = (
            f"at {failed['inspectors']} inspectors: {failed['worst_key_page']} p95 {failed['worst_key_p95']} ms, "
            f"{failed['errors']} errors; CPU app {failed['cpu_app']} + db {failed['cpu_db']} + load "
            f"{failed['cpu_clients']} of {cores} cores"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database already holding bench.generate's data")
    parser.add_argument("--scale", type=float, default=10.0, help="generated when --url is not given")
    parser.add_argument("--steps", default=STEPS, help="numbers of inspectors, in order")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16, help="users of each role whose sessions send")
    args = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench")
    work = Path(tempfile.mkdtemp(prefix="fieldapp-bench-capacity-"))
    (work / "media").mkdir()
    os.environ.setdefault("FIELDAPP_INSTANCE", str(work))
    steps = [int(s) for s in args.steps.split(",")]
    with ExitStack() as stack:
        url = args.url
        if not url:
            from bench.generate import throwaway_district

            url = stack.enter_context(throwaway_district(args.scale))
        print(f"usage model: {per_inspector_hour():.2f} requests per inspector in the busiest hour")
        rows = run(url, steps, args.seconds, work, args.clients)
    summary = knee(rows)
    print(summary)
    save(rows, summary, args.seconds, args.scale if not args.url else "given database")
    return 0


def save(rows: list[dict], summary: dict, seconds: float, data: str | float) -> None:
    results.save(
        "capacity",
        [
            *rows,
            {"inspectors": f"knee: {summary['inspectors']}", **{k: v for k, v in summary.items() if k != "inspectors"}},
        ],
        {"seconds": seconds, "scale": data, "knee_ms": KNEE_MS, "cores": summary["cores"]},
    )


if __name__ == "__main__":
    sys.exit(main())
