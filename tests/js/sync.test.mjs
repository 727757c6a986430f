// The phone's outbox sending (static/js/sync.js over static/js/store.js), under node's test runner:
// the scripts as the service worker loads them, IndexedDB from fake-indexeddb (a full
// implementation in JavaScript), and a real HTTP server on this machine that answers as the
// server's API is told to in each test — refusals, failures and timeouts included.
import { test, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import vm from "node:vm";
import "fake-indexeddb/auto";

const ROOT = new URL("../../", import.meta.url);

// The server: each test sets `answer(request, body) -> [status, json]`; every request is logged.
let answer;
let seen = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method, url: req.url, body, headers: req.headers });
    const [status, json, delayMs] = answer(req, body);
    if (status === "hang") { return; }  // never answers: the client's timeout must fire
    setTimeout(() => {  // a slow link: the answer comes after delayMs
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(json));
    }, delayMs || 0);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
after(() => {
  server.closeAllConnections();  // the unanswered ones and the client's kept-alive ones too
  server.close();
});

// The scripts' world: what a page or the worker gives them. Requests go to this test's server,
// as a page's relative URLs go to its own origin.
globalThis.self = globalThis;
globalThis.navigator = { onLine: true };
const fetchOfNode = globalThis.fetch;
globalThis.fetch = (url, options) => fetchOfNode(new URL(url, base), options);
globalThis.fieldappSyncTimeouts = { media: 400, record: 400 };
// sync.js tells the other tabs through a BroadcastChannel, which in node keeps the process alive.
globalThis.BroadcastChannel = class extends BroadcastChannel {
  constructor(name) { super(name); this.unref(); }
};
for (const script of ["static/js/store.js", "static/js/sync.js"]) {
  vm.runInThisContext(readFileSync(new URL(script, ROOT), "utf8"), { filename: script });
}
const store = globalThis.fieldappStore;
const sync = globalThis.fieldappSync;

let uid = 0;
beforeEach(() => {
  uid += 1;  // a database of its own for each test
  seen = [];
});

const ME = () => [200, { id: uid, csrf_token: "tok" }];

async function recordWithPhotos(n, extra = {}, bytes = 0) {
  const db = await store.open(uid);
  const record = { uuid: `r-${uid}-${Math.random()}`, kind: "inspection", state: "ready",
                   finished_at: new Date().toISOString(), payload: { uuid: "p" }, ...extra };
  await store.put(db, "records", record);
  for (let i = 0; i < n; i += 1) {
    const content = `photo ${i} of ${record.uuid}`.padEnd(bytes, ".");
    await store.putMedia(db, record.uuid, new Blob([content], { type: "image/jpeg" }), "photo");
  }
  return { db, record };
}

const RECEIPT = () => [201, { id: 5, number: "JC-5", state: "signed", content_hash: "h" }];
const batchSizes = () => seen.filter((r) => r.url === "/api/v1/media")
  .map((r) => JSON.parse(r.body.toString("latin1").match(/name="manifest"\r\n\r\n(.*)\r\n/)[1]).length);

test("a record's photos go in one batch, then the record; the receipt is kept, the blobs dropped", async () => {
  answer = (req) => {
    if (req.url === "/api/v1/me") { return ME(); }
    if (req.url === "/api/v1/media") { return [200, { stored: [] }]; }
    return [201, { id: 41, number: "JC-1", state: "signed", content_hash: "h" }];
  };
  const { db, record } = await recordWithPhotos(3);
  const outcome = await sync.run(uid, {});
  assert.equal(outcome.result, "done");
  assert.equal(outcome.sent, 1);
  assert.deepEqual(seen.map((r) => `${r.method} ${r.url}`),
                   ["GET /api/v1/me", "POST /api/v1/media", "POST /api/v1/inspections"]);
  assert.equal(seen[1].headers["x-csrftoken"], "tok");
  const manifest = seen[1].body.toString("latin1").match(/name="manifest"\r\n\r\n(.*)\r\n/)[1];
  assert.equal(JSON.parse(manifest).length, 3);
  const stored = await store.get(db, "records", record.uuid);
  assert.equal(stored.state, "synced");
  assert.deepEqual(stored.server, { id: 41, number: "JC-1", state: "signed", content_hash: "h" });
  assert.deepEqual(await store.mediaOf(db, record.uuid), []);
});

