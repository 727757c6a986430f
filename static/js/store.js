// IndexedDB on the phone, shared by the pages and the service worker (no DOM here).
//
// One database per user ("fieldapp-<user id>"), so a second user of a shared phone never
// sees or sends the first one's work. Stores:
//   meta         the pack's cursor/ETag, the sync state
//   enterprises  the offline data pack: enterprises of the user's grids
//   templates    checklist templates
//   records      inspections recorded on the phone (drafts, ready to send, sent)
//   media        photo and signature blobs, apart from the records that name them
// Which user is on the phone is kept in a small database of its own ("fieldapp-session"),
// set by every page rendered for a logged-in user and cleared at logout.
//
// A classic script, not a module: the service worker loads it with importScripts (module
// service workers are missing from the WebViews many inspectors' phones still carry).
(function (scope) {
  "use strict";
  const VERSION = 2;

  // An IDBRequest as a promise.
  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  // A transaction's end as a promise.
  function done(tx) {
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    });
  }

  function openSession() {
    const req = scope.indexedDB.open("fieldapp-session", 1);
    req.onupgradeneeded = () => req.result.createObjectStore("session");
    return request(req);
  }

  async function currentUser() {
    const db = await openSession();
    try {
      return (await request(db.transaction("session").objectStore("session").get("user"))) || null;
    } finally {
      db.close();
    }
  }

  async function setCurrentUser(uid) {
    const db = await openSession();
    const tx = db.transaction("session", "readwrite");
    if (uid) { tx.objectStore("session").put(String(uid), "user"); } else { tx.objectStore("session").delete("user"); }
    await done(tx);
    db.close();
  }

  const opened = {};

  function upgrade(db) {
    if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta"); }
    if (!db.objectStoreNames.contains("enterprises")) { db.createObjectStore("enterprises", { keyPath: "id" }); }
    if (!db.objectStoreNames.contains("templates")) { db.createObjectStore("templates", { keyPath: "id" }); }
    if (!db.objectStoreNames.contains("records")) { db.createObjectStore("records", { keyPath: "uuid" }); }
    if (!db.objectStoreNames.contains("media")) {
      db.createObjectStore("media", { keyPath: "uuid" }).createIndex("record", "record_uuid");
    }
  }

  // The user's database, opened once per page (or worker) and shared.
  function open(uid) {
    if (!opened[uid]) {
      const req = scope.indexedDB.open("fieldapp-" + uid, VERSION);
      req.onupgradeneeded = () => upgrade(req.result);
      opened[uid] = request(req).then((db) => {
        // Another tab (or the worker) opening a newer version asks us to let go.
        db.onversionchange = () => { db.close(); delete opened[uid]; };
        return db;
      }, (error) => { delete opened[uid]; throw error; });
    }
    return opened[uid];
  }

  function get(db, store, key) {
    return request(db.transaction(store).objectStore(store).get(key));
  }

  function getAll(db, store) {
    return request(db.transaction(store).objectStore(store).getAll());
  }

  function put(db, store, value, key) {
    const tx = db.transaction(store, "readwrite");
    if (key === undefined) { tx.objectStore(store).put(value); } else { tx.objectStore(store).put(value, key); }
    return done(tx);
  }

  function mediaOf(db, recordUuid) {
    return request(db.transaction("media").objectStore("media").index("record").getAll(recordUuid));
  }

  // Unsent work: drafts and finished records the server has not acknowledged.
  function isPending(record) { return record.state !== "synced"; }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, (x) => (x + 0x100).toString(16).slice(1)).join("");
  }

  function uuid4() {
    if (scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    const b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = hex(b);
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  async function sha256Hex(buffer) {
    return hex(new Uint8Array(await scope.crypto.subtle.digest("SHA-256", buffer)));
  }

  // A photo or signature for a record: kept as bytes with their SHA-256, sent later by sync.js.
  async function putMedia(db, recordUuid, blob, kind) {
    const buffer = await blob.arrayBuffer();
    const type = blob.type || "application/octet-stream";
    const item = { uuid: uuid4(), record_uuid: recordUuid, kind: kind, sha256: await sha256Hex(buffer), type: type,
                   size: buffer.byteLength, blob: new Blob([buffer], { type: type }),
                   created_at: new Date().toISOString(), uploaded: false };
    await put(db, "media", item);
    return item;
  }

  // Delete a record's media inside ``tx`` (a transaction on "media", read-write).
  function deleteMediaOf(tx, recordUuid) {
    tx.objectStore("media").index("record").openKeyCursor(scope.IDBKeyRange.only(recordUuid)).onsuccess = (e) => {
      const cursor = e.target.result;
      if (cursor) { tx.objectStore("media").delete(cursor.primaryKey); cursor.continue(); }
    };
  }

  // A record and its media go together (deleting a draft, or a stuck item the user gave up).
  function deleteRecord(db, recordUuid) {
    const tx = db.transaction(["records", "media"], "readwrite");
    tx.objectStore("records").delete(recordUuid);
    deleteMediaOf(tx, recordUuid);
    return done(tx);
  }

  scope.fieldappStore = {
    open, done, request, get, getAll, put, mediaOf, putMedia, deleteRecord, deleteMediaOf,
    currentUser, setCurrentUser, isPending, uuid4, sha256Hex
  };
})(typeof self !== "undefined" ? self : globalThis);
