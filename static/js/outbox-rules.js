// The outbox page's decisions, as data (no DOM, no IndexedDB), so that node's test runner
// checks them (tests/js/outbox.test.mjs): how a size and a failed try are said, and what a sync
// run's outcome asks of the retry timer.
import { fill } from "./ui.js";

export function size(bytes) {
  if (bytes >= 1073741824) { return (bytes / 1073741824).toFixed(1) + " GB"; }
  if (bytes > 1048576) { return (bytes / 1048576).toFixed(1) + " MB"; }
  return Math.max(1, Math.round(bytes / 1024)) + " KB";
}

// Why a try failed, in the user's words (`t`: the page's texts): no network on the phone, a
// server that does not answer, one that answered too slowly, or one that answered with an error
// worth retrying (5xx, 408, 429). Anything else is the server's own message, shown as it came.
export function reason(t, error) {
  if (!error) { return ""; }
  if (t["why_" + error]) { return t["why_" + error]; }
  return /^HTTP 5|^HTTP 4(08|29)/.test(error) ? fill(t.why_server, { status: error.slice(5) }) : error;
}

// The retry promised on the outbox is kept: a run that ends with a retry time ahead (it backed
// off, or was asked before the time came) sets a timer for that time (at least a second away);
// only a run that leaves nothing to retry clears it; another tab's run ("busy") leaves it be.
// Returns {wait: ms}, {clear: true} or {keep: true}.
export function retryTimer(outcome, now) {
  if (!outcome || outcome.result === "busy") { return { keep: true }; }
  const next = outcome.state && outcome.state.next_at ? Date.parse(outcome.state.next_at) : 0;
  if ((outcome.result === "retry" || outcome.result === "waiting") && next) {
    return { wait: Math.max(1000, next - now) };
  }
  if (outcome.result === "done" || outcome.result === "idle") { return { clear: true }; }
  return { keep: true };
}