test("a failed batch backs off, then photos go one by one and what arrived stays acknowledged", async () => {
  let puts = 0;
  answer = (req) => {
    if (req.url === "/api/v1/me") { return ME(); }
    if (req.url === "/api/v1/media") { return [503, { error: "unavailable" }]; }
    if (req.method === "PUT") { puts += 1; return puts === 2 ? [503, {}] : [200, {}]; }
    return [201, { id: 7, number: "JC-7", state: "signed", content_hash: "h" }];
  };
  const { db, record } = await recordWithPhotos(3);
  const first = await sync.run(uid, {});
  assert.equal(first.result, "retry");
  assert.equal(first.state.last_error, "HTTP 503");
  assert.ok(Date.parse(first.state.next_at) > Date.now(), "the next try waits");
  assert.ok(Date.parse(first.state.one_by_one_until) > Date.now(), "a weak network: one by one for a while");
  assert.equal((await store.get(db, "records", record.uuid)).state, "ready");

  assert.equal((await sync.run(uid, {})).result, "waiting", "not before its time");
  assert.equal(seen.filter((r) => r.url === "/api/v1/me").length, 1);

  const second = await sync.run(uid, { manual: true });  // the user taps 同步
  assert.equal(second.result, "retry");
  const media = await store.mediaOf(db, record.uuid);
  assert.deepEqual(media.map((m) => m.uploaded).sort(), [false, false, true], "the first photo stays sent");

  const third = await sync.run(uid, { manual: true });
  assert.equal(third.result, "done");
  assert.equal(puts, 4, "each photo once more at most: the one that had arrived is not sent again");
  assert.equal((await store.get(db, "records", record.uuid)).state, "synced");
});

test("a record the server refuses is marked with its reason; the others are still sent", async () => {
  answer = (req, body) => {
    if (req.url === "/api/v1/me") { return ME(); }
    if (JSON.parse(body.toString()).uuid === "bad") {
      return [422, { error: "validation", message: "记录有误。", fields: { findings: "请填写检查情况。" } }];
    }
    return [201, { id: 9, number: "JC-9", state: "signed", content_hash: "h" }];
  };
  const bad = await recordWithPhotos(0, { payload: { uuid: "bad" }, finished_at: "2026-12-06T01:00:00Z" });
  const good = await recordWithPhotos(0, { payload: { uuid: "good" }, finished_at: "2026-12-06T02:00:00Z" });
  const outcome = await sync.run(uid, {});
  assert.equal(outcome.result, "done");
  assert.equal(outcome.sent, 1);
  assert.equal(outcome.failed, 1);
  const refused = await store.get(bad.db, "records", bad.record.uuid);
  assert.equal(refused.state, "failed");
  assert.equal(refused.last_error, "记录有误。 请填写检查情况。");
  assert.equal((await store.get(good.db, "records", good.record.uuid)).state, "synced");
  // Only the user's own tap sends a refused record again.
  assert.equal((await sync.run(uid, {})).result, "idle");
});

test("a lost login pauses sending and keeps everything; another user's session sends nothing", async () => {
  answer = () => [401, { error: "unauthorized" }];
  const { db, record } = await recordWithPhotos(1);
  const outcome = await sync.run(uid, {});
  assert.equal(outcome.result, "login");
  assert.equal(outcome.state.paused, true);
  assert.equal((await store.get(db, "records", record.uuid)).state, "ready");
  assert.equal((await store.mediaOf(db, record.uuid)).length, 1);

  answer = () => [200, { id: uid + 1000, csrf_token: "theirs" }];
  assert.equal((await sync.run(uid, { manual: true })).result, "login");
  assert.equal(seen.filter((r) => r.method === "POST").length, 0);
});

test("no answer in time is a timeout, retried later with the backoff doubling", async () => {
  answer = (req) => (req.url === "/api/v1/me" ? ME() : ["hang"]);
  const { db, record } = await recordWithPhotos(0);
  const first = await sync.run(uid, {});
  assert.equal(first.result, "retry");
  assert.equal(first.state.last_error, "timeout");
  const wait1 = Date.parse(first.state.next_at) - Date.now();
  await store.put(db, "meta", { ...first.state, next_at: null }, "sync");  // its time has come
  const second = await sync.run(uid, {});
  const wait2 = Date.parse(second.state.next_at) - Date.now();
  assert.equal(second.state.failures, 2);
  assert.ok(wait2 > wait1 * 1.2, `${wait2} ms after ${wait1} ms`);
  assert.equal((await store.get(db, "records", record.uuid)).state, "ready");
});

