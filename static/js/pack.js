// The offline data pack in IndexedDB, one database per user on this phone
// ("fieldapp-<user id>"), so a second user on a shared phone never sees the first's.
// Refreshed by delta (since-cursor + ETag) whenever a page loads online; the time of the
// last refresh is shown wherever [data-pack-status] appears.
import { when } from "./ui.js";

const REFRESH_AFTER_MS = 5 * 60 * 1000;
const userMeta = document.querySelector("meta[name=fieldapp-user]");
if (userMeta && window.indexedDB && window.fieldappStore && document.querySelector("meta[name=fieldapp-pack]")) {
  keepPack(window.fieldappStore, userMeta.content);
}

function keepPack(store, uid) {
  function open() { return store.open(uid); }

  function done(tx) { return store.done(tx); }

  function getMeta(db) {
    return new Promise(function (resolve) {
      let tx = db.transaction("meta", "readonly");
      let request = tx.objectStore("meta").get("pack");
      request.onsuccess = function () { resolve(request.result || {}); };
      request.onerror = function () { resolve({}); };
    });
  }

  function count(db) {
    return new Promise(function (resolve) {
      let request = db.transaction("enterprises", "readonly").objectStore("enterprises").count();
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { resolve(0); };
    });
  }

  function apply(db, pack, etag, meta) {
    let tx = db.transaction(["meta", "enterprises", "templates"], "readwrite");
    let enterprises = tx.objectStore("enterprises");
    let templates = tx.objectStore("templates");
    if (pack.full) { enterprises.clear(); }
    pack.enterprises.forEach(function (e) { enterprises.put(e); });
    // Whatever left the inspector's scope leaves the phone.
    let keep = {};
    pack.enterprise_ids.forEach(function (id) { keep[id] = true; });
    enterprises.openKeyCursor().onsuccess = function (event) {
      let cursor = event.target.result;
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

  async function show(db) {
    const targets = document.querySelectorAll("[data-pack-status]");
    if (!targets.length) { return; }
    const [meta, n] = await Promise.all([getMeta(db), count(db)]);
    const text = meta.refreshedAt
      ? targets[0].getAttribute("data-template")
          .replace("{n}", n)
          .replace("{time}", when(meta.refreshedAt))
      : targets[0].getAttribute("data-empty");
    for (const target of targets) { target.textContent = text; }
  }

  // Ask the server for what changed since the pack's cursor (a 304 when nothing did); ``force``:
  // even if the last check was within REFRESH_AFTER_MS.
  async function refresh(db, force) {
    const meta = await getMeta(db);
    const fresh = meta.checkedAt && (Date.now() - Date.parse(meta.checkedAt) < REFRESH_AFTER_MS);
    if (!navigator.onLine || (fresh && !force)) { return; }
    const url = "/api/v1/pack" + (meta.cursor ? "?since=" + encodeURIComponent(meta.cursor) : "");
    const headers = meta.etag ? { "If-None-Match": meta.etag } : {};
    const response = await fetch(url, { headers: headers, credentials: "same-origin" });
    meta.checkedAt = new Date().toISOString();
    if (response.status < 500) { document.dispatchEvent(new CustomEvent("fieldapp:reachable")); }
    if (response.status === 304) {
      const tx = db.transaction("meta", "readwrite");
      tx.objectStore("meta").put(meta, "pack");
      await done(tx);
    } else if (response.status === 422 && meta.cursor) {  // a cursor the server refuses: start over
      await refreshFull(db);
    } else if (response.ok) {
      await apply(db, await response.json(), response.headers.get("ETag"), meta);
      document.dispatchEvent(new CustomEvent("fieldapp:pack"));  // what reads the pack reads it again
    }
  }

  async function refreshFull(db) {
    const tx = db.transaction("meta", "readwrite");
    tx.objectStore("meta").delete("pack");
    await done(tx);
    await refresh(db, true);
  }

  // Logging out takes the pack (enterprise contacts) off a phone others may use, and
  // forgets who is on the phone. Unsent work (records, media) is never cleared here:
  // it waits, unseen by anyone else, until the same user logs in again.
  async function forget() {
    const db = await open();
    const tx = db.transaction(["meta", "enterprises", "templates"], "readwrite");
    ["meta", "enterprises", "templates"].forEach((name) => tx.objectStore(name).clear());
    await done(tx);
    await store.setCurrentUser(null);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.getAttribute("action") !== "/logout" || form.dataset.cleared === "1") { return; }
    event.preventDefault();
    forget().catch(() => null).then(() => {
      form.dataset.cleared = "1";
      form.submit();
    });
  }, true);

  // The browser tests and the outbox (after a sync that sent something) refresh the pack here.
  window.fieldappPack = {
    dbName: "fieldapp-" + uid,
    refresh: async () => {
      const db = await open();
      await refresh(db, true);
      await show(db);
    }
  };
  store.setCurrentUser(uid).catch(() => null);
  (async () => {
    const db = await open();
    // Where the pack's state is shown (home, patrol), always revalidate: a 304 costs little. The
    // download waits for the page to have loaded: on a weak link the page comes first.
    const here = !!document.querySelector("[data-pack-status]");
    await show(db);
    await loaded();
    await refresh(db, here);
    await show(db);
  })().catch(() => { /* no IndexedDB (private mode): the online pages still work */ });
}

function loaded() {
  return new Promise((resolve) => {
    if (document.readyState === "complete") { resolve(); } else { window.addEventListener("load", resolve, { once: true }); }
  });
}
