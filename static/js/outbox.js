// The outbox as the user sees it: the pending counter on every page, the sync triggers
// (app start, the `online` event, returning to the app, any request that reached the server,
// Background Sync, the button) and the list of unsent records (/outbox). Sending is sync.js's
// job; the offline patrol list is capture/offline.js.
import { reason, retryTimer, size } from "./outbox-rules.js";
import { el, fill, SEP, when } from "./ui.js";

if (window.fieldappStore && window.fieldappSync && window.indexedDB) {
  keepOutbox(window.fieldappStore, window.fieldappSync);
}

function keepOutbox(store, sync) {
  const userMeta = document.querySelector("meta[name=fieldapp-user]");
  const uidPromise = userMeta ? Promise.resolve(userMeta.content) : store.currentUser().catch(() => null);
  let retryTimerId = null;

  function texts(root) { return root ? JSON.parse(root.getAttribute("data-text") || "{}") : {}; }

  async function records(uid) {
    return store.getAll(await store.open(uid), "records");
  }

  async function syncState(uid) {
    return (await store.get(await store.open(uid), "meta", "sync")) || {};
  }

  // --- the counter on every page ------------------------------------------------------
  async function showCounter(uid) {
    const banners = document.querySelectorAll("[data-pending]");
    if (!banners.length) { return; }
    const [all, state] = await Promise.all([records(uid), syncState(uid)]);
    const n = all.filter(store.isPending).length;
    for (const banner of banners) {
      banner.hidden = n === 0;
      let text = fill(banner.getAttribute("data-template"), { n: n });
      if (state.paused) { text += SEP + banner.getAttribute("data-login"); }
      banner.textContent = text;
      banner.classList.toggle("attention", !!state.paused);
      banner.setAttribute("href", state.paused ? "/login?next=/outbox" : "/outbox");
    }
  }

  // --- triggers -----------------------------------------------------------------------
  function schedule(uid, outcome) {
    const timer = retryTimer(outcome, Date.now());
    if (!timer.keep) { clearTimeout(retryTimerId); }
    if (timer.wait) { retryTimerId = setTimeout(() => run(uid, false), timer.wait); }
  }

  // options: manual (the user tapped 立即同步), reachable (the server just answered).
  async function run(uid, manual, options) {
    if (!manual && !navigator.onLine) { return { result: "offline" }; }
    const outcome = await sync.run(uid, { manual: manual, reachable: !!(options && options.reachable) });
    schedule(uid, outcome);
    refresh(uid);
    if (outcome.result === "done" && outcome.sent && window.fieldappPack) {
      window.fieldappPack.refresh().catch(() => null);
    }
    return outcome;
  }

  // Ask the browser to wake the worker when the network is back, even if the app is closed.
  async function requestBackgroundSync() {
    if (!("serviceWorker" in navigator)) { return null; }
    try {
      const registration = await navigator.serviceWorker.ready;
      return registration.sync ? await registration.sync.register("fieldapp-outbox") : null;
    } catch (error) {
      return null;
    }
  }

  // Photos on the phone are evidence: ask the browser not to evict them under pressure.
  async function persist() {
    if (!(navigator.storage && navigator.storage.persist)) { return false; }
    try {
      return (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch (error) {
      return false;
    }
  }

  // --- /outbox ----------------------------------------------------------------------
  async function renderOutbox(uid) {
    const root = document.getElementById("outbox");
    if (!root) { return; }
    const t = texts(root);
    root.hidden = false;
    const db = await store.open(uid);
    const [all, media, state] = await Promise.all([store.getAll(db, "records"), store.getAll(db, "media"),
                                                    syncState(uid)]);
    let list = document.getElementById("outbox-list");
    list.textContent = "";
    let pending = all.filter(store.isPending).sort(function (a, b) {
      return (a.created_at || "").localeCompare(b.created_at || "");
    });
    let sent = all.filter(function (r) { return !store.isPending(r); })
      .sort(function (a, b) { return (b.synced_at || "").localeCompare(a.synced_at || ""); }).slice(0, 10);
    pending.concat(sent).forEach(function (record) {
      let own = media.filter(function (m) { return m.record_uuid === record.uuid; });
      let bytes = own.reduce(function (sum, m) { return sum + (m.size || 0); }, 0);
      let lines = [
        el("strong", { text: (record.kind === "recheck" ? t.kind_recheck + SEP : "") +
                              (record.enterprise_name || ("#" + record.enterprise_id)) }),
        el("br"),
        el("small", { class: "muted", text: when(record.started_at) + SEP + record.uuid.slice(0, 8) })
      ];
      let item = el("li", { class: "outbox-item", "data-uuid": record.uuid, "data-state": record.state });
      let head = el("div", { class: "row-link" }, [
        el("span", {}, lines),
        el("span", { class: "tag state-" + record.state, text: t["state_" + record.state] || record.state })
      ]);
      item.appendChild(head);
      let details = [];
      if (record.state === "synced" && record.server) {
        details.push(record.kind === "recheck" ? t.recheck_delivered : fill(t.number, { number: record.server.number }));
      }
      if (own.length) { details.push(fill(t.media, { n: own.length, size: size(bytes) })); }
      let arrived = own.filter(function (m) { return m.uploaded; }).length;
      if (arrived && store.isPending(record)) { details.push(fill(t.uploaded, { n: arrived, total: own.length })); }
      if (record.attempts) { details.push(fill(t.attempts, { n: record.attempts })); }
      if (details.length) { item.appendChild(el("p", { class: "small muted", text: details.join(SEP) })); }
      if (record.state === "synced" && record.server && record.server.id && record.kind !== "recheck") {
        item.appendChild(el("a", { href: "/inspections/" + record.server.id, text: t.view }));
      } else if (record.state === "synced" && record.kind === "recheck") {
        item.appendChild(el("a", { href: "/hazards/" + record.hazard_id, text: t.view }));
      }
      if (record.last_error && record.state !== "synced") {
        item.appendChild(el("p", { class: "error", text: fill(t.last_error, { error: reason(t, record.last_error) }) }));
      }
      if (store.isPending(record)) {
        let actions = el("p", { class: "item-actions" });
        if (record.state === "draft") {
          actions.appendChild(el("a", { class: "button secondary small",
                                        href: record.kind === "recheck" ? "/capture?recheck=" + record.hazard_id
                                          : "/capture?record=" + record.uuid,
                                        text: t.continue }));
        }
        // Deleting loses the work: styled as dangerous, at the far end from 继续.
        let del = el("button", { type: "button", class: "button danger small apart-end", "data-delete": record.uuid,
                                 text: t.delete });
        actions.appendChild(del);
        item.appendChild(actions);
      }
      list.appendChild(item);
    });
    document.getElementById("outbox-empty").hidden = pending.length > 0;
    let status = document.getElementById("sync-status");
    let relogin = document.getElementById("relogin");
    relogin.hidden = !state.paused;
    if (!status.dataset.busy) {
      let waiting = pending.filter(function (r) { return r.state !== "draft"; }).length;
      status.textContent = state.paused ? t.login
        : !navigator.onLine && pending.length ? t.offline
        : state.next_at && Date.parse(state.next_at) > Date.now() && waiting
          ? fill(t.retry, { why: reason(t, state.last_error), time: when(state.next_at) })
          : pending.length ? fill(t.pending, { n: pending.length }) : t.idle;
    }
    document.getElementById("sync-now").classList.toggle("primary", navigator.onLine);
    document.getElementById("sync-now").classList.toggle("secondary", !navigator.onLine);
    await showStorage(t);
  }

  async function showStorage(t) {
    const target = document.getElementById("storage-status");
    if (!target || !navigator.storage || !navigator.storage.estimate) { return; }
    const [estimate, persisted] = await Promise.all([
      navigator.storage.estimate(), navigator.storage.persisted ? navigator.storage.persisted() : false]);
    target.textContent = fill(t.storage, { used: size(estimate.usage || 0), quota: size(estimate.quota || 0) }) +
      " " + (persisted ? t.persisted : t.not_persisted);
  }

  async function deleteRecord(uid, recordUuid) {
    return store.deleteRecord(await store.open(uid), recordUuid);
  }

  function blobToBase64(blob) {
    return new Promise(function (resolve, reject) {
      let reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",", 2)[1]); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  // The last resort when sync keeps failing: every unsent record with its media, in one
  // JSON file the user can hand over (the payloads are exactly what sync would send).
  async function exportPending(uid) {
    const db = await store.open(uid);
    const [all, stored] = await Promise.all([store.getAll(db, "records"), store.getAll(db, "media")]);
    const pending = all.filter(store.isPending);
    const uuids = new Set(pending.map((r) => r.uuid));
    const files = await Promise.all(stored.filter((m) => uuids.has(m.record_uuid)).map(async (m) => (
      { uuid: m.uuid, record_uuid: m.record_uuid, sha256: m.sha256, type: m.type, base64: await blobToBase64(m.blob) })));
    const body = JSON.stringify({ format: "fieldapp-outbox/1", user_id: uid, exported_at: new Date().toISOString(),
                                  records: pending, media: files });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([body], { type: "application/json" }));
    link.download = "fieldapp-outbox-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "") + ".json";
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    return pending.length;
  }

  function bindOutbox(uid) {
    let root = document.getElementById("outbox");
    if (!root) { return; }
    let t = texts(root);
    let status = document.getElementById("sync-status");
    document.getElementById("sync-now").addEventListener("click", async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      status.dataset.busy = "1";
      status.textContent = t.syncing;
      try {
        const outcome = await run(uid, true);
        const messages = { busy: t.busy, login: t.login, idle: t.idle, offline: t.offline,
                           retry: outcome.state ? fill(t.retry, { why: reason(t, outcome.state.last_error),
                                                                  time: when(outcome.state.next_at) }) : "" };
        status.textContent = outcome.result === "done"
          ? fill(t.done, { sent: outcome.sent, failed: outcome.failed }) : (messages[outcome.result] || "");
      } catch (error) {
        status.textContent = String(error);
      }
      delete status.dataset.busy;
      button.disabled = false;
      renderOutbox(uid);
    });
    // Deleting is two taps: the first shows what will be lost, the second does it.
    document.getElementById("outbox-list").addEventListener("click", function (event) {
      let target = event.target;
      let uuid = target.getAttribute("data-delete");
      if (uuid) {
        let confirmRow = el("p", { class: "confirm-delete" }, [
          el("button", { type: "button", class: "button danger small", "data-confirm-delete": uuid,
                         text: t.confirm_delete }),
          el("button", { type: "button", class: "button secondary small", "data-cancel-delete": "1", text: t.cancel })
        ]);
        target.parentNode.replaceWith(confirmRow);
      } else if (target.getAttribute("data-confirm-delete")) {
        deleteRecord(uid, target.getAttribute("data-confirm-delete")).then(() => refresh(uid));
      } else if (target.getAttribute("data-cancel-delete")) {
        renderOutbox(uid);
      }
    });
    document.getElementById("export").addEventListener("click", async () => {
      status.textContent = fill(t.exported, { n: await exportPending(uid) });
    });
  }

  // Drafts kept on the phone, wherever a page has a [data-local-drafts] slot.
  async function renderDrafts(uid) {
    const slots = document.querySelectorAll("[data-local-drafts]");
    if (!slots.length) { return; }
    const drafts = (await records(uid)).filter((r) => r.state === "draft");
    Array.prototype.forEach.call(slots, function (slot) {
      slot.textContent = "";
      if (!drafts.length) { return; }
      let card = el("section", { class: "card" }, [el("h2", { text: slot.getAttribute("data-title") || "" })]);
      drafts.forEach(function (d) {
        let href = d.kind === "recheck" ? "/capture?recheck=" + d.hazard_id : "/capture?record=" + d.uuid;
        card.appendChild(el("a", { class: "row-link", href: href }, [
          el("span", {}, [el("strong", { text: d.enterprise_name }), el("br"),
                          el("small", { class: "muted", text: when(d.started_at) })]),
          el("span", { class: "tag status-new", text: slot.getAttribute("data-draft") || "" })
        ]));
      });
      slot.appendChild(card);
    });
  }

  function refresh(uid) {
    return Promise.all([showCounter(uid), renderOutbox(uid), renderDrafts(uid)]).catch(() => null);
  }

  // "开始检查" opens the phone's form when the enterprise is in the offline pack and the form is
  // kept on the phone, so a record begun with signal survives losing it; otherwise the server's
  // form is used (a new phone still downloading its shell would fetch the phone's form and its
  // scripts over the link, slower than the server's page).
  async function phoneFormReady(uid, id) {
    const kept = window.caches ? await caches.match("/capture") : null;
    return !!kept && !!(await store.get(await store.open(uid), "enterprises", Number(id)));
  }

  function bindStart(uid) {
    document.addEventListener("submit", function (event) {
      let form = event.target;
      let id = form.getAttribute && form.getAttribute("data-capture-start");
      if (!id || event.defaultPrevented) { return; }
      event.preventDefault();
      phoneFormReady(uid, id).then((ready) => {
        if (ready) { window.location.href = "/capture?enterprise=" + id; } else { form.submit(); }
      }, () => form.submit());
    }, true);
  }

  async function start(uid) {
    if (!uid) {
      let noUser = document.getElementById("no-user");
      if (noUser && (document.getElementById("outbox") || document.getElementById("capture"))) { noUser.hidden = false; }
      return;
    }
    let net = document.querySelector("[data-net]");
    let showNet = function () { if (net) { net.hidden = navigator.onLine; } };
    showNet();
    window.addEventListener("offline", function () { showNet(); refresh(uid); });
    window.addEventListener("online", function () { showNet(); run(uid, false); });
    // The server may have been down while the phone had signal (no "online" event then): try
    // again when the user comes back to the app, and as soon as any request reaches the server.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { run(uid, false, { reachable: true }); }
    });
    document.addEventListener("fieldapp:reachable", function () { run(uid, false, { reachable: true }); });
    if (window.BroadcastChannel) {
      new BroadcastChannel("fieldapp-outbox").onmessage = function (event) {
        if (event.data && event.data.uid === String(uid)) { refresh(uid); }
      };
    }
    bindOutbox(uid);
    bindStart(uid);
    window.fieldappOutbox = {
      uid: uid,
      refresh: function () { return refresh(uid); },
      // After a record is finished: send now if there is signal, and ask for a wake-up if not.
      kick: function () {
        persist();
        requestBackgroundSync();
        return run(uid, false);
      },
      sync: function (manual) { return run(uid, !!manual); }
    };
    const ready = refresh(uid);
    document.dispatchEvent(new CustomEvent("fieldapp:outbox-ready"));
    await ready;
    if (document.getElementById("outbox")) { persist().then(() => renderOutbox(uid)); }
    run(uid, false);  // app start
  }

  uidPromise.then(start);
}