test("batches hold at most twelve photos or 4 MB, a bigger photo alone", () => {
  const photo = (size, uploaded = false) => ({ blob: { size }, uploaded });
  const many = Array.from({ length: 13 }, () => photo(10));
  assert.deepEqual(sync.batches(many, false).map((b) => b.length), [12, 1]);
  const big = [photo(3_000_000), photo(2_000_000), photo(5_000_000), photo(10, true)];
  assert.deepEqual(sync.batches(big, false).map((b) => b.length), [1, 1, 1]);
  assert.deepEqual(sync.batches([photo(1), photo(1)], true).map((b) => b.length), [1, 1]);
});

test("batches are sized by the link's measured throughput: half the timeout's worth at most", () => {
  // The tests' media timeout is 400 ms: at 10 kB/s a batch holds 2 kB, at 1 MB/s 200 kB.
  const photo = (size) => ({ blob: { size }, uploaded: false });
  const photos = Array.from({ length: 6 }, () => photo(1500));
  assert.deepEqual(sync.batches(photos, false, { throughput: 10_000 }).map((b) => b.length), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(sync.batches(photos, false, { throughput: 1_000_000 }).map((b) => b.length), [6]);
  // Not measured yet: up to the usual 4 MB.
  const big = Array.from({ length: 3 }, () => photo(100_000));
  assert.deepEqual(sync.batches(big, false, { throughput: 0 }).map((b) => b.length), [3]);
});

test("the throughput learnt from uploads is kept, and a slow link's big photo gets time enough", async () => {
  // A link measured at 300 kB/s: batches of 60 kB (half the tests' 400 ms timeout), so each
  // 100 kB photo goes alone, and its answer after 500 ms is waited for (three times its time).
  answer = (req) => {
    if (req.url === "/api/v1/me") { return ME(); }
    if (req.url === "/api/v1/media") { return [201, { media: [] }, 500]; }
    return RECEIPT();
  };
  const { db, record } = await recordWithPhotos(3, {}, 100_000);
  await store.put(db, "meta", { failures: 0, throughput: 300_000 }, "sync");
  const outcome = await sync.run(uid, {});
  assert.equal(outcome.result, "done", JSON.stringify(outcome.state));
  assert.deepEqual(batchSizes(), [1, 1, 1], "one photo each");
  // What the uploads measured (~200 kB/s) is averaged into what was known.
  assert.ok(outcome.state.throughput > 200_000 && outcome.state.throughput < 300_000, outcome.state.throughput);
  assert.equal((await store.get(db, "records", record.uuid)).state, "synced");
  // A fast link: the next record's photos go in one batch again.
  answer = (req) => (req.url === "/api/v1/me" ? ME() : req.url === "/api/v1/media" ? [201, { media: [] }] : RECEIPT());
  await store.put(db, "meta", { failures: 0, throughput: 5_000_000 }, "sync");
  seen = [];
  await recordWithPhotos(3, {}, 100_000);
  assert.equal((await sync.run(uid, {})).result, "done");
  assert.deepEqual(batchSizes(), [3]);
});

test("after a failed upload the phone asks what the server holds and sends only the rest", async () => {
  const { db, record } = await recordWithPhotos(3, { attempts: 1 });
  const media = await store.mediaOf(db, record.uuid);
  answer = (req, body) => {
    if (req.url === "/api/v1/me") { return ME(); }
    if (req.url === "/api/v1/media/known") {
      const asked = JSON.parse(body.toString()).media.map((m) => m.uuid);
      assert.deepEqual(asked.sort(), media.map((m) => m.uuid).sort());
      return [200, { known: [media[0].uuid, media[1].uuid] }];  // a cut batch's two whole photos
    }
    if (req.url === "/api/v1/media") { return [201, { media: [] }]; }
    return RECEIPT();
  };
  const outcome = await sync.run(uid, {});
  assert.equal(outcome.result, "done");
  assert.deepEqual(seen.map((r) => `${r.method} ${r.url}`),
                   ["GET /api/v1/me", "POST /api/v1/media/known", "POST /api/v1/media", "POST /api/v1/inspections"]);
  assert.deepEqual(batchSizes(), [1], "only the photo the cut fell in");
  assert.equal(seen[2].body.includes(Buffer.from(media[2].uuid)), true);
});
