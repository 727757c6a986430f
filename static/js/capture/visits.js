// What this phone knows of each enterprise's visits: the pack's last visit and this phone's own
// records (drafts, records waiting to sync), and whether it is due in this two-month period
// (every enterprise is visited once per period). Shared by the patrol list and today's plan.

// The first day of the two-month period (Jan–Feb, Mar–Apr, …) of `day` (local midnight).
export function periodStart(day) {
  const month = Math.floor(day.getMonth() / 2) * 2;
  return new Date(day.getFullYear(), month, 1);
}

// Enterprises with what the list shows of each: the last visit (the pack's or this phone's),
// whether it is due this period, a draft or a record waiting here.
export function rows(enterprises, records, now) {
  const start = periodStart(now).getTime();
  const local = new Map();
  records.filter((r) => r.kind !== "recheck").forEach((r) => {
    const entry = local.get(r.enterprise_id) || { draft: null, waiting: 0, last: null };
    if (r.state === "draft") { entry.draft = r; } else if (r.state !== "synced") { entry.waiting += 1; }
    if (r.state !== "draft" && (!entry.last || r.started_at > entry.last)) { entry.last = r.started_at; }
    local.set(r.enterprise_id, entry);
  });
  return enterprises.map((e) => {
    const here = local.get(e.id) || { draft: null, waiting: 0, last: null };
    const last = [e.last_inspected_at, here.last].filter(Boolean).sort().pop() || null;
    return { e, last, draft: here.draft, waiting: here.waiting,
             due: !last || new Date(last).getTime() < start };
  });
}
