// Today's plan (static/js/plan/planner.js): which stops, in which order, and how good the route is.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as P from "../../static/js/plan/planner.js";
import { distanceM } from "../../static/js/capture/record.js";

const NOW = new Date(2026, 11, 6, 9, 0);  // 6 December, in the period of November–December
const ago = (days) => new Date(NOW.getTime() - days * 86400000).toISOString();

// A grid along a street: ~111 m per 0.001° of latitude.
function enterprise(id, over = {}) {
  return { id, name: "企业" + id, address: "", latitude: 31.2 + id * 0.001, longitude: 121.4, risk_grade: "yellow",
           campaign: null, last_inspected_at: ago(70), ...over };
}

function crafted() {
  return {
    enterprises: [
      enterprise(1, { last_inspected_at: ago(3) }),                       // covered this period: the rest
      enterprise(2, { risk_grade: "blue", last_inspected_at: ago(100) }),  // due, low risk
      enterprise(3, { risk_grade: "red", last_inspected_at: ago(80) }),    // due, high risk
      enterprise(4, { campaign: "危化品专项整治" }),                        // campaign target, due
      enterprise(5, { last_inspected_at: ago(5) }),                        // covered, re-check waiting
      enterprise(6, { last_inspected_at: ago(5) }),                        // covered, overdue re-check
      enterprise(7, { last_inspected_at: null, risk_grade: null }),        // never visited, ungraded
    ],
    rechecks: [
      { id: 50, enterprise_id: 5, deadline: "2026-12-20" },
      { id: 60, enterprise_id: 6, deadline: "2026-12-01" },
    ],
    now: NOW,
  };
}

test("priority: overdue re-check, re-check, campaign, due by risk × staleness, then the rest", () => {
  const ids = P.candidates(crafted()).map((s) => s.id);
  // 7: never visited, ungraded (2 × 180 = 360) > 3: red, 80 days (4 × 80 = 320) > 2: blue, 100 days (100).
  assert.deepEqual(ids, [6, 5, 4, 7, 3, 2, 1]);
  const tiers = P.candidates(crafted()).map((s) => s.tier);
  assert.deepEqual(tiers, [0, 1, 2, 3, 3, 3, 4]);
});

test("the day's size chooses by priority; the route leads with the overdue re-check", () => {
  const day = P.planDay(crafted(), { size: 4, here: [31.2, 121.4] });
  assert.deepEqual(day.stops.map((s) => s.id).sort(), [4, 5, 6, 7]);
  assert.equal(day.stops[0].id, 6);
  assert.deepEqual(day.rest.map((s) => s.id), [3, 2, 1]);
  // Legs from where the inspector stands, and their sum.
  assert.ok(Math.abs(day.stops[0].leg - distanceM([31.2, 121.4], [31.206, 121.4])) < 0.01);
  assert.ok(Math.abs(day.totalM - day.stops.reduce((s, x) => s + x.leg, 0)) < 0.01);
});

test("re-checks are in whatever the size, and an overdue one cannot be dropped", () => {
  const day = P.planDay(crafted(), { size: 1, dropped: [6, 5] });
  assert.deepEqual(day.stops.map((s) => s.id), [6]);
  assert.ok(day.rest.find((s) => s.id === 5).dropped);
  const full = P.planDay(crafted(), { size: 1 });
  assert.deepEqual(full.stops.map((s) => s.id).sort(), [5, 6]);
});

test("pin brings a stop in, drop takes one out, and the inspector's order is kept", () => {
  const pinned = P.planDay(crafted(), { size: 4, pinned: [1] });
  assert.ok(pinned.stops.some((s) => s.id === 1 && s.pinned));
  assert.ok(!pinned.stops.some((s) => s.id === 7), "the pin took the last place");
  const dropped = P.planDay(crafted(), { size: 4, dropped: [4] });
  assert.ok(!dropped.stops.some((s) => s.id === 4));
  assert.ok(dropped.stops.some((s) => s.id === 3), "the next by priority fills the place");
  const ordered = P.planDay(crafted(), { size: 4, order: [7, 5, 6, 4] });
  assert.deepEqual(ordered.stops.map((s) => s.id), [7, 5, 6, 4]);
  assert.equal(ordered.manual, true);
});

