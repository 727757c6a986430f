// Progressive enhancement only: every page works without this file.

import { shrink } from "./photo.js";

// A page answered to a POST names its own address (<link rel="canonical">, e.g. the draft opened by
// 开始检查): take it, so that reloading or coming back asks for the page, not the POST again.
let canonical = document.querySelector('link[rel="canonical"]');
if (canonical && new URL(canonical.href).pathname !== window.location.pathname) {
  window.history.replaceState(window.history.state, "", canonical.href);
}

// Confirm before destructive actions: <form data-confirm="...">.
document.addEventListener("submit", function (event) {
  let form = event.target;
  let question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Deadlines a tap away: <button data-add-days="7" data-for="f-deadline" data-today="2026-12-06">
// fills the date field with today (in China, as the server counted it) plus that many days.
document.addEventListener("click", function (event) {
  let button = event.target.closest && event.target.closest("[data-add-days]");
  if (!button) { return; }
  let field = document.getElementById(button.getAttribute("data-for"));
  let start = new Date(button.getAttribute("data-today") + "T00:00:00Z");
  if (!field || isNaN(start)) { return; }
  start.setUTCDate(start.getUTCDate() + parseInt(button.getAttribute("data-add-days"), 10));
  field.value = start.toISOString().slice(0, 10);
  field.dispatchEvent(new Event("change", { bubbles: true }));
});

// Fields only some answers need: <fieldset data-shown-when="level=major"> shows while its form's
// "level" field says "major" (the server renders it hidden or not the same way).
function showWhen(form) {
  Array.prototype.forEach.call(form.querySelectorAll("[data-shown-when]"), function (part) {
    let rule = part.getAttribute("data-shown-when").split("="), field = form.elements[rule[0]];
    if (field) { part.hidden = field.value !== rule[1]; }
  });
}
document.addEventListener("change", function (event) {
  if (event.target.form && event.target.form.querySelector("[data-shown-when]")) { showWhen(event.target.form); }
});

// "Nearest first": sorts a [data-nearest] list of items with data-lat/data-lng by distance
// from the phone, on the user's tap (asking for the position only when wanted).
let sorter = document.querySelector("[data-sort-nearest]");
let nearList = document.querySelector("[data-nearest]");
if (sorter && nearList && "geolocation" in navigator) {
  sorter.hidden = false;
  sorter.addEventListener("click", function () {
    sorter.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      let here = pos.coords, rad = Math.PI / 180;
      let items = Array.prototype.slice.call(nearList.children);
      items.forEach(function (li) {
        let lat = parseFloat(li.getAttribute("data-lat")), lng = parseFloat(li.getAttribute("data-lng"));
        if (isNaN(lat) || isNaN(lng)) { li.dataset.km = "99999"; return; }
        let dlat = (lat - here.latitude) * rad, dlng = (lng - here.longitude) * rad;
        let a = Math.pow(Math.sin(dlat / 2), 2) +
          Math.cos(here.latitude * rad) * Math.cos(lat * rad) * Math.pow(Math.sin(dlng / 2), 2);
        let km = 12742 * Math.asin(Math.sqrt(a));
        li.dataset.km = km.toFixed(3);
        let label = li.querySelector("[data-distance]");
        if (label) { label.textContent = km < 1 ? Math.round(km * 1000) + " m" : km.toFixed(1) + " km"; }
      });
      items.sort(function (a, b) { return parseFloat(a.dataset.km) - parseFloat(b.dataset.km); });
      items.forEach(function (li, i) { li.classList.toggle("more", i >= 8); nearList.appendChild(li); });
      sorter.disabled = false;
    }, function () {
      sorter.disabled = false;
      sorter.textContent = sorter.getAttribute("data-failed") || sorter.textContent;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  });
}

// Position: fills [data-geo=lat|lng|acc] of its form from the phone's GPS (WGS-84, as browsers
// give it); every such button on the page, each for its own form.
Array.prototype.forEach.call(document.querySelectorAll("[data-locate]"), function (locate) {
  if ("geolocation" in navigator) { wireLocate(locate); }
});

function wireLocate(locate) {
  locate.hidden = false;
  locate.addEventListener("click", function () {
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      let scope = locate.form || document;
      let set = function (name, value) {
        let el = scope.querySelector("[data-geo=" + name + "]");
        if (el) { el.value = value; }
      };
      set("lat", pos.coords.latitude.toFixed(7));
      set("lng", pos.coords.longitude.toFixed(7));
      set("acc", Math.round(pos.coords.accuracy));
      locate.disabled = false;
      if (locate.hasAttribute("data-done")) { locate.textContent = locate.getAttribute("data-done"); }
      document.dispatchEvent(new CustomEvent("fieldapp:located"));
      let form = locate.form;
      if (form && form.id === "record-form") { form.requestSubmit(form.querySelector("[value=save]")); }
    }, function () {
      locate.disabled = false;
      locate.textContent = locate.getAttribute("data-failed") || locate.textContent;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 5000 });  // never the last site's fix
  });
}

