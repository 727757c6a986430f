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
(function (scope) {
  "use strict";
  var VERSION = 2;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = tx.onabort = function () { reject(tx.error || new Error("transaction aborted")); };
    });
  }

  function openSession() {
    var req = indexedDB.open("fieldapp-session", 1);
    req.onupgradeneeded = function () { req.result.createObjectStore("session"); };
    return request(req);
  }

  function currentUser() {
    return openSession().then(function (db) {
      return request(db.transaction("session").objectStore("session").get("user")).then(function (uid) {
        db.close();
        return uid || null;
      });
    });
  }

  function setCurrentUser(uid) {
    return openSession().then(function (db) {
      var tx = db.transaction("session", "readwrite");
      if (uid) { tx.objectStore("session").put(String(uid), "user"); } else { tx.objectStore("session").delete("user"); }
      return done(tx).then(function () { db.close(); });
    });
  }

  var opened = {};

  function open(uid) {
    if (!opened[uid]) {
      var req = indexedDB.open("fieldapp-" + uid, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta"); }
        if (!db.objectStoreNames.contains("enterprises")) { db.createObjectStore("enterprises", { keyPath: "id" }); }
        if (!db.objectStoreNames.contains("templates")) { db.createObjectStore("templates", { keyPath: "id" }); }
        if (!db.objectStoreNames.contains("records")) { db.createObjectStore("records", { keyPath: "uuid" }); }
        if (!db.objectStoreNames.contains("media")) {
          db.createObjectStore("media", { keyPath: "uuid" }).createIndex("record", "record_uuid");
        }
      };
      // Another tab (or the worker) opening a newer version asks us to let go.
      opened[uid] = request(req).then(function (db) {
        db.onversionchange = function () { db.close(); delete opened[uid]; };
        return db;
      }, function (error) { delete opened[uid]; throw error; });
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
    var tx = db.transaction(store, "readwrite");
    if (key === undefined) { tx.objectStore(store).put(value); } else { tx.objectStore(store).put(value, key); }
    return done(tx);
  }

  function mediaOf(db, recordUuid) {
    return request(db.transaction("media").objectStore("media").index("record").getAll(recordUuid));
  }

  // Unsent work: drafts and finished records the server has not acknowledged.
  function isPending(record) { return record.state !== "synced"; }

  function uuid4() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var b = scope.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function sha256Hex(buffer) {
    return scope.crypto.subtle.digest("SHA-256", buffer).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (x) {
        return (x + 0x100).toString(16).slice(1);
      }).join("");
    });
  }

  // A photo or signature for a record: kept as bytes with their SHA-256, sent later by sync.js.
  function putMedia(db, recordUuid, blob, kind) {
    return blob.arrayBuffer().then(function (buffer) {
      return sha256Hex(buffer).then(function (hash) {
        var type = blob.type || "application/octet-stream";
        var item = { uuid: uuid4(), record_uuid: recordUuid, kind: kind, sha256: hash, type: type,
                     size: buffer.byteLength, blob: new Blob([buffer], { type: type }),
                     created_at: new Date().toISOString(), uploaded: false };
        return put(db, "media", item).then(function () { return item; });
      });
    });
  }

  // A record and its media go together (deleting a draft, or a stuck item the user gave up).
  function deleteRecord(db, recordUuid) {
    var tx = db.transaction(["records", "media"], "readwrite");
    tx.objectStore("records").delete(recordUuid);
    tx.objectStore("media").index("record").openKeyCursor(IDBKeyRange.only(recordUuid)).onsuccess = function (e) {
      var cursor = e.target.result;
      if (cursor) { tx.objectStore("media").delete(cursor.primaryKey); cursor.continue(); }
    };
    return done(tx);
  }

  scope.fieldappStore = {
    open: open, done: done, request: request, get: get, getAll: getAll, put: put, mediaOf: mediaOf,
    putMedia: putMedia, deleteRecord: deleteRecord,
    currentUser: currentUser, setCurrentUser: setCurrentUser, isPending: isPending,
    uuid4: uuid4, sha256Hex: sha256Hex
  };
})(self);
