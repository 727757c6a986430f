"""Today's plan on a mid-range phone: how long the planner (static/js/plan/planner.js) takes for a
grid of 50 and of 200 enterprises, and how long its routes are against the optimum.

    .venv/bin/python -m bench.planner [--runs 40]

Headless Chromium (Debian's) with the CPU slowed ×4 (DevTools' "mid-tier mobile" profile) runs the
module as the phone does, over synthetic grids: enterprises spread over a 6 × 6 km town, clustered
in parks half the time, risk grades and last visits drawn at random, 5 % with a re-check waiting
(a third of those overdue), 10 % a campaign's targets. Timed: `planDay` whole — priorities for every
enterprise, the day's choice, the route — for days of 8, 12 (the largest routed exactly) and 30
stops (the heuristic), p50 and p95 of ``--runs``. Route quality: the planner's route (exact up to
12) and the heuristic alone against brute force, on 400 random instances of 3 to 9 stops.

Targets (issue 34): plan ≤ 100 ms for 50 and 200 enterprises at CPU ×4; routes within 10 % of the
optimum up to 9 stops.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100
THROTTLE = 4

# Runs in the page: synthetic grids, the planner timed, the routes compared with brute force.
SCRIPT = """async ({ runs, throttled }) => {
  const P = await import("/static/js/plan/planner.js");
  const { distanceM } = await import("/static/js/capture/record.js");
  let seed = 20261206;
  const rnd = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
  const now = new Date();
  const day = (offset) => new Date(now.getTime() + offset * 86400000).toISOString().slice(0, 10);
  function grid(n) {
    const grades = ["red", "orange", "yellow", "yellow", "blue", "blue", null];
    const enterprises = [], rechecks = [];
    for (let id = 1; id <= n; id++) {
      const park = rnd() < 0.5 ? 0.02 : 0;
      const never = rnd() < 0.15;
      enterprises.push({ id, name: "企业" + id, address: "", latitude: 31.2 + park + rnd() * 0.054,
        longitude: 120.4 + park + rnd() * 0.063, risk_grade: grades[Math.floor(rnd() * grades.length)],
        campaign: rnd() < 0.1 ? "专项" : null,
        last_inspected_at: never ? null : new Date(now.getTime() - rnd() * 120 * 86400000).toISOString() });
      if (rnd() < 0.05) {
        rechecks.push({ id: 1000 + id, enterprise_id: id, deadline: day(rnd() < 0.33 ? -3 : 7) });
      }
    }
    return { enterprises, rechecks, records: [], recused: {}, now };
  }
  const rows = [];
  for (const n of [50, 200]) {
    const input = grid(n);
    for (const size of [8, 12, 30]) {
      const times = [];
      let stops = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const planned = P.planDay(input, { size, here: [31.22, 120.43] });
        times.push(performance.now() - t0);
        stops = planned.stops.length;
      }
      times.sort((a, b) => a - b);
      const at = (q) => +times[Math.floor(runs * q)].toFixed(1);
      rows.push({ measure: `plan: ${n} enterprises, day of ${size}`, stops, p50_ms: at(0.5), p95_ms: at(0.95) });
    }
  }
  if (throttled) { return rows; }
  const length = (stops, start) => {
    let sum = 0, prev = start;
    stops.forEach((s) => { if (prev) { sum += distanceM(prev, [s.lat, s.lng]); } prev = [s.lat, s.lng]; });
    return sum;
  };
  const brute = (points, start) => {
    let best = Infinity;
    const go = (rest, path) => {
      if (!rest.length) { best = Math.min(best, length(path, start)); return; }
      rest.forEach((p, i) => go([...rest.slice(0, i), ...rest.slice(i + 1)], [...path, p]));
    };
    go(points, []);
    return best;
  };
  const ratios = { route: [], heuristic: [] };
  for (let k = 0; k < 400; k++) {
    const n = 3 + (k % 7);
    const points = Array.from({ length: n }, (_, i) => ({ id: i, lat: 31.2 + rnd() * 0.054,
                                                          lng: 120.4 + rnd() * 0.063 }));
    const start = k % 2 ? [31.2 + rnd() * 0.054, 120.4 + rnd() * 0.063] : null;
    const best = brute(points, start);
    ratios.route.push(length(P.route(points, start), start) / best);
    ratios.heuristic.push(length(P.heuristicRoute(points, start), start) / best);
  }
  for (const [name, r] of Object.entries(ratios)) {
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    rows.push({ measure: `route length / optimum (${name}, 3–9 stops, 400 cases)`,
                mean: +mean.toFixed(4), worst: +Math.max(...r).toFixed(4) });
  }
  return rows;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the table is the output
        pass


def serve() -> tuple[http.server.ThreadingHTTPServer, str]:
    """The checkout's files over HTTP on loopback (ES modules are not loaded from file://)."""
    handler = functools.partial(_Quiet, directory=str(ROOT))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from bench import results
    from tests.browser.conftest import CHROMIUM_ARGS, _chromium

    httpd, base = serve()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + "/static/")
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            rows = page.evaluate(SCRIPT, {"runs": args.runs, "throttled": True})
            page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 1})
            rows += [r for r in page.evaluate(SCRIPT, {"runs": 3, "throttled": False}) if "route" in r["measure"]]
            browser.close()
    finally:
        httpd.shutdown()
    print(f"{'measure':<58}{'stops':>6}{'p50 ms':>8}{'p95 ms':>8}{'mean':>8}{'worst':>8}")
    for r in rows:
        cells = [r.get(k, "") for k in ("stops", "p50_ms", "p95_ms", "mean", "worst")]
        print(f"{r['measure']:<58}{cells[0]:>6}{cells[1]:>8}{cells[2]:>8}{cells[3]:>8}{cells[4]:>8}")
    results.save("planner", rows, {"cpu_throttle": THROTTLE, "runs": args.runs})
    slow = [r for r in rows if r.get("p95_ms", 0) > TARGET_MS and "day of 30" not in r["measure"]]
    far = [r for r in rows if r.get("worst", 1) > 1.10]
    return 1 if slow or far else 0


if __name__ == "__main__":
    sys.exit(main())
