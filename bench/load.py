"""Load benchmark: concurrent clients against gunicorn + PostgreSQL on loopback (issue 9).

    .venv/bin/python -m bench.load [--scale 1] [--clients 16] [--seconds 10]
    .venv/bin/python -m bench.load --url postgresql://…/db --no-generate   # a district already there

1. A throwaway PostgreSQL (or ``--url``) filled with ``bench.generate``'s district.
2. gunicorn with the deploy sample's settings (``deploy/gunicorn.conf.py``: one worker per
   core, four threads each) on 127.0.0.1, ``SERVER_TIMING`` on.
3. Each route in turn: ``--clients`` processes, each its own keep-alive connection and logged-in
   user of the route's role (different inspectors and officers), request it for ``--seconds``.
   The floor — ``/healthz``, the same stack answering a constant — is measured the same way,
   first and last, and for a few seconds after each route; each route's throughput is given as
   a share of the floor measured just before and after it (a shared VM's capacity drifts).
4. Sync: each client sends whole inspections as the phone's outbox does on a working network
   (3 photos and a signature in one ``POST /api/v1/media`` batch, then the record):
   inspections/s. The server is then counted: every record sent is there once, with its four
   media.

Targets on PostgreSQL, 2 cores, 16 clients: each key page server p95 <= 50 ms (dashboards
<= 150 ms) and >= 20% of the floor's throughput; the sync >= 20 inspections/s; zero errors.
Never run by the test suite.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests
import sqlalchemy as sa

from bench import cpu, results
from bench.generate import PASSWORD
from tests.browser.conftest import _free_port

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ("coverage", "statistics")
#: The floor measured again after each route, for the share of the floor nearest in time.
FLOOR_PROBE_SECONDS = 3.0


@dataclass
class Client:
    """One logged-in user's cookie and CSRF token, and the ids its pages need."""

    cookie: str = ""
    csrf: str = ""
    ids: dict = field(default_factory=dict)


@dataclass
class Route:
    label: str
    role: str  # anonymous, inspector, officer or admin
    path: str  # formatted with the client's ids; "sync" for the sync API
    target_ms: float = 50.0


ROUTES = [
    Route("floor (/healthz)", "anonymous", "/healthz", 0),
    # Not a key page: about what being signed in costs before a page's own work (the session and
    # user in one statement, their grids in a second, the user as JSON), a second reference.
    Route("signed in: /api/v1/me, two statements", "inspector", "/api/v1/me", 0),
    Route("inspector home", "inspector", "/"),
    Route("patrol list", "inspector", "/inspections/patrol"),
    Route("enterprise search", "inspector", "/enterprises/?q={name_part}"),
    Route("enterprise page", "inspector", "/enterprises/{enterprise}"),
    Route("inspection page", "inspector", "/inspections/{inspection}"),
    Route("officer queue", "officer", "/hazards/?tab=to_confirm"),
    Route("hazard page", "officer", "/hazards/{hazard}"),
    Route("coverage, town officer", "officer", "/coverage", 150),
    Route("coverage, district admin", "admin", "/coverage", 150),
    Route("statistics, town officer", "officer", "/statistics", 150),
    Route("statistics, district admin", "admin", "/statistics", 150),
    Route("sync: inspection + 3 photos + signature", "inspector", "sync", 0),
    Route("floor again", "anonymous", "/healthz", 0),
]


# --- the clients (each in its own process) ----------------------------------------------------


def _request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body=None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    timing = response.getheader("Server-Timing") or ""
    found = re.search(r"dur=([\d.]+)", timing)
    return response.status, float(found.group(1)) if found else None


