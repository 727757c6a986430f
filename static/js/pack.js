// The offline data pack in IndexedDB, one database per user on this phone
// ("fieldapp-<user id>"), so a second user on a shared phone never sees the first's.
// Refreshed by delta (since-cursor + ETag) whenever a page loads online; the time of the
// last refresh is shown wherever [data-pack-status] appears.
(function () {
  "use strict";
  var userMeta = document.querySelector("meta[name=fieldapp-user]");
  if (!userMeta || !window.indexedDB || !window.fieldappStore ||
      !document.querySelector("meta[name=fieldapp-pack]")) { return; }
  var REFRESH_AFTER_MS = 5 * 60 * 1000;

  var store = window.fieldappStore;
  var uid = userMeta.content;

  function open() { return store.open(uid); }

  function done(tx) { return store.done(tx); }

  function getMeta(db) {
    return new Promise(function (resolve) {
      var tx = db.transaction("meta", "readonly");
      var request = tx.objectStore("meta").get("pack");
      request.onsuccess = function () { resolve(request.result || {}); };
      request.onerror = function () { resolve({}); };
    });
  }

  function count(db) {
    return new Promise(function (resolve) {
      var request = db.transaction("enterprises", "readonly").objectStore("enterprises").count();
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(0); };
    });
  }

  function apply(db, pack, etag, meta) {
    var tx = db.transaction(["meta", "enterprises", "templates"], "readwrite");
    var enterprises = tx.objectStore("enterprises");
    var templates = tx.objectStore("templates");
    if (pack.full) { enterprises.clear(); }
    pack.enterprises.forEach(function (e) { enterprises.put(e); });
    // Whatever left the inspector's scope leaves the phone.
    var keep = {};
    pack.enterprise_ids.forEach(function (id) { keep[id] = true; });
    enterprises.openKeyCursor().onsuccess = function (event) {
      var cursor = event.target.result;
      if (!cursor) { return; }
      if (!keep[cursor.primaryKey]) { enterprises.delete(cursor.primaryKey); }
      cursor.continue();
    };
    templates.clear();
    pack.templates.forEach(function (t) { templates.put(t); });
    meta.cursor = pack.cursor;
    meta.me = pack.me;
    meta.recused = pack.recused;
    meta.rechecks = pack.rechecks;
    meta.etag = etag;
    meta.refreshedAt = new Date().toISOString();
    tx.objectStore("meta").put(meta, "pack");
    return done(tx);
  }

  function show(db) {
    var targets = document.querySelectorAll("[data-pack-status]");
    if (!targets.length) { return Promise.resolve(); }
    return Promise.all([getMeta(db), count(db)]).then(function (parts) {
      var meta = parts[0];
      var text = meta.refreshedAt
        ? targets[0].getAttribute("data-template")
            .replace("{n}", parts[1])
            .replace("{time}", window.fieldappUi ? window.fieldappUi.when(meta.refreshedAt) : meta.refreshedAt)
        : targets[0].getAttribute("data-empty");
      Array.prototype.forEach.call(targets, function (el) { el.textContent = text; });
    });
  }

  function refresh(db, force) {
    return getMeta(db).then(function (meta) {
      var fresh = meta.checkedAt && (Date.now() - Date.parse(meta.checkedAt) < REFRESH_AFTER_MS);
      if (!navigator.onLine || (fresh && !force)) { return null; }
      var url = "/api/v1/pack" + (meta.cursor ? "?since=" + encodeURIComponent(meta.cursor) : "");
      var headers = meta.etag ? { "If-None-Match": meta.etag } : {};
      return fetch(url, { headers: headers, credentials: "same-origin" }).then(function (response) {
        meta.checkedAt = new Date().toISOString();
        if (response.status < 500) { document.dispatchEvent(new CustomEvent("fieldapp:reachable")); }
        if (response.status === 304) {
          var tx = db.transaction("meta", "readwrite");
          tx.objectStore("meta").put(meta, "pack");
          return done(tx);
        }
        if (response.status === 422 && meta.cursor) {  // a cursor the server refuses: start over
          return refreshFull(db);
        }
        if (!response.ok) { return null; }
        return response.json().then(function (pack) { return apply(db, pack, response.headers.get("ETag"), meta); });
      });
    });
  }

  function refreshFull(db) {
    var tx = db.transaction("meta", "readwrite");
    tx.objectStore("meta").delete("pack");
    return done(tx).then(function () { return refresh(db, true); });
  }

  // Logging out takes the pack (enterprise contacts) off a phone others may use, and
  // forgets who is on the phone. Unsent work (records, media) is never cleared here:
  // it waits, unseen by anyone else, until the same user logs in again.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("action") !== "/logout" || form.dataset.cleared === "1") { return; }
    event.preventDefault();
    open().then(function (db) {
      var tx = db.transaction(["meta", "enterprises", "templates"], "readwrite");
      ["meta", "enterprises", "templates"].forEach(function (name) { tx.objectStore(name).clear(); });
      return done(tx).then(function () { return store.setCurrentUser(null); });
    }).catch(function () { return null; }).then(function () {
      form.dataset.cleared = "1";
      form.submit();
    });
  }, true);

  window.fieldappPack = { dbName: "fieldapp-" + uid, refresh: function () {
    return open().then(function (db) { return refresh(db, true).then(function () { return show(db); }); });
  } };
  store.setCurrentUser(uid).catch(function () { return null; });
  open().then(function (db) {
    // Where the pack's state is shown (home, patrol), always revalidate: a 304 costs little.
    var here = !!document.querySelector("[data-pack-status]");
    return show(db).then(function () { return refresh(db, here); }).then(function () { return show(db); });
  }).catch(function () { /* no IndexedDB (private mode): the online pages still work */ });
})();
