// Today's plan: which enterprises to visit today, and in which order. Pure functions over the
// offline pack (no DOM, no storage), so the plan is the same offline and online, and node's tests
// and bench/planner.py run it as the phone does.
//
// Which stops: re-checks due (rectification submitted) — overdue ones first — then special
// campaigns' targets, then enterprises due for the bimonthly visit weighted by risk grade and time
// since the last visit, then the rest, up to the day's size. Re-checks are always in, whatever the
// size, and an overdue one cannot be dropped: the plan never hides it.
//
// Which order: a route from where the inspector stands. A day is ~5–12 stops, so up to EXACT_UP_TO
// stops the route is the shortest there is (Held–Karp dynamic programming: 2^12 × 12² steps, a few
// milliseconds on a slow phone). A longer day takes nearest neighbour, then 2-opt and Or-opt
// (moving runs of one to three stops) until neither shortens it, then a few perturb-and-improve
// rounds; tests/js/planner.test.mjs holds that within 10 % of the brute-force optimum and
// bench/planner.py times both. Road routing would need a road network the phone does not have, so
// distances are straight lines, and the page says so. Overdue re-checks
// lead the route (they are late already); the other stops follow in route order.

import { localDay } from "../ui.js";
import { distanceM } from "../capture/record.js";
import { rows as visitRows } from "../capture/visits.js";

export const DEFAULT_SIZE = 8;
export const EXACT_UP_TO = 12;
export const MAX_SIZE = 30;
// The order of the tiers (lower first).
export const TIER = { OVERDUE_RECHECK: 0, RECHECK: 1, CAMPAIGN: 2, DUE: 3, REST: 4 };
// A red (重大) enterprise left as long as a blue one is four times as pressing.
export const RISK_WEIGHT = { red: 4, orange: 3, yellow: 2, blue: 1 };
const UNGRADED_WEIGHT = 2;
// Days since the last visit count up to this; never visited counts as this.
const STALE_CAP_DAYS = 180;
const DAY_MS = 86400000;

// How pressing a due visit is: risk weight × days since the last visit (capped).
export function urgency(riskGrade, last, now) {
  const weight = RISK_WEIGHT[riskGrade] || UNGRADED_WEIGHT;
  const days = last ? Math.max(0, (now - new Date(last).getTime()) / DAY_MS) : STALE_CAP_DAYS;
  return weight * Math.min(days, STALE_CAP_DAYS);
}

// Every enterprise the inspector may visit, with its tasks, tier and urgency; sorted by priority.
// `records` are this phone's; a task done on this phone today (a record, a re-check) is done.
export function candidates({ enterprises, rechecks = [], records = [], recused = {}, now = new Date() }) {
  const today = localDay(now);
  const t = now.getTime();
  const recheckDone = new Set(records.filter((r) => r.kind === "recheck" && r.state !== "draft").map((r) => r.hazard_id));
  const byEnterprise = new Map();
  rechecks.forEach((h) => {
    if (!byEnterprise.has(h.enterprise_id)) { byEnterprise.set(h.enterprise_id, []); }
    byEnterprise.get(h.enterprise_id).push({ ...h, overdue: !!h.deadline && h.deadline < today, done: recheckDone.has(h.id) });
  });
  const out = [];
  visitRows(enterprises, records, now).forEach((row) => {
    const e = row.e;
    if (recused[e.id]) { return; }
    const checks = byEnterprise.get(e.id) || [];
    const openChecks = checks.filter((h) => !h.done);
    const visitedToday = !!row.last && localDay(row.last) === today;
    let tier;
    if (openChecks.some((h) => h.overdue)) { tier = TIER.OVERDUE_RECHECK; } else if (openChecks.length) {
      tier = TIER.RECHECK;
    } else if (row.due && e.campaign) { tier = TIER.CAMPAIGN; } else if (row.due) { tier = TIER.DUE; } else { tier = TIER.REST; }
    const deadlines = openChecks.map((h) => h.deadline).filter(Boolean).sort();
    out.push({
      id: e.id, name: e.name, address: e.address, risk: e.risk_grade, campaign: e.campaign || null,
      lat: e.latitude, lng: e.longitude, last: row.last, due: row.due, draft: row.draft ? row.draft.uuid : null,
      rechecks: checks, tier, deadline: deadlines[0] || null,
      score: urgency(e.risk_grade, row.last, t),
      // Finished today: nothing left to re-check, and visited today or (re-checks done) not due.
      done: !openChecks.length && (visitedToday || (checks.length > 0 && !row.due)),
    });
  });
  return out.sort(byPriority);
}

