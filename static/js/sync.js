// Sends the phone's finished records to the server: media first, then the record that
// names them. Media go in batches (one multipart POST of a record's photos and signature, all
// or none) while the network behaves; for half an hour after a batch failed on the way (a
// timeout, a dropped connection, a 5xx) they go one by one (PUT by the phone's UUID with its
// SHA-256), so that a weak signal still gets each photo through and what arrived stays
// acknowledged. Runs in pages and in the service worker (Background Sync), one run at a time
// per user across every tab and the worker (Web Locks). Nothing leaves IndexedDB before the
// server acknowledges it.
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

  async function uploadMedia(db, item, csrf) {
    await check(await send("/api/v1/media/" + item.uuid, {
      method: "PUT", body: item.blob,
      headers: { "Content-Type": item.type || "application/octet-stream", "X-Content-SHA256": item.sha256,
                 "X-CSRFToken": csrf }
    }, MEDIA_TIMEOUT_MS));
    item.uploaded = true;
    await store.put(db, "media", item);
  }

  async function uploadBatch(db, items, csrf) {
    const form = new FormData();
    form.append("manifest", JSON.stringify(items.map((item) => ({ uuid: item.uuid, sha256: item.sha256 }))));
    items.forEach((item) => form.append(item.uuid, item.blob, item.uuid));
    try {
      await check(await send("/api/v1/media", { method: "POST", body: form, headers: { "X-CSRFToken": csrf } },
                             MEDIA_TIMEOUT_MS));
    } catch (error) {
      if (error instanceof Transient) { error.batch = true; }  // the network took the request and failed it
      throw error;
    }
    const tx = db.transaction("media", "readwrite");
    items.forEach((item) => { item.uploaded = true; tx.objectStore("media").put(item); });
    await store.done(tx);
  }

  // The media not yet on the server, in requests: batches up to BATCH_BYTES / BATCH_COUNT (a
  // bigger photo alone), or each alone while the network has been failing.
  function batches(media, oneByOne) {
    const out = [];
    let bytes = 0;
    for (const item of media.filter((m) => !m.uploaded)) {
      const size = item.blob ? item.blob.size : 0;
      const last = out[out.length - 1];
      if (oneByOne || !last || last.length >= BATCH_COUNT || bytes + size > BATCH_BYTES) {
        out.push([item]);
        bytes = size;
      } else {
        last.push(item);
        bytes += size;
      }
    }
    return out;
  }

  async function sendRecord(db, record, csrf, oneByOne) {
    for (const group of batches(await store.mediaOf(db, record.uuid), oneByOne)) {
      if (oneByOne) { await uploadMedia(db, group[0], csrf); } else { await uploadBatch(db, group, csrf); }
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
  async function sendQueue(db, uid, queue, user, oneByOne) {
    let sent = 0;
    let failed = 0;
    for (const record of queue) {
      await update(db, record, { state: "sending", last_attempt_at: new Date().toISOString(),
                                 attempts: (record.attempts || 0) + 1 });
      announce(uid);
      try {
        await sendRecord(db, record, user.csrf_token, oneByOne);
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
      try {
        const user = await me();
        if (String(user.id) !== String(uid)) { throw new LoggedOut(); }  // someone else is logged in here
        const counts = await sendQueue(db, uid, queue, user, oneByOne);
        state = { failures: 0, paused: false, last_success_at: new Date().toISOString(),
                  one_by_one_until: state.one_by_one_until };
        outcome = { result: "done", ...counts, state };
      } catch (error) {
        if (error instanceof LoggedOut) {
          state.paused = true;
          state.last_error = "login";
          outcome = { result: "login", state };
        } else if (error instanceof Transient) {
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
