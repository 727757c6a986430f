// The service worker. Served at /sw.js (scope /) with a generated first line that
// declares PRECACHE = {version, urls}: the version is a hash of every precached file,
// so a deploy that changes any of them installs under a new cache name.
/* global PRECACHE, fieldappStore, fieldappSync */
"use strict";

importScripts(...PRECACHE.imports);  // store.js and sync.js

const SHELL = "fieldapp-shell-" + PRECACHE.version;
// How long a page may take before the phone's own pages are shown instead: long enough for a
// slow but working link; short once a request has just failed (the link is not delivering).
const NAVIGATION_TIMEOUT_MS = 8000;
const AFTER_FAILURE_TIMEOUT_MS = 2000;
const FAILURE_MEMORY_MS = 60000;
let lastFailure = 0;
// Pages that hold no data of their own (scripts fill them from IndexedDB): served from the
// phone first, so capture opens at once in a basement with one bar of signal.
const APP_PAGES = PRECACHE.pages;  // fieldapp/web/pwa.py: APP_PAGES

// The shell is downloaded for someone signed in, and out of the way of what they are doing: the
// login page and the first page after it load first. A first install (from the login page, or a
// signed-in page) keeps an empty shell until a signed-in page, once idle, asks for it (PRECACHE
// message) — a page being opened meanwhile (开始检查 tapped as the worker installs) has the link;
// a new version installed while someone is signed in on this phone (an update: a version is
// active) fills it before it waits to take over, so the update is whole.
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    await caches.open(SHELL);
    const update = !!self.registration.active;
    if (update && await fieldappStore.currentUser().catch(() => null)) { await fillShell(); }
  })());
  // No skipWaiting() here: a new version waits until the user chooses to update, so a
  // form half filled in is never reloaded under them.
});

// What the shell lacks, fetched two at a time at low priority. cache: "reload" bypasses the HTTP
// cache, so the shell is exactly this version's files. It yields to the user: a page they open
// stops it (seen here as a navigation, or told by the page it leaves: YIELD; what is in flight is
// dropped, so the page has the link), and the next signed-in page, once idle, asks again.
let filling = null;
let stopFilling = null;
function fillShell() {
  filling = filling || (async () => {
    const stop = new AbortController();
    stopFilling = () => stop.abort();
    const cache = await caches.open(SHELL);
    const have = new Set((await cache.keys()).map((request) => new URL(request.url).pathname));
    const missing = PRECACHE.urls.filter((url) => !have.has(url));
    const fetchAll = async (queue) => {
      const worker = async () => {
        for (let url = queue.shift(); url && !stop.signal.aborted; url = queue.shift()) {
          const request = new Request(url, { cache: "reload", credentials: "omit", priority: "low" });
          const response = await fetch(request, { signal: stop.signal });
          if (response.ok) { await cache.put(url, response); }
        }
      };
      await Promise.all([worker(), worker()]);
    };
    // The pages last, once every file they load is here: a page in the shell opens whole, so
    // "开始检查" can take the shell's /capture as the sign that the phone's form is ready.
    await fetchAll(missing.filter((url) => !APP_PAGES.includes(url)));
    await fetchAll(missing.filter((url) => APP_PAGES.includes(url)));
  })().finally(() => { filling = null; stopFilling = null; });
  return filling;
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys()).filter((key) => key.startsWith("fieldapp-shell-") && key !== SHELL);
    await Promise.all(old.map((key) => caches.delete(key)));
    await self.clients.claim();
  })());
});

// The app pages were cached in the browser's language; a user who chose another one gets
// them again in theirs (the session cookie tells the server which).
async function matchLanguage(lang) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match("/offline");
  if (!cached || cached.headers.get("Content-Language") === lang) { return; }
  await Promise.all(APP_PAGES.map(async (path) => {
    const response = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    if (response.ok) { await cache.put(path, response); }
  }));
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "SKIP_WAITING") {
    self.skipWaiting();
  } else if (data.type === "PRECACHE") {
    event.waitUntil(fillShell().catch(() => null));
  } else if (data.type === "YIELD" && stopFilling) {
    stopFilling();
  } else if (data.type === "LANGUAGE" && data.lang) {
    event.waitUntil(matchLanguage(data.lang).catch(() => null));
  }
});

// Background Sync: the browser wakes the worker when the network is back, even with the
// app closed. The worker sends for whoever is logged in on this phone.
self.addEventListener("sync", (event) => {
  if (event.tag === "fieldapp-outbox") {
    event.waitUntil((async () => {
      const outcome = await fieldappSync.runForCurrentUser({});
      // Let the browser retry later when we only backed off.
      if (outcome && outcome.result === "retry") { throw new Error("retry"); }
    })());
  }
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

// A page from the server, or — with no network, or none delivering — the phone's patrol list,
// where work goes on: no "需要联网" page, and no wait when the phone already knows.
async function networkFirst(request) {
  const cache = await caches.open(SHELL);
  const fallback = async () => (await cache.match("/offline")) || Response.error();
  if (self.navigator.onLine === false) { return fallback(); }
  const recent = Date.now() - lastFailure < FAILURE_MEMORY_MS;
  try {
    const response = await withTimeout(fetch(request), recent ? AFTER_FAILURE_TIMEOUT_MS : NAVIGATION_TIMEOUT_MS);
    lastFailure = 0;
    if (recent) { wakeSync(); }  // the server answers again: send what waits
    return response;
  } catch (error) {
    lastFailure = Date.now();
    return fallback();
  }
}

// After the server came back (not the phone's network: no "online" event then), whatever waits
// in the outbox goes at once, from the worker, for whoever is logged in on this phone.
function wakeSync() {
  fieldappSync.runForCurrentUser({ reachable: true }).catch(() => null);
}

async function appPage(request, path) {
  const cache = await caches.open(SHELL);
  return (await cache.match(path)) || networkFirst(request);
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode === "navigate" && stopFilling) { stopFilling(); }  // a form posted too
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && APP_PAGES.includes(url.pathname)) {
    event.respondWith(appPage(request, url.pathname));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  }
});