export function byPriority(a, b) {
  if (a.tier !== b.tier) { return a.tier - b.tier; }
  if (a.tier <= TIER.RECHECK) { return (a.deadline || "9").localeCompare(b.deadline || "9") || a.id - b.id; }
  return (b.score - a.score) || a.name.localeCompare(b.name) || a.id - b.id;
}

// The day: `size` stops chosen by priority (re-checks and pinned stops always in, dropped ones
// out unless an overdue re-check), routed from `here` ([lat, lng], or null: the route starts
// wherever is shortest). `order`: the inspector's own order (ids), kept as given.
export function planDay(input, { size = DEFAULT_SIZE, pinned = [], dropped = [], order = null, here = null } = {}) {
  const all = candidates(input);
  const pinnedSet = new Set(pinned), droppedSet = new Set(dropped);
  const open = all.filter((s) => !s.done);
  const mustGo = (s) => s.tier === TIER.OVERDUE_RECHECK || (s.tier === TIER.RECHECK && !droppedSet.has(s.id));
  const chosen = open.filter((s) => mustGo(s) || (pinnedSet.has(s.id) && !droppedSet.has(s.id)));
  // The day's size counts what is done already: finishing a visit does not pull in another.
  const done = all.filter((s) => s.done);
  const room = Math.max(0, Math.min(size, MAX_SIZE) - chosen.length - done.length);
  const picked = new Set(chosen.map((s) => s.id));
  open.filter((s) => !picked.has(s.id) && !droppedSet.has(s.id)).slice(0, room).forEach((s) => {
    chosen.push(s);
    picked.add(s.id);
  });
  chosen.forEach((s) => { s.pinned = pinnedSet.has(s.id); });
  const stops = arrange(chosen, order, here);
  const legs = legsOf(stops, here);
  return {
    stops: stops.map((s, i) => ({ ...s, leg: legs[i] })),
    totalM: legs.reduce((sum, d) => sum + (d || 0), 0),
    rest: open.filter((s) => !picked.has(s.id)).map((s) => ({ ...s, dropped: droppedSet.has(s.id) })),
    done,
    manual: !!order,
  };
}

const located = (s) => s.lat != null && s.lng != null;

function arrange(chosen, order, here) {
  const noPoint = chosen.filter((s) => !located(s));
  if (order) {
    const at = new Map(order.map((id, i) => [id, i]));
    const known = chosen.filter((s) => at.has(s.id)).sort((a, b) => at.get(a.id) - at.get(b.id));
    const added = chosen.filter((s) => !at.has(s.id));
    const last = [...known].reverse().find(located);
    return [...known, ...route(added.filter(located), last ? [last.lat, last.lng] : here), ...added.filter((s) => !located(s))];
  }
  const first = chosen.filter((s) => located(s) && s.tier === TIER.OVERDUE_RECHECK);
  const then = chosen.filter((s) => located(s) && s.tier !== TIER.OVERDUE_RECHECK);
  const lead = route(first, here);
  const from = lead.length ? [lead[lead.length - 1].lat, lead[lead.length - 1].lng] : here;
  return [...lead, ...route(then, from), ...noPoint];
}

function legsOf(stops, here) {
  let prev = here;
  return stops.map((s) => {
    if (!located(s)) { return null; }
    const d = prev ? distanceM(prev, [s.lat, s.lng]) : null;
    prev = [s.lat, s.lng];
    return d;
  });
}

// ---- the route: an open path through `points` from `start` -----------------------------------

// `points`: objects with lat/lng. Returns them in route order.
export function route(points, start) {
  return withMatrix(points, start, (n, d) => (n - 1 <= EXACT_UP_TO ? shortestPath(n, d) : localSearch(n, d)));
}

// Distances between the nodes: node 0 is the start — where the inspector stands, or (no position)
// a node at distance 0 from every stop, which lets the path begin wherever is best.
function matrix(points, start) {
  const n = points.length + 1;
  const d = new Float64Array(n * n);
  for (let i = 1; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = distanceM([points[i - 1].lat, points[i - 1].lng], [points[j - 1].lat, points[j - 1].lng]);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
    const s = start ? distanceM(start, [points[i - 1].lat, points[i - 1].lng]) : 0;
    d[i] = s;
    d[i * n] = s;
  }
  return d;
}

// The same, by the heuristic whatever the number of stops (for the tests and the bench).
export function heuristicRoute(points, start) {
  return withMatrix(points, start, localSearch);
}

function withMatrix(points, start, solve) {
  if (points.length < 2) { return points.slice(); }
  const n = points.length + 1;
  const d = matrix(points, start);
  return solve(n, d).slice(1).map((i) => points[i - 1]);
}