def _hammer(port: int, client: Client, route: Route, start_at: float, seconds: float, sync: dict | None):
    """Requests until the time is up; (latencies ms, server ms, statuses, record uuids sent)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": client.cookie, "X-CSRFToken": client.csrf, "Connection": "keep-alive"}
    latencies, server, statuses, sent = [], [], [], []
    ready: list = []
    if sync is not None:
        # Phones build their records on their own CPUs: here they are built before the clock
        # starts, so the clients do not take the server's cores (a few to make, more on the fly).
        ready = [_outbox_item(sync, i) for i in range(sync["prebuilt"])]
    time.sleep(max(0.0, start_at - time.time()))
    stop = start_at + seconds
    index = 0
    while time.time() < stop:
        began = time.perf_counter()
        if sync is None:
            status, dur = _request(conn, "GET", route.path.format(**client.ids), headers)
            ok = status == 200
            durs = [dur]
        else:
            record, (batch, batch_type), body = ready[index] if index < len(ready) else _outbox_item(sync, index)
            index += 1
            status, dur = _request(conn, "POST", "/api/v1/media", {**headers, "Content-Type": batch_type}, batch)
            ok, durs = status in (200, 201), [dur]
            status, dur = _request(
                conn, "POST", "/api/v1/inspections", {**headers, "Content-Type": "application/json"}, body
            )
            ok, durs = ok and status in (200, 201), [*durs, dur]
            if ok:
                sent.append(record["uuid"])
        latencies.append((time.perf_counter() - began) * 1000)
        server.append(sum(d for d in durs if d is not None))
        statuses.append(200 if ok else status)
    conn.close()
    return latencies, server, statuses, sent


def _outbox_item(sync: dict, index: int) -> tuple[dict, tuple[bytes, str], bytes]:
    """One inspection as the phone's outbox sends it: the record, its media as one multipart
    batch (body and content type), the record's body."""
    from urllib3 import encode_multipart_formdata

    from bench.offline import build

    if "_bases" not in sync:
        sync["_bases"] = [base64.b64decode(b) for b in sync["bases"]]
    record, media = build(sync["pack"], sync["enterprise"], 3, sync["_bases"], index)
    parts = {"manifest": json.dumps([{"uuid": m["uuid"], "sha256": m["sha256"]} for m in media])}
    parts.update((m["uuid"], (m["uuid"], base64.b64decode(m["base64"]), m["type"])) for m in media)
    return record, encode_multipart_formdata(parts), json.dumps(record["payload"]).encode()


# --- setting up -------------------------------------------------------------------------------


