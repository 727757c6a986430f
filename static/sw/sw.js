// The service worker. Served at /sw.js (scope /) with a generated first line that
// declares PRECACHE = {version, urls}: the version is a hash of every precached file,
// so a deploy that changes any of them installs under a new cache name.
/* global PRECACHE */
"use strict";

const SHELL = "fieldapp-shell-" + PRECACHE.version;
const NAVIGATION_TIMEOUT_MS = 8000;

self.addEventListener("install", (event) => {
  // cache: "reload" bypasses the HTTP cache, so the shell is exactly this version's files.
  event.waitUntil(caches.open(SHELL).then((cache) =>
    cache.addAll(PRECACHE.urls.map((url) => new Request(url, { cache: "reload", credentials: "omit" })))));
  // No skipWaiting() here: a new version waits until the user chooses to update, so a
  // form half filled in is never reloaded under them.
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys
      .filter((key) => key.startsWith("fieldapp-shell-") && key !== SHELL)
      .map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") {
    self.skipWaiting();
  }
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

async function networkFirst(request) {
  try {
    return await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
  } catch (error) {
    const cache = await caches.open(SHELL);
    return (await cache.match("/offline")) || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  }
});
