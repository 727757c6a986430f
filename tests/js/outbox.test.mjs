// The outbox page's decisions (static/js/outbox-rules.js), under node's test runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { reason, retryTimer, size } from "../../static/js/outbox-rules.js";

const T = {
  why_offline: "手机没有网络", why_unreachable: "服务器没有响应", why_timeout: "服务器响应太慢",
  why_server: "服务器出错（{status}），稍后自动重试"
};

test("a failed try is said in the user's words, a refusal in the server's", () => {
  assert.equal(reason(T, ""), "");
  assert.equal(reason(T, "offline"), "手机没有网络");
  assert.equal(reason(T, "timeout"), "服务器响应太慢");
  assert.equal(reason(T, "HTTP 503"), "服务器出错（503），稍后自动重试");
  assert.equal(reason(T, "HTTP 429"), "服务器出错（429），稍后自动重试");
  assert.equal(reason(T, "HTTP 408"), "服务器出错（408），稍后自动重试");
  assert.equal(reason(T, "HTTP 404"), "HTTP 404");  // not worth retrying: shown as it came
  assert.equal(reason(T, "企业不在您的网格内"), "企业不在您的网格内");
});

test("sizes read the way people say them", () => {
  assert.equal(size(10), "1 KB");
  assert.equal(size(350 * 1024), "350 KB");
  assert.equal(size(1048576), "1024 KB");
  assert.equal(size(5 * 1048576), "5.0 MB");
  assert.equal(size(3 * 1073741824), "3.0 GB");
});

test("the retry promised on the outbox is kept, and only an empty outbox clears it", () => {
  const now = Date.parse("2026-12-06T08:00:00Z");
  const at = (seconds) => ({ next_at: new Date(now + seconds * 1000).toISOString() });
  assert.deepEqual(retryTimer({ result: "retry", state: at(30) }, now), { wait: 30000 });
  assert.deepEqual(retryTimer({ result: "waiting", state: at(90) }, now), { wait: 90000 });
  assert.deepEqual(retryTimer({ result: "retry", state: at(-5) }, now), { wait: 1000 });  // overdue: soon, not at once
  assert.deepEqual(retryTimer({ result: "retry", state: {} }, now), { keep: true });
  assert.deepEqual(retryTimer({ result: "done" }, now), { clear: true });
  assert.deepEqual(retryTimer({ result: "idle" }, now), { clear: true });
  assert.deepEqual(retryTimer({ result: "busy", state: at(30) }, now), { keep: true });  // another tab's run
  assert.deepEqual(retryTimer({ result: "offline" }, now), { keep: true });
  assert.deepEqual(retryTimer(undefined, now), { keep: true });
});