def _login(base: str, username: str) -> Client:
    s = requests.Session()
    html = s.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    r = s.post(
        f"{base}/login",
        data={"login": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {r.status_code}")
    me = s.get(f"{base}/api/v1/me", timeout=30).json()
    cookie = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
    return Client(cookie=cookie, csrf=me["csrf_token"])


def admin_of(engine: sa.Engine, kind: str) -> str | None:
    """The first admin whose jurisdiction is an org unit of ``kind`` (city, district), if any."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id "
                "JOIN user_org_units j ON j.user_id = u.id JOIN org_units o ON o.id = j.org_unit_id "
                "WHERE r.role = 'admin' AND o.kind = :kind ORDER BY u.id LIMIT 1"
            ),
            {"kind": kind},
        ).scalar()


def pick_users(engine: sa.Engine, n: int) -> dict[str, list[tuple[str, dict]]]:
    """Up to n inspectors and n town officers of the district, the admin; with the ids their
    pages need (an enterprise of the inspector's grid, their last inspection, a hazard of the
    officer's town)."""
    out: dict[str, list[tuple[str, dict]]] = {"inspector": [], "officer": [], "admin": []}
    with engine.connect() as conn:
        inspectors = conn.execute(
            sa.text(
                "SELECT u.username, ig.grid_id FROM users u JOIN user_roles r ON r.user_id = u.id "
                "JOIN inspector_grids ig ON ig.user_id = u.id WHERE r.role = 'grid_inspector' "
                "ORDER BY u.id LIMIT :n"
            ),
            {"n": n},
        ).all()
        officers = conn.execute(
            sa.text(
                "SELECT u.username, j.org_unit_id FROM users u JOIN user_roles r ON r.user_id = u.id "
                "JOIN user_org_units j ON j.user_id = u.id JOIN org_units o ON o.id = j.org_unit_id "
                "WHERE r.role = 'enforcement_officer' AND o.kind = 'town' ORDER BY u.id LIMIT :n"
            ),
            {"n": n},
        ).all()
        admin = conn.execute(
            sa.text(
                "SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'admin' "
                "ORDER BY u.id LIMIT 1"
            )
        ).scalar_one()
        for username, grid_id in inspectors:
            enterprise = conn.execute(
                sa.text("SELECT id, name FROM enterprises WHERE grid_id = :g ORDER BY id LIMIT 1"), {"g": grid_id}
            ).one()
            inspection = conn.execute(
                sa.text(
                    "SELECT i.id FROM inspections i JOIN users u ON u.id = i.inspector_id WHERE u.username = :u "
                    "ORDER BY i.id DESC LIMIT 1"
                ),
                {"u": username},
            ).scalar_one()
            out["inspector"].append(
                (
                    username,
                    {"enterprise": enterprise.id, "name_part": quote(enterprise.name[2:5]), "inspection": inspection},
                )
            )
        for username, unit_id in officers:
            hazard = conn.execute(
                sa.text(
                    "SELECT h.id FROM hazards h JOIN grids g ON g.id = h.grid_id WHERE g.org_unit_id = :t "
                    "ORDER BY h.id DESC LIMIT 1"
                ),
                {"t": unit_id},
            ).scalar_one()
            out["officer"].append((username, {"hazard": hazard}))
        out["admin"].append((admin, {}))
    return out


def _clients(base: str, engine: sa.Engine, n: int) -> dict[str, list[Client]]:
    """n inspectors, n officers (as many as there are), the admin n times; logged in."""
    picked = pick_users(engine, n)
    out: dict[str, list[Client]] = {
        "anonymous": [Client() for _ in range(n)],
        "inspector": [],
        "officer": [],
        "admin": [],
    }
    for role in ("inspector", "officer"):
        for username, ids in picked[role]:
            c = _login(base, username)
            c.ids = ids
            out[role].append(c)
    admin = picked["admin"][0][0]
    for _ in range(n):
        out["admin"].append(_login(base, admin))
    for role in ("inspector", "officer"):  # fewer of them than clients: some serve twice
        out[role] += [out[role][i % len(out[role])] for i in range(n - len(out[role]))]
    return out


def _gunicorn(url: str, media: Path, port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-load",
        "MEDIA_ROOT": str(media),
        "FIELDAPP_INSTANCE": str(media.parent),
        "SERVER_TIMING": "1",
        "BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not become ready; see {log}")


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(
    url: str, clients: int, seconds: float, sync_seconds: float, media: Path, log, routes: list[Route] = ROUTES
) -> list[dict]:
    engine = sa.create_engine(url)
    port = _free_port()
    server = _gunicorn(url, media, port, media.parent / "gunicorn.log")
    rows: list[dict] = []
    try:
        base = f"http://127.0.0.1:{port}"
        by_role = _clients(base, engine, clients)
        from bench.offline import photo_bases

        sync_spec = []
        for c in by_role["inspector"]:
            p = requests.get(f"{base}/api/v1/pack", headers={"Cookie": c.cookie}, timeout=60).json()
            enterprise = next(e for e in p["enterprises"] if not p["recused"].get(str(e["id"])))
            sync_spec.append({"pack": {"templates": p["templates"], "me": p["me"]}, "enterprise": enterprise})
        bases = [base64.b64encode(b).decode() for b in photo_bases(3)]
        sent_all: list[str] = []
        floor_rps = near = None  # the first floor; the floor measured last

        def measure(pool, route: Route, duration: float) -> tuple[list, list, list, dict]:
            is_sync = route.path == "sync"
            # Enough records for ~2 inspections/s per client (the target is 20/s in all), and
            # the time to build them before the start.
            prebuilt = int(duration * 2) + 4
            start_at = time.time() + 1.5 + (prebuilt * clients * 0.012 if is_sync else 0)
            futures = [
                pool.submit(
                    _hammer,
                    port,
                    c,
                    route,
                    start_at,
                    duration,
                    {**sync_spec[i], "bases": bases, "prebuilt": prebuilt} if is_sync else None,
                )
                for i, c in enumerate(by_role[route.role][:clients])
            ]
            # CPU counted from the start: not the clients' building of their records before it.
            time.sleep(max(0.0, start_at - time.time()))
            before = cpu.snapshot(server.pid)
            latencies, server_ms, statuses = [], [], []
            for f in futures:
                lat, srv, st, sent = f.result()
                latencies += lat
                server_ms += srv
                statuses += st
                sent_all.extend(sent)
            return latencies, server_ms, statuses, cpu.per_request(before, cpu.snapshot(server.pid), len(latencies))

        with ProcessPoolExecutor(max_workers=clients) as pool:
            for route in routes:
                duration = sync_seconds if route.path == "sync" else seconds
                latencies, server_ms, statuses, spent = measure(pool, route, duration)
                rps = len(latencies) / duration
                if route.role == "anonymous":
                    floor_rps, near = floor_rps or rps, rps
                    ratio_to = floor_rps
                else:
                    # The machine's capacity drifts (a shared VM's neighbours: the floor measured first
                    # and last has differed by 45 %), so each route is compared with the floor
                    # measured just before and just after it, not with the first one.
                    probe = len(measure(pool, ROUTES[0], FLOOR_PROBE_SECONDS)[0]) / FLOOR_PROBE_SECONDS
                    ratio_to, near = (near + probe) / 2, probe
                errors = sum(1 for s in statuses if s != 200)
                row = {
                    "measure": route.label,
                    "requests": len(latencies),
                    "errors": errors,
                    "per_s": round(rps, 1),
                    "of_floor": round(rps / ratio_to * 100, 1),
                    "floor_near": round(ratio_to, 1),
                    "client_p50": round(_pct(latencies, 50), 1),
                    "client_p95": round(_pct(latencies, 95), 1),
                    "client_p99": round(_pct(latencies, 99), 1),
                    "server_p50": round(_pct(server_ms, 50), 1),
                    "server_p95": round(_pct(server_ms, 95), 1),
                    "server_p99": round(_pct(server_ms, 99), 1),
                    "target_ms": route.target_ms,
                    **spent,
                }
                if route.role == "anonymous" and rows and abs(rps / floor_rps - 1) > 0.15:
                    row["note"] = f"the floor moved {rps / floor_rps - 1:+.0%} during the run"
                rows.append(row)
                log(row)
        with engine.connect() as conn:
            sent = sa.bindparam("u", expanding=True)
            stored = conn.execute(
                sa.text(
                    "SELECT count(*), count(DISTINCT uuid), count(signature_id) FROM inspections WHERE uuid IN :u"
                ).bindparams(sent),
                {"u": sent_all or ["-"]},
            ).one()
            photos = conn.execute(
                sa.text(
                    "SELECT count(*) FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id "
                    "WHERE i.uuid IN :u"
                ).bindparams(sent),
                {"u": sent_all or ["-"]},
            ).scalar()
        lost = len(sent_all) - stored[1]
        rows.append(
            {
                "measure": "sync: counted on the server",
                "requests": len(sent_all),
                "errors": lost + (stored[0] - stored[1]) + abs(photos - 3 * len(sent_all)),
                "note": f"{stored[1]} of {len(sent_all)} acknowledged records stored ({lost} lost, "
                f"{stored[0] - stored[1]} twice), {stored[2]} signed, {photos} photos "
                f"of {3 * len(sent_all)}",
            }
        )
        log(rows[-1])
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL database to use instead of a throwaway one")
    parser.add_argument("--no-generate", action="store_true", help="the database already holds a district")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sync-seconds", type=float, default=20.0)
    parser.add_argument(
        "--sync-only", action="store_true", help="only the sync, for zero loss under load (issue 10: 50 clients, 60 s)"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="LABEL",
        help="only the routes whose label holds LABEL (and the floor); repeatable",
    )
    args = parser.parse_args()
    routes = [r for r in ROUTES if r.role == "anonymous" or r.path == "sync"] if args.sync_only else ROUTES
    if args.only:
        routes = [r for r in routes if r.role == "anonymous" or any(o in r.label for o in args.only)]
    work = Path(tempfile.mkdtemp(prefix="fieldapp-bench-load-"))
    (work / "media").mkdir()
    with ExitStack() as stack:
        url = args.url
        if not url:
            from tests import postgres

            url = stack.enter_context(postgres.throwaway_cluster())
        if not args.no_generate:
            _generate(url, args.scale, work)
        print(
            "| measure | requests | errors | req/s | % of floor (floor req/s) | client p50/p95/p99 ms | "
            "server p50/p95/p99 ms | CPU ms per request: app / PostgreSQL / clients |\n"
            "|---|---|---|---|---|---|---|---|",
            flush=True,
        )
        rows = run(url, args.clients, args.seconds, args.sync_seconds, work / "media", _print_row, routes)
    if not args.only:  # a partial run does not replace the recorded one
        results.save(
            "load-sync" if args.sync_only else "load",
            rows,
            {
                "clients": args.clients,
                "seconds": args.sync_seconds if args.sync_only else args.seconds,
                "scale": args.scale,
            },
        )
    failed = [r for r in rows if r.get("errors")]
    return 1 if failed else 0


def _print_row(row: dict) -> None:
    if "client_p50" not in row:
        print(f"| {row['measure']} | {row['requests']} | {row['errors']} | | | {row['note']} | |", flush=True)
        return
    print(
        f"| {row['measure']} | {row['requests']} | {row['errors']} | {row['per_s']} | "
        f"{row['of_floor']} ({row['floor_near']}) | "
        f"{row['client_p50']} / {row['client_p95']} / {row['client_p99']} | "
        f"{row['server_p50']} / {row['server_p95']} / {row['server_p99']} | "
        f"{row['cpu_app_ms']} / {row['cpu_db_ms']} / {row['cpu_clients_ms']} |",
        flush=True,
    )


def _generate(url: str, scale: float, work: Path) -> None:
    """Migrate and fill the database with the district."""
    os.environ.setdefault("SECRET_KEY", "bench-load")
    os.environ.setdefault("FIELDAPP_INSTANCE", str(work))
    from bench.generate import fill_district

    fill_district(url, scale, str(work / "media"))


if __name__ == "__main__":
    sys.exit(main())
