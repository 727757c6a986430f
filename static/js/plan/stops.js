// How a stop of the plan is shown wherever it is (the plan page, the home page's card): its colour,
// the reasons it is on the plan, and where its form opens.

import { fill } from "../ui.js";

export const KIND = ["overdue", "recheck", "campaign", "due", "rest"];

export function captureHref(stop) {
  return stop.draft ? "/capture?record=" + stop.draft : "/capture?enterprise=" + stop.id;
}

export function reasons(T, stop) {
  const out = [];
  const open = stop.rechecks.filter((h) => !h.done);
  if (open.some((h) => h.overdue)) { out.push([T.overdue_recheck, "overdue"]); } else if (open.length) { out.push([T.recheck, "due"]); }
  if (stop.campaign && stop.due) { out.push([fill(T.campaign, { name: stop.campaign }), ""]); }
  if (stop.due) { out.push([stop.last ? T.due : T.never, stop.last ? "due" : "overdue"]); } else if (!open.length) { out.push([T.rest, "status-active"]); }
  if (stop.risk) { out.push([T["risk_" + stop.risk] || stop.risk, "risk-" + stop.risk]); }
  if (stop.pinned) { out.push([T.pinned, "ok"]); }
  return out;
}