test("a visit finished today leaves the plan, and does not pull another stop in", () => {
  const input = crafted();
  input.records = [{ uuid: "r1", kind: "inspection", enterprise_id: 4, state: "ready", started_at: new Date(NOW.getTime() - 3600000).toISOString() },
                   { uuid: "r2", kind: "recheck", hazard_id: 50, state: "synced" }];
  const day = P.planDay(input, { size: 4 });
  assert.deepEqual(day.done.map((s) => s.id).sort(), [4, 5]);
  assert.deepEqual(day.stops.map((s) => s.id).sort(), [6, 7]);
});

test("recused enterprises are never planned; a stop without a position comes last, without a leg", () => {
  const input = crafted();
  input.recused = { 6: "近亲属" };
  input.enterprises[6].latitude = null;
  const day = P.planDay(input, { size: 4, here: [31.2, 121.4] });
  assert.ok(!day.stops.some((s) => s.id === 6));
  assert.equal(day.stops[day.stops.length - 1].id, 7);
  assert.equal(day.stops[day.stops.length - 1].leg, null);
});

// ---- the route against the optimum -------------------------------------------------------------

function random(seed) {
  let x = seed >>> 0;
  return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 4294967296; };
}

function length(stops, start) {
  let sum = 0, prev = start;
  stops.forEach((s) => { if (prev) { sum += distanceM(prev, [s.lat, s.lng]); } prev = [s.lat, s.lng]; });
  return sum;
}

// Every order, by Heap's algorithm over a distance table (fast enough for 9! orders).
function bruteForce(points, start) {
  const n = points.length;
  const d = points.map((a) => points.map((b) => distanceM([a.lat, a.lng], [b.lat, b.lng])));
  const s = points.map((p) => (start ? distanceM(start, [p.lat, p.lng]) : 0));
  const order = points.map((_, i) => i);
  const c = new Array(n).fill(0);
  const cost = () => { let sum = s[order[0]]; for (let i = 1; i < n; i++) { sum += d[order[i - 1]][order[i]]; } return sum; };
  let best = cost();
  for (let i = 1; i < n;) {
    if (c[i] < i) {
      const j = i % 2 ? c[i] : 0;
      [order[j], order[i]] = [order[i], order[j]];
      best = Math.min(best, cost());
      c[i] += 1;
      i = 1;
    } else {
      c[i] = 0;
      i += 1;
    }
  }
  return best;
}

function instances(seed) {
  const rnd = random(seed);
  const out = [];
  for (let n = 3; n <= 9; n++) {
    for (let k = 0; k < (n <= 7 ? 60 : 10); k++) {
      // A town of 6 × 6 km, clustered like industrial parks half the time.
      const points = Array.from({ length: n }, (_, i) => {
        const park = rnd() < 0.5 ? 0.02 : 0;
        return { id: i, lat: 31.2 + park + rnd() * 0.054, lng: 121.4 + park + rnd() * 0.063 };
      });
      out.push({ points, start: k % 2 ? [31.2 + rnd() * 0.054, 121.4 + rnd() * 0.063] : null });
    }
  }
  return out;
}

test("up to 12 stops the route is the shortest there is (against brute force up to 9)", () => {
  for (const { points, start } of instances(20261206)) {
    const got = length(P.route(points, start), start), best = bruteForce(points, start);
    assert.ok(Math.abs(got - best) <= best * 1e-9, `${got} vs ${best} (${points.length} stops)`);
  }
});

test("the heuristic for longer days is within 10 % of the optimum on small instances", () => {
  let worst = 1, cases = 0;
  for (const { points, start } of instances(7)) {
    worst = Math.max(worst, length(P.heuristicRoute(points, start), start) / bruteForce(points, start));
    cases += 1;
  }
  assert.ok(worst <= 1.10, `worst route ${worst.toFixed(3)} × optimum over ${cases} cases`);
});

test("a long day is routed by the heuristic and visits every stop once", () => {
  const rnd = random(3);
  const points = Array.from({ length: 30 }, (_, i) => ({ id: i, lat: 31.2 + rnd() * 0.05, lng: 121.4 + rnd() * 0.05 }));
  const routed = P.route(points, [31.2, 121.4]);
  assert.deepEqual(routed.map((p) => p.id).sort((a, b) => a - b), points.map((p) => p.id));
  assert.ok(length(routed, [31.2, 121.4]) <= length(P.heuristicRoute(points, [31.2, 121.4]), [31.2, 121.4]) + 1e-6);
});