// Upload forms send photos downscaled on the phone (photo.js), EXIF evidence kept.
document.addEventListener("submit", function (event) {
  let form = event.target;
  if (event.defaultPrevented || !form.hasAttribute("data-downscale") || form.dataset.shrunk === "1") { return; }
  let inputs = Array.prototype.filter.call(form.querySelectorAll("input[type=file]"),
    function (input) { return input.files && input.files.length; });
  if (!inputs.length || !window.DataTransfer) { return; }
  event.preventDefault();
  form.classList.add("busy");
  Promise.all(inputs.map(async (input) => {
    const files = await Promise.all(Array.from(input.files, shrink));
    const transfer = new DataTransfer();
    files.forEach((f) => transfer.items.add(f));
    input.files = transfer.files;
  })).then(() => {
    form.dataset.shrunk = "1";
    form.submit();
  });
});

// Choosing a photo in an upload form sends it at once.
document.addEventListener("change", function (event) {
  let input = event.target;
  if (input.matches && input.matches("input[type=file][data-autosubmit]") && input.files.length) {
    input.form.requestSubmit();
  }
});

// One submission per form: a second tap while the first is on its way does nothing.
document.addEventListener("submit", function (event) {
  let form = event.target;
  if (event.defaultPrevented) { return; }
  if (form.dataset.sent === "1") { event.preventDefault(); return; }
  if (form.method.toLowerCase() === "post") {
    form.dataset.sent = "1";
    setTimeout(function () { form.dataset.sent = ""; }, 8000);  // allow a retry after a network error
  }
});

// --- the service worker: offline shell, and updates only when the user says so ----------
// Registered once the page has loaded and the phone is idle. Its shell (~60 KB compressed) is
// downloaded only for someone signed in, when a page of theirs is idle: on a weak link it must not
// compete with logging in, or with the first page after it.
// A page being left (a link or form taken while the worker installs) does not start the download:
// the page the user opens has the link, and asks itself once idle.
let leaving = false;
if ("serviceWorker" in navigator) {
  window.addEventListener("beforeunload", () => { leaving = true; });
  whenIdle().then(offerUpdates).then(() => {
    if (document.querySelector("meta[name=fieldapp-user]")) { return whenIdle().then(askForShell); }
    return null;
  }).catch(() => null);
}

function whenIdle() {
  return new Promise((resolve) => {
    const idle = () => (window.requestIdleCallback ? window.requestIdleCallback(() => resolve(), { timeout: 4000 })
                                                   : setTimeout(resolve, 500));
    if (document.readyState === "complete") { idle(); } else { window.addEventListener("load", idle, { once: true }); }
  });
}

async function askForShell() {
  const registration = await navigator.serviceWorker.ready;
  if (!registration.active || leaving) { return; }
  registration.active.postMessage({ type: "PRECACHE" });
  // Leaving the page (a link, a form sent) stops the download, so that the next page has the link:
  // the worker also sees the navigation, but only when it controls this page, which a page loaded
  // while it was installing does not. The next page, once idle, asks again.
  window.addEventListener("beforeunload", () => registration.active && registration.active.postMessage({ type: "YIELD" }));
}

async function offerUpdates() {
  let updating = false;
  let banner = document.getElementById("update-banner");

  function offer(worker) {
    if (!banner || !navigator.serviceWorker.controller) { return; }  // first install: nothing to update
    banner.hidden = false;
    document.getElementById("update-now").onclick = function () {
      updating = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    };
  }

  (async () => {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    if (registration.waiting) { offer(registration.waiting); }
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker.addEventListener("statechange", () => {
        if (worker.state === "installed") { offer(worker); }
      });
    });
  })();
  // The pages kept for offline work follow the language the user chose.
  (async () => {
    const registration = await navigator.serviceWorker.ready;
    if (registration.active && navigator.onLine) {
      registration.active.postMessage({ type: "LANGUAGE", lang: document.documentElement.lang });
    }
  })();
  // Reload only after the user chose to update: never under a half-filled form.
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (updating) { window.location.reload(); }
  });
}
