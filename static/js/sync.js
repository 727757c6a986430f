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
(function (scope) {
  "use strict";
  var store = scope.fieldappStore;
  var MAX_BACKOFF_MS = 2 * 60 * 1000;
  // How long to wait for an answer before giving up and retrying later. A page may set
  // fieldappSyncTimeouts first to shorten them (the fault tests do).
  var TIMEOUTS = scope.fieldappSyncTimeouts || {};
  var MEDIA_TIMEOUT_MS = TIMEOUTS.media || 120000;
  var RECORD_TIMEOUT_MS = TIMEOUTS.record || 60000;
  // A batch holds at most this many bytes and uploads (the server takes at most 12).
  var BATCH_BYTES = 4 * 1024 * 1024;
  var BATCH_COUNT = 12;
  var ONE_BY_ONE_MS = 30 * 60 * 1000;
  var channel = scope.BroadcastChannel ? new scope.BroadcastChannel("fieldapp-outbox") : null;

  function Transient(message) { this.message = message; }  // offline | unreachable | timeout | HTTP nnn
  function LoggedOut() { this.message = "401"; }

  function announce(uid) { if (channel) { channel.postMessage({ type: "changed", uid: String(uid) }); } }

  function getState(db) {
    return store.get(db, "meta", "sync").then(function (s) { return s || { failures: 0 }; });
  }

  function setState(db, state) { return store.put(db, "meta", state, "sync"); }

  function send(url, options, timeoutMs) {
    var controller = new AbortController();
    var timedOut = false;
    var timer = setTimeout(function () { timedOut = true; controller.abort(); }, timeoutMs);
    options.signal = controller.signal;
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      clearTimeout(timer);
      return response;
    }, function () {
      clearTimeout(timer);
      throw new Transient(timedOut ? "timeout" : scope.navigator.onLine === false ? "offline" : "unreachable");
    });
  }

  // What the server said, in its words (its messages are already in the user's language).
  function explain(response) {
    return response.json().then(function (body) {
      var fields = body.fields ? Object.keys(body.fields).map(function (k) {
        var v = body.fields[k];
        return typeof v === "string" ? v : JSON.stringify(v);
      }) : [];
      return [body.message || ("HTTP " + response.status)].concat(fields).join(" ");
    }, function () { return "HTTP " + response.status; });
  }

  function check(response) {
    if (response.ok) { return Promise.resolve(response); }
    if (response.status === 401) { return Promise.reject(new LoggedOut()); }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return Promise.reject(new Transient("HTTP " + response.status));
    }
    return explain(response).then(function (message) {
      var error = new Error(message);
      error.status = response.status;
      throw error;
    });
  }

  function token() {
    return send("/api/v1/me", { headers: { Accept: "application/json" } }, RECORD_TIMEOUT_MS)
      .then(check).then(function (r) { return r.json(); }).then(function (me) { return me; });
  }

  function update(db, record, changes) {
    Object.keys(changes).forEach(function (k) { record[k] = changes[k]; });
    record.updated_at = new Date().toISOString();
    return store.put(db, "records", record);
  }

  function uploadMedia(db, item, csrf) {
    return send("/api/v1/media/" + item.uuid, {
      method: "PUT", body: item.blob,
      headers: { "Content-Type": item.type || "application/octet-stream", "X-Content-SHA256": item.sha256,
                 "X-CSRFToken": csrf }
    }, MEDIA_TIMEOUT_MS).then(check).then(function () {
      item.uploaded = true;
      return store.put(db, "media", item);
    });
  }

  function uploadBatch(db, items, csrf) {
    var form = new FormData();
    form.append("manifest", JSON.stringify(items.map(function (item) {
      return { uuid: item.uuid, sha256: item.sha256 };
    })));
    items.forEach(function (item) { form.append(item.uuid, item.blob, item.uuid); });
    return send("/api/v1/media", { method: "POST", body: form, headers: { "X-CSRFToken": csrf } },
                MEDIA_TIMEOUT_MS).then(check).catch(function (error) {
      if (error instanceof Transient) { error.batch = true; }  // the network took the request and failed it
      throw error;
    }).then(function () {
      var tx = db.transaction("media", "readwrite");
      items.forEach(function (item) { item.uploaded = true; tx.objectStore("media").put(item); });
      return store.done(tx);
    });
  }

  // The media not yet on the server, in requests: batches up to BATCH_BYTES / BATCH_COUNT (a
  // bigger photo alone), or each alone while the network has been failing.
  function batches(media, oneByOne) {
    var out = [];
    var bytes = 0;
    media.filter(function (item) { return !item.uploaded; }).forEach(function (item) {
      var size = item.blob ? item.blob.size : 0;
      var last = out[out.length - 1];
      if (oneByOne || !last || last.length >= BATCH_COUNT || bytes + size > BATCH_BYTES) {
        out.push([item]);
        bytes = size;
      } else {
        last.push(item);
        bytes += size;
      }
    });
    return out;
  }

  function sendRecord(db, record, csrf, oneByOne) {
    return store.mediaOf(db, record.uuid).then(function (media) {
      var chain = Promise.resolve();
      batches(media, oneByOne).forEach(function (group) {
        chain = chain.then(function () {
          return oneByOne ? uploadMedia(db, group[0], csrf) : uploadBatch(db, group, csrf);
        });
      });
      return chain;
    }).then(function () {
      var url = record.kind === "recheck" ? "/api/v1/hazards/" + record.hazard_id + "/rechecks" : "/api/v1/inspections";
      return send(url, {
        method: "POST", body: JSON.stringify(record.payload),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
      }, RECORD_TIMEOUT_MS);
    }).then(check).then(function (response) { return response.json(); }).then(function (receipt) {
      // Acknowledged: keep a receipt, drop the blobs (the server has them).
      var tx = db.transaction(["records", "media"], "readwrite");
      record.state = "synced";
      record.synced_at = new Date().toISOString();
      record.server = record.kind === "recheck"
        ? { hazard_id: receipt.hazard_id, event_id: receipt.event_id, status: receipt.status }
        : { id: receipt.id, number: receipt.number, state: receipt.state, content_hash: receipt.content_hash };
      record.last_error = "";
      tx.objectStore("records").put(record);
      var index = tx.objectStore("media").index("record");
      index.openKeyCursor(IDBKeyRange.only(record.uuid)).onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { tx.objectStore("media").delete(cursor.primaryKey); cursor.continue(); }
      };
      return store.done(tx);
    });
  }

  function due(record, manual) {
    if (record.state === "ready" || record.state === "sending") { return true; }
    return manual && record.state === "failed";
  }

  function runLocked(uid, manual) {
    return store.open(uid).then(function (db) {
      return getState(db).then(function (state) {
        var now = Date.now();
        if (!manual && state.next_at && Date.parse(state.next_at) > now) { return { result: "waiting", state: state }; }
        state.next_at = null;
        return store.getAll(db, "records").then(function (records) {
          var queue = records.filter(function (r) { return due(r, manual); })
            .sort(function (a, b) { return (a.finished_at || "").localeCompare(b.finished_at || ""); });
          if (!queue.length) {
            state.paused = false;
            return setState(db, state).then(function () { return { result: "idle", state: state }; });
          }
          var oneByOne = !!(state.one_by_one_until && Date.parse(state.one_by_one_until) > now);
          return token().then(function (me) {
            if (String(me.id) !== String(uid)) { throw new LoggedOut(); }  // someone else is logged in here
            var sent = 0;
            var failed = 0;
            var chain = Promise.resolve();
            queue.forEach(function (record) {
              chain = chain.then(function () {
                return update(db, record, { state: "sending", last_attempt_at: new Date().toISOString(),
                                            attempts: (record.attempts || 0) + 1 })
                  .then(function () { announce(uid); return sendRecord(db, record, me.csrf_token, oneByOne); })
                  .then(function () { sent += 1; }, function (error) {
                    if (error instanceof Transient || error instanceof LoggedOut) {
                      return update(db, record, { state: "ready", last_error: error.message }).then(function () {
                        throw error;
                      });
                    }
                    failed += 1;
                    return update(db, record, { state: "failed", last_error: error.message || String(error) });
                  })
                  .then(function () { announce(uid); });
              });
            });
            return chain.then(function () {
              state = { failures: 0, paused: false, last_success_at: new Date().toISOString(),
                        one_by_one_until: state.one_by_one_until };
              return setState(db, state).then(function () {
                return { result: "done", sent: sent, failed: failed, state: state };
              });
            });
          }).catch(function (error) {
            if (error instanceof LoggedOut) {
              state.paused = true;
              state.last_error = "login";
              return setState(db, state).then(function () { return { result: "login", state: state }; });
            }
            if (error instanceof Transient) {
              state.failures = (state.failures || 0) + 1;
              var wait = Math.min(MAX_BACKOFF_MS, 2000 * Math.pow(2, state.failures - 1));
              state.next_at = new Date(Date.now() + wait * (0.8 + Math.random() * 0.4)).toISOString();
              state.last_error = error.message;
              state.paused = false;
              if (error.batch && error.message !== "offline") {  // no signal at all is not a weak one
                state.one_by_one_until = new Date(Date.now() + ONE_BY_ONE_MS).toISOString();
              }
              return setState(db, state).then(function () { return { result: "retry", state: state }; });
            }
            throw error;
          });
        });
      });
    }).then(function (outcome) { announce(uid); return outcome; });
  }

  // One run at a time for this user, across tabs and the worker; a second caller is told "busy".
  // options.manual: the user asked (failed records are tried again too); options.reachable: the
  // server just answered another request, so the backoff is over. Both start the backoff afresh.
  function run(uid, options) {
    var manual = !!(options && options.manual);
    var afresh = manual || !!(options && options.reachable);
    if (!uid) { return Promise.resolve({ result: "nobody" }); }
    var go = function () {
      if (!afresh) { return runLocked(uid, false); }
      return store.open(uid).then(function (db) {
        return getState(db).then(function (state) {
          state.failures = 0;
          state.next_at = null;
          return setState(db, state);
        });
      }).then(function () { return runLocked(uid, manual); });
    };
    if (!scope.navigator.locks) { return go(); }
    return scope.navigator.locks.request("fieldapp-sync-" + uid, { ifAvailable: true }, function (lock) {
      return lock ? go() : { result: "busy" };
    });
  }

  function runForCurrentUser(options) {
    return store.currentUser().then(function (uid) { return run(uid, options); });
  }

  scope.fieldappSync = { run: run, runForCurrentUser: runForCurrentUser, MAX_BACKOFF_MS: MAX_BACKOFF_MS };
})(self);