export function pathLength(path, n, d) {
  let sum = 0;
  for (let i = 1; i < path.length; i++) { sum += d[path[i - 1] * n + path[i]]; }
  return sum;
}

function nearestNeighbour(n, d) {
  const seen = new Uint8Array(n);
  const path = [0];
  seen[0] = 1;
  for (let step = 1; step < n; step++) {
    const at = path[path.length - 1];
    let best = -1;
    for (let j = 1; j < n; j++) {
      if (!seen[j] && (best < 0 || d[at * n + j] < d[at * n + best])) { best = j; }
    }
    seen[best] = 1;
    path.push(best);
  }
  return path;
}

// Held–Karp: the shortest open path from node 0 through every node.
function shortestPath(n, d) {
  const k = n - 1, full = (1 << k) - 1;
  const cost = new Float64Array((full + 1) * k).fill(Infinity);
  const from = new Int8Array((full + 1) * k).fill(-1);
  for (let j = 0; j < k; j++) { cost[(1 << j) * k + j] = d[j + 1]; }
  for (let mask = 1; mask <= full; mask++) {
    for (let j = 0; j < k; j++) {
      const here = cost[mask * k + j];
      if (!(mask & (1 << j)) || here === Infinity) { continue; }
      for (let t = 0; t < k; t++) {
        if (mask & (1 << t)) { continue; }
        const next = mask | (1 << t), c = here + d[(j + 1) * n + t + 1];
        if (c < cost[next * k + t]) { cost[next * k + t] = c; from[next * k + t] = j; }
      }
    }
  }
  let end = 0;
  for (let j = 1; j < k; j++) { if (cost[full * k + j] < cost[full * k + end]) { end = j; } }
  const path = [];
  for (let mask = full, j = end; j >= 0;) {
    path.push(j + 1);
    const prev = from[mask * k + j];
    mask &= ~(1 << j);
    j = prev;
  }
  return [0, ...path.reverse()];
}

// Nearest neighbour, improved; then a few rounds of a random segment reversal (a "kick") and
// improvement, keeping the best — deterministic (a fixed seed), so the same pack gives the same day.
function localSearch(n, d) {
  let best = improve(nearestNeighbour(n, d), n, d);
  let bestLength = pathLength(best, n, d);
  let seed = 12345;
  const rnd = (m) => { seed = (seed * 1664525 + 1013904223) >>> 0; return 1 + (seed % m); };
  for (let round = 0; round < 12 && n > 4; round++) {
    const path = best.slice();
    const i = rnd(n - 2), k = i + rnd(n - 1 - i);
    for (let x = i, y = Math.min(k, n - 1); x < y; x++, y--) { const t = path[x]; path[x] = path[y]; path[y] = t; }
    improve(path, n, d);
    const length = pathLength(path, n, d);
    if (length < bestLength - 1e-7) { best = path; bestLength = length; }
  }
  return best;
}

// 2-opt and Or-opt on an open path whose first node stays first, until neither shortens it.
function improve(path, n, d) {
  const dist = (a, b) => (b < 0 ? 0 : d[a * n + b]);
  const m = path.length;
  let better = true;
  while (better) {
    better = false;
    // 2-opt: reverse path[i..k].
    for (let i = 1; i < m - 1; i++) {
      for (let k = i + 1; k < m; k++) {
        const a = path[i - 1], b = path[i], c = path[k], e = k + 1 < m ? path[k + 1] : -1;
        if (dist(a, c) + dist(b, e) < dist(a, b) + dist(c, e) - 1e-7) {
          for (let x = i, y = k; x < y; x++, y--) { const t = path[x]; path[x] = path[y]; path[y] = t; }
          better = true;
        }
      }
    }
    // Or-opt: move a run path[i..i+len-1] between two other neighbours (either way round).
    for (let len = 1; len <= 3 && !better; len++) {
      for (let i = 1; i + len <= m && !better; i++) {
        const p = path[i - 1], f = path[i], l = path[i + len - 1], nx = i + len < m ? path[i + len] : -1;
        const removed = dist(p, f) + dist(l, nx) - dist(p, nx);
        for (let j = 0; j < m && !better; j++) {
          if (j >= i - 1 && j < i + len) { continue; }
          const u = path[j], v = j + 1 < m ? path[j + 1] : -1;
          const forward = dist(u, f) + dist(l, v) - dist(u, v);
          const backward = dist(u, l) + dist(f, v) - dist(u, v);
          if (Math.min(forward, backward) < removed - 1e-7) {
            const run = path.splice(i, len);
            if (backward < forward) { run.reverse(); }
            const at = path.indexOf(u) + 1;
            path.splice(at, 0, ...run);
            better = true;
          }
        }
      }
    }
  }
  return path;
}
