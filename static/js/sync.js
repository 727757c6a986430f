// Sends the phone's finished records to the server: media first, then the record that
// names them. Media go in batches (one multipart POST of a record's photos and signature) sized
// by the throughput the phone has measured, so that a batch takes at most half its timeout: on a
// weak link a batch is one photo, and the outbox counts them as they arrive. The server keeps
// the photos of a batch that arrived whole when the connection drops, and after a failed upload
// the phone asks which it has (/api/v1/media/known) before sending the rest: a cut costs the
// photo it fell in, not the batch. For half an hour after a batch failed on the way (a timeout,
// a dropped connection, a 5xx) media go one by one (PUT by the phone's UUID with its SHA-256).
// Runs in pages and in the service worker (Background Sync), one run at a time per user across
// every tab and the worker (Web Locks). Nothing leaves IndexedDB before the server acknowledges
// it.
//
//   2xx             done: the record is marked sent, its blobs are dropped
//   401             paused: the user must log in again; everything is kept
//   409 / 422       that record failed, with the server's message shown to the user
//   network/5xx/timeout   back off: 2 s doubling (±20 %), at most 2 minutes apart while the app is
//                   open — a person waiting with the phone sees the next try soon; reset by a
//                   manual sync and by any sign the server answers again (`reachable`)
//
// Why it failed is kept (`last_error`): "offline" (the phone has no network), "unreachable" (it
// has, but the server does not answer), "timeout", or the server's HTTP status.
//
// A classic script, not a module: the service worker loads it with importScripts (see store.js).
(function (scope) {
  "use strict";
  const store = scope.fieldappStore;
  const MAX_BACKOFF_MS = 2 * 60 * 1000;
  // How long to wait for an answer before giving up and retrying later. A page may set
  // fieldappSyncTimeouts first to shorten them (the fault tests do).
  const TIMEOUTS = scope.fieldappSyncTimeouts || {};
  const MEDIA_TIMEOUT_MS = TIMEOUTS.media || 120000;
  const RECORD_TIMEOUT_MS = TIMEOUTS.record || 60000;
  // A batch holds at most this many bytes and uploads (the server takes at most 12).
  const BATCH_BYTES = 4 * 1024 * 1024;
  const BATCH_COUNT = 12;
  // Throughput is learnt from uploads of at least this size (smaller ones measure the round trip).
  const MEASURED_BYTES = 64 * 1024;
  const ONE_BY_ONE_MS = 30 * 60 * 1000;
  const channel = scope.BroadcastChannel ? new scope.BroadcastChannel("fieldapp-outbox") : null;

  class Transient extends Error {}  // offline | unreachable | timeout | HTTP nnn: try again later
  class LoggedOut extends Error { constructor() { super("401"); } }

  function announce(uid) { if (channel) { channel.postMessage({ type: "changed", uid: String(uid) }); } }

  async function getState(db) {
    return (await store.get(db, "meta", "sync")) || { failures: 0 };
  }

  function setState(db, state) { return store.put(db, "meta", state, "sync"); }

  async function send(url, options, timeoutMs) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
    try {
      return await scope.fetch(url, { ...options, signal: controller.signal, credentials: "same-origin" });
    } catch (error) {
      throw new Transient(timedOut ? "timeout" : scope.navigator.onLine === false ? "offline" : "unreachable");
    } finally {
      clearTimeout(timer);
    }
  }

  // What the server said, in its words (its messages are already in the user's language).
  async function explain(response) {
    let body;
    try {
      body = await response.json();
    } catch (error) {
      return "HTTP " + response.status;
    }
    const fields = body.fields
      ? Object.values(body.fields).map((v) => (typeof v === "string" ? v : JSON.stringify(v)))
      : [];
    return [body.message || ("HTTP " + response.status), ...fields].join(" ");
  }

  async function check(response) {
    if (response.ok) { return response; }
    if (response.status === 401) { throw new LoggedOut(); }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      throw new Transient("HTTP " + response.status);
    }
    const error = new Error(await explain(response));
    error.status = response.status;
    throw error;
  }

  async function me() {
    const response = await check(await send("/api/v1/me", { headers: { Accept: "application/json" } },
                                            RECORD_TIMEOUT_MS));
    return response.json();
  }

  function update(db, record, changes) {
    Object.assign(record, changes, { updated_at: new Date().toISOString() });
    return store.put(db, "records", record);
  }

  // How long an upload of `bytes` may take: the usual timeout, or three times what the link's
  // measured throughput says it needs (a single big photo on a very slow link).
  function mediaTimeout(link, bytes) {
    return link.throughput ? Math.max(MEDIA_TIMEOUT_MS, 3000 * bytes / link.throughput) : MEDIA_TIMEOUT_MS;
  }

  // Learn the link's throughput (bytes/s) from an upload that took `ms`; the mean with what was
  // known, so one lucky or unlucky upload does not swing it.
  function learn(link, bytes, ms) {
    if (bytes < MEASURED_BYTES || ms <= 0) { return; }
    const sample = bytes * 1000 / ms;
    link.throughput = link.throughput ? (link.throughput + sample) / 2 : sample;
  }

  async function timed(link, bytes, request) {
    const started = Date.now();
    const response = await request(mediaTimeout(link, bytes));
    learn(link, bytes, Date.now() - started);
    return response;
  }

  async function uploadMedia(db, item, csrf, link) {
    const bytes = item.blob ? item.blob.size : 0;
    await check(await timed(link, bytes, (timeout) => send("/api/v1/media/" + item.uuid, {
      method: "PUT", body: item.blob,
      headers: { "Content-Type": item.type || "application/octet-stream", "X-Content-SHA256": item.sha256,
                 "X-CSRFToken": csrf }
    }, timeout)));
    item.uploaded = true;
    await store.put(db, "media", item);
  }

  async function uploadBatch(db, items, csrf, link) {
    const form = new FormData();
    form.append("manifest", JSON.stringify(items.map((item) => ({ uuid: item.uuid, sha256: item.sha256 }))));
    items.forEach((item) => form.append(item.uuid, item.blob, item.uuid));
    const bytes = items.reduce((sum, item) => sum + (item.blob ? item.blob.size : 0), 0);
    try {
      await check(await timed(link, bytes, (timeout) => send("/api/v1/media", {
        method: "POST", body: form, headers: { "X-CSRFToken": csrf }
      }, timeout)));
    } catch (error) {
      if (error instanceof Transient) { error.batch = true; }  // the network took the request and failed it
      throw error;
    }
    await markUploaded(db, items);
  }

  async function markUploaded(db, items) {
    const tx = db.transaction("media", "readwrite");
    items.forEach((item) => { item.uploaded = true; tx.objectStore("media").put(item); });
    await store.done(tx);
  }

  // After an upload failed, the server may hold some of the media (the whole photos of a cut
  // batch, or a batch whose answer was lost): ask, and count those as sent.
  async function recall(db, media, csrf) {
    const waiting = media.filter((m) => !m.uploaded);
    if (!waiting.length) { return; }
    const response = await check(await send("/api/v1/media/known", {
      method: "POST", body: JSON.stringify({ media: waiting.map((m) => ({ uuid: m.uuid, sha256: m.sha256 })) }),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
    }, RECORD_TIMEOUT_MS));
    const known = new Set((await response.json()).known);
    const held = waiting.filter((m) => known.has(m.uuid));
    if (held.length) { await markUploaded(db, held); }
  }

  // The media not yet on the server, in requests: batches up to BATCH_COUNT uploads and
  // `limit` bytes (a bigger photo alone), or each alone while the network has been failing.
  // The limit is what the link moves in half the timeout (BATCH_BYTES at most, and until the
  // link is measured: a first batch that times out loses nothing the server kept whole).
  function batches(media, oneByOne, link) {
    const throughput = link && link.throughput;
    const limit = throughput ? Math.min(BATCH_BYTES, throughput * MEDIA_TIMEOUT_MS / 2000) : BATCH_BYTES;
    const out = [];
    let bytes = 0;
    for (const item of media.filter((m) => !m.uploaded)) {
      const size = item.blob ? item.blob.size : 0;
      const last = out[out.length - 1];
      if (oneByOne || !last || last.length >= BATCH_COUNT || bytes + size > limit) {
        out.push([item]);
        bytes = size;
      } else {
        last.push(item);
        bytes += size;
      }
    }
    return out;
  }

  async function sendRecord(db, uid, record, csrf, oneByOne, link) {
    const media = await store.mediaOf(db, record.uuid);
    if (record.attempts > 1) { await recall(db, media, csrf); }
    // Batches made one at a time: each upload may teach the link's throughput to the next.
    for (;;) {
      const group = batches(media, oneByOne, link)[0];
      if (!group) { break; }
      if (oneByOne) { await uploadMedia(db, group[0], csrf, link); } else { await uploadBatch(db, group, csrf, link); }
      announce(uid);  // the outbox counts the photos as they arrive
    }
    const url = record.kind === "recheck" ? "/api/v1/hazards/" + record.hazard_id + "/rechecks" : "/api/v1/inspections";
    const response = await check(await send(url, {
      method: "POST", body: JSON.stringify(record.payload),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
    }, RECORD_TIMEOUT_MS));
    const receipt = await response.json();
    // Acknowledged: keep a receipt, drop the blobs (the server has them).
    const tx = db.transaction(["records", "media"], "readwrite");
    record.state = "synced";
    record.synced_at = new Date().toISOString();
    record.server = record.kind === "recheck"
      ? { hazard_id: receipt.hazard_id, event_id: receipt.event_id, status: receipt.status }
      : { id: receipt.id, number: receipt.number, state: receipt.state, content_hash: receipt.content_hash };
    record.last_error = "";
    tx.objectStore("records").put(record);
    store.deleteMediaOf(tx, record.uuid);
    await store.done(tx);
  }

  function due(record, manual) {
    if (record.state === "ready" || record.state === "sending") { return true; }
    return manual && record.state === "failed";
  }

  // Send each due record, oldest first; a transient failure or a lost login stops the run
  // (thrown on), a refusal of one record marks that record and goes on.
  async function sendQueue(db, uid, queue, user, oneByOne, link) {
    let sent = 0;
    let failed = 0;
    for (const record of queue) {
      await update(db, record, { state: "sending", last_attempt_at: new Date().toISOString(),
                                 attempts: (record.attempts || 0) + 1 });
      announce(uid);
      try {
        await sendRecord(db, uid, record, user.csrf_token, oneByOne, link);
        sent += 1;
      } catch (error) {
        if (error instanceof Transient || error instanceof LoggedOut) {
          await update(db, record, { state: "ready", last_error: error.message });
          throw error;
        }
        failed += 1;
        await update(db, record, { state: "failed", last_error: error.message || String(error) });
      }
      announce(uid);
    }
    return { sent, failed };
  }

  // After a transient failure: the next try 2 s later, doubling (±20 %), at most MAX_BACKOFF_MS;
  // a batch the network took and failed sends one by one for a while.
  function backOff(state, error) {
    state.failures = (state.failures || 0) + 1;
    const wait = Math.min(MAX_BACKOFF_MS, 2000 * Math.pow(2, state.failures - 1));
    state.next_at = new Date(Date.now() + wait * (0.8 + Math.random() * 0.4)).toISOString();
    state.last_error = error.message;
    state.paused = false;
    if (error.batch && error.message !== "offline") {  // no signal at all is not a weak one
      state.one_by_one_until = new Date(Date.now() + ONE_BY_ONE_MS).toISOString();
    }
  }

  async function runLocked(uid, manual) {
    const db = await store.open(uid);
    let state = await getState(db);
    const now = Date.now();
    if (!manual && state.next_at && Date.parse(state.next_at) > now) {
      announce(uid);
      return { result: "waiting", state };
    }
    state.next_at = null;
    const queue = (await store.getAll(db, "records")).filter((r) => due(r, manual))
      .sort((a, b) => (a.finished_at || "").localeCompare(b.finished_at || ""));
    let outcome;
    if (!queue.length) {
      state.paused = false;
      outcome = { result: "idle", state };
    } else {
      const oneByOne = !!(state.one_by_one_until && Date.parse(state.one_by_one_until) > now);
      const link = { throughput: state.throughput || 0 };  // learnt as the uploads go
      try {
        const user = await me();
        if (String(user.id) !== String(uid)) { throw new LoggedOut(); }  // someone else is logged in here
        const counts = await sendQueue(db, uid, queue, user, oneByOne, link);
        state = { failures: 0, paused: false, last_success_at: new Date().toISOString(),
                  one_by_one_until: state.one_by_one_until, throughput: link.throughput };
        outcome = { result: "done", ...counts, state };
      } catch (error) {
        if (error instanceof LoggedOut) {
          state.paused = true;
          state.last_error = "login";
          outcome = { result: "login", state };
        } else if (error instanceof Transient) {
          state.throughput = link.throughput;
          backOff(state, error);
          outcome = { result: "retry", state };
        } else {
          throw error;
        }
      }
    }
    await setState(db, state);
    announce(uid);
    return outcome;
  }

  // One run at a time for this user, across tabs and the worker; a second caller is told "busy".
  // options.manual: the user asked (failed records are tried again too); options.reachable: the
  // server just answered another request, so the backoff is over. Both start the backoff afresh.
  async function run(uid, options) {
    const manual = !!(options && options.manual);
    const afresh = manual || !!(options && options.reachable);
    if (!uid) { return { result: "nobody" }; }
    const go = async () => {
      if (afresh) {
        const db = await store.open(uid);
        const state = await getState(db);
        state.failures = 0;
        state.next_at = null;
        await setState(db, state);
      }
      return runLocked(uid, manual);
    };
    const locks = scope.navigator && scope.navigator.locks;
    if (!locks) { return go(); }
    return locks.request("fieldapp-sync-" + uid, { ifAvailable: true }, (lock) => (lock ? go() : { result: "busy" }));
  }

  async function runForCurrentUser(options) {
    return run(await store.currentUser(), options);
  }

  scope.fieldappSync = { run, runForCurrentUser, MAX_BACKOFF_MS, batches };
})(typeof self !== "undefined" ? self : globalThis);
