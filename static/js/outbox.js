// The outbox as the user sees it: the pending counter on every page, the sync triggers
// (app start, the `online` event, returning to the app, any request that reached the server,
// Background Sync, the button) and the list of unsent records (/outbox). Sending is sync.js's
// job; the offline patrol list is capture/offline.js.
(function () {
  "use strict";
  var store = window.fieldappStore;
  var sync = window.fieldappSync;
  if (!store || !sync || !window.indexedDB) { return; }
  var userMeta = document.querySelector("meta[name=fieldapp-user]");
  var uidPromise = userMeta ? Promise.resolve(userMeta.content) : store.currentUser().catch(function () { return null; });
  var retryTimer = null;
  var fill = window.fieldappUi.fill;
  var el = window.fieldappUi.el;
  var when = window.fieldappUi.when;

  function texts(root) { return root ? JSON.parse(root.getAttribute("data-text") || "{}") : {}; }

  function size(bytes) {
    if (bytes >= 1073741824) { return (bytes / 1073741824).toFixed(1) + " GB"; }
    if (bytes > 1048576) { return (bytes / 1048576).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  // Why a try failed, in the user's words: no network on the phone, a server that does not
  // answer, one that answered too slowly, or one that answered with an error.
  function reason(t, error) {
    if (!error) { return ""; }
    if (t["why_" + error]) { return t["why_" + error]; }
    return /^HTTP 5|^HTTP 4(08|29)/.test(error) ? fill(t.why_server, { status: error.slice(5) }) : error;
  }

  function records(uid) {
    return store.open(uid).then(function (db) { return store.getAll(db, "records"); });
  }

  function syncState(uid) {
    return store.open(uid).then(function (db) { return store.get(db, "meta", "sync"); })
      .then(function (s) { return s || {}; });
  }

  // --- the counter on every page ------------------------------------------------------
  function showCounter(uid) {
    var banners = document.querySelectorAll("[data-pending]");
    if (!banners.length) { return Promise.resolve(); }
    return Promise.all([records(uid), syncState(uid)]).then(function (parts) {
      var n = parts[0].filter(store.isPending).length;
      var state = parts[1];
      Array.prototype.forEach.call(banners, function (banner) {
        banner.hidden = n === 0;
        var text = fill(banner.getAttribute("data-template"), { n: n });
        if (state.paused) { text += " · " + banner.getAttribute("data-login"); }
        banner.textContent = text;
        banner.classList.toggle("attention", !!state.paused);
        banner.setAttribute("href", state.paused ? "/login?next=/outbox" : "/outbox");
      });
    });
  }

  // --- triggers -----------------------------------------------------------------------
  // The retry promised on the outbox is kept: whenever a run ends with a retry time ahead (it
  // backed off, or was asked before the time came), a timer is set for that time. Only a run
  // that leaves nothing to retry clears it; another tab's run ("busy") leaves it as it is.
  function schedule(uid, outcome) {
    if (!outcome || outcome.result === "busy") { return; }
    var next = outcome.state && outcome.state.next_at ? Date.parse(outcome.state.next_at) : 0;
    if ((outcome.result === "retry" || outcome.result === "waiting") && next) {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () { run(uid, false); }, Math.max(1000, next - Date.now()));
    } else if (outcome.result === "done" || outcome.result === "idle") {
      clearTimeout(retryTimer);
    }
  }

  // options: manual (the user tapped 立即同步), reachable (the server just answered).
  function run(uid, manual, options) {
    if (!manual && !navigator.onLine) { return Promise.resolve({ result: "offline" }); }
    return sync.run(uid, { manual: manual, reachable: !!(options && options.reachable) }).then(function (outcome) {
      schedule(uid, outcome);
      refresh(uid);
      if (outcome.result === "done" && outcome.sent && window.fieldappPack) {
        window.fieldappPack.refresh().catch(function () { return null; });
      }
      return outcome;
    });
  }

  // Ask the browser to wake the worker when the network is back, even if the app is closed.
  function requestBackgroundSync() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(); }
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.sync ? registration.sync.register("fieldapp-outbox") : null;
    }).catch(function () { return null; });
  }

  // Photos on the phone are evidence: ask the browser not to evict them under pressure.
  function persist() {
    if (navigator.storage && navigator.storage.persist) {
      return navigator.storage.persisted().then(function (already) {
        return already || navigator.storage.persist();
      }).catch(function () { return false; });
    }
    return Promise.resolve(false);
  }

  // --- /outbox ----------------------------------------------------------------------
  function renderOutbox(uid) {
    var root = document.getElementById("outbox");
    if (!root) { return Promise.resolve(); }
    var t = texts(root);
    root.hidden = false;
    return store.open(uid).then(function (db) {
      return Promise.all([store.getAll(db, "records"), store.getAll(db, "media"), syncState(uid)]);
    }).then(function (parts) {
      var all = parts[0];
      var media = parts[1];
      var state = parts[2];
      var list = document.getElementById("outbox-list");
      list.textContent = "";
      var pending = all.filter(store.isPending).sort(function (a, b) {
        return (a.created_at || "").localeCompare(b.created_at || "");
      });
      var sent = all.filter(function (r) { return !store.isPending(r); })
        .sort(function (a, b) { return (b.synced_at || "").localeCompare(a.synced_at || ""); }).slice(0, 10);
      pending.concat(sent).forEach(function (record) {
        var own = media.filter(function (m) { return m.record_uuid === record.uuid; });
        var bytes = own.reduce(function (sum, m) { return sum + (m.size || 0); }, 0);
        var lines = [
          el("strong", { text: (record.kind === "recheck" ? t.kind_recheck + " · " : "") +
                                (record.enterprise_name || ("#" + record.enterprise_id)) }),
          el("br"),
          el("small", { class: "muted", text: when(record.started_at) + " · " + record.uuid.slice(0, 8) })
        ];
        var item = el("li", { class: "outbox-item", "data-uuid": record.uuid, "data-state": record.state });
        var head = el("div", { class: "row-link" }, [
          el("span", {}, lines),
          el("span", { class: "tag state-" + record.state, text: t["state_" + record.state] || record.state })
        ]);
        item.appendChild(head);
        var details = [];
        if (record.state === "synced" && record.server) {
          details.push(record.kind === "recheck" ? t.recheck_delivered : fill(t.number, { number: record.server.number }));
        }
        if (own.length) { details.push(fill(t.media, { n: own.length, size: size(bytes) })); }
        if (record.attempts) { details.push(fill(t.attempts, { n: record.attempts })); }
        if (details.length) { item.appendChild(el("p", { class: "small muted", text: details.join(" · ") })); }
        if (record.state === "synced" && record.server && record.server.id && record.kind !== "recheck") {
          item.appendChild(el("a", { href: "/inspections/" + record.server.id, text: t.view }));
        } else if (record.state === "synced" && record.kind === "recheck") {
          item.appendChild(el("a", { href: "/hazards/" + record.hazard_id, text: t.view }));
        }
        if (record.last_error && record.state !== "synced") {
          item.appendChild(el("p", { class: "error", text: fill(t.last_error, { error: reason(t, record.last_error) }) }));
        }
        if (store.isPending(record)) {
          var actions = el("p", { class: "item-actions" });
          if (record.state === "draft") {
            actions.appendChild(el("a", { class: "button secondary small",
                                          href: record.kind === "recheck" ? "/capture?recheck=" + record.hazard_id
                                            : "/capture?record=" + record.uuid,
                                          text: t.continue }));
          }
          // Deleting loses the work: styled as dangerous, at the far end from 继续.
          var del = el("button", { type: "button", class: "button danger small apart-end", "data-delete": record.uuid,
                                   text: t.delete });
          actions.appendChild(del);
          item.appendChild(actions);
        }
        list.appendChild(item);
      });
      document.getElementById("outbox-empty").hidden = pending.length > 0;
      var status = document.getElementById("sync-status");
      var relogin = document.getElementById("relogin");
      relogin.hidden = !state.paused;
      if (!status.dataset.busy) {
        var waiting = pending.filter(function (r) { return r.state !== "draft"; }).length;
        status.textContent = state.paused ? t.login
          : !navigator.onLine && pending.length ? t.offline
          : state.next_at && Date.parse(state.next_at) > Date.now() && waiting
            ? fill(t.retry, { why: reason(t, state.last_error), time: when(state.next_at) })
            : pending.length ? fill(t.pending, { n: pending.length }) : t.idle;
      }
      document.getElementById("sync-now").classList.toggle("primary", navigator.onLine);
      document.getElementById("sync-now").classList.toggle("secondary", !navigator.onLine);
      return showStorage(t);
    });
  }

  function showStorage(t) {
    var target = document.getElementById("storage-status");
    if (!target || !navigator.storage || !navigator.storage.estimate) { return Promise.resolve(); }
    return Promise.all([navigator.storage.estimate(), navigator.storage.persisted ? navigator.storage.persisted() : false])
      .then(function (parts) {
        target.textContent = fill(t.storage, { used: size(parts[0].usage || 0), quota: size(parts[0].quota || 0) }) +
          " " + (parts[1] ? t.persisted : t.not_persisted);
      });
  }

  function deleteRecord(uid, recordUuid) {
    return store.open(uid).then(function (db) { return store.deleteRecord(db, recordUuid); });
  }

  function blobToBase64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",", 2)[1]); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  // The last resort when sync keeps failing: every unsent record with its media, in one
  // JSON file the user can hand over (the payloads are exactly what sync would send).
  function exportPending(uid) {
    return store.open(uid).then(function (db) {
      return Promise.all([store.getAll(db, "records"), store.getAll(db, "media")]);
    }).then(function (parts) {
      var pending = parts[0].filter(store.isPending);
      var uuids = {};
      pending.forEach(function (r) { uuids[r.uuid] = true; });
      var media = parts[1].filter(function (m) { return uuids[m.record_uuid]; });
      return Promise.all(media.map(function (m) {
        return blobToBase64(m.blob).then(function (data) {
          return { uuid: m.uuid, record_uuid: m.record_uuid, sha256: m.sha256, type: m.type, base64: data };
        });
      })).then(function (files) {
        var body = JSON.stringify({ format: "fieldapp-outbox/1", user_id: uid, exported_at: new Date().toISOString(),
                                    records: pending, media: files });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(new Blob([body], { type: "application/json" }));
        link.download = "fieldapp-outbox-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "") + ".json";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        return pending.length;
      });
    });
  }

  function bindOutbox(uid) {
    var root = document.getElementById("outbox");
    if (!root) { return; }
    var t = texts(root);
    var status = document.getElementById("sync-status");
    document.getElementById("sync-now").addEventListener("click", function () {
      var button = this;
      button.disabled = true;
      status.dataset.busy = "1";
      status.textContent = t.syncing;
      run(uid, true).then(function (outcome) {
        var messages = { busy: t.busy, login: t.login, idle: t.idle, offline: t.offline,
                         retry: outcome.state ? fill(t.retry, { why: reason(t, outcome.state.last_error),
                                                                time: when(outcome.state.next_at) }) : "" };
        status.textContent = outcome.result === "done"
          ? fill(t.done, { sent: outcome.sent, failed: outcome.failed }) : (messages[outcome.result] || "");
      }).catch(function (error) { status.textContent = String(error); }).then(function () {
        delete status.dataset.busy;
        button.disabled = false;
        renderOutbox(uid);
      });
    });
    // Deleting is two taps: the first shows what will be lost, the second does it.
    document.getElementById("outbox-list").addEventListener("click", function (event) {
      var target = event.target;
      var uuid = target.getAttribute("data-delete");
      if (uuid) {
        var confirmRow = el("p", { class: "confirm-delete" }, [
          el("button", { type: "button", class: "button danger small", "data-confirm-delete": uuid,
                         text: t.confirm_delete }),
          el("button", { type: "button", class: "button secondary small", "data-cancel-delete": "1", text: t.cancel })
        ]);
        target.parentNode.replaceWith(confirmRow);
      } else if (target.getAttribute("data-confirm-delete")) {
        deleteRecord(uid, target.getAttribute("data-confirm-delete")).then(function () { refresh(uid); });
      } else if (target.getAttribute("data-cancel-delete")) {
        renderOutbox(uid);
      }
    });
    document.getElementById("export").addEventListener("click", function () {
      exportPending(uid).then(function (n) { status.textContent = fill(t.exported, { n: n }); });
    });
  }

  // Drafts kept on the phone, wherever a page has a [data-local-drafts] slot.
  function renderDrafts(uid) {
    var slots = document.querySelectorAll("[data-local-drafts]");
    if (!slots.length) { return Promise.resolve(); }
    return records(uid).then(function (all) {
      var drafts = all.filter(function (r) { return r.state === "draft"; });
      Array.prototype.forEach.call(slots, function (slot) {
        slot.textContent = "";
        if (!drafts.length) { return; }
        var card = el("section", { class: "card" }, [el("h2", { text: slot.getAttribute("data-title") || "" })]);
        drafts.forEach(function (d) {
          var href = d.kind === "recheck" ? "/capture?recheck=" + d.hazard_id : "/capture?record=" + d.uuid;
          card.appendChild(el("a", { class: "row-link", href: href }, [
            el("span", {}, [el("strong", { text: d.enterprise_name }), el("br"),
                            el("small", { class: "muted", text: when(d.started_at) })]),
            el("span", { class: "tag status-new", text: slot.getAttribute("data-draft") || "" })
          ]));
        });
        slot.appendChild(card);
      });
    });
  }

  function refresh(uid) {
    return Promise.all([showCounter(uid), renderOutbox(uid), renderDrafts(uid)]).catch(function () { return null; });
  }

  // "开始检查" opens the phone's form when the enterprise is in the offline pack, so a record
  // begun with signal survives losing it; otherwise the server's form is used.
  function bindStart(uid) {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var id = form.getAttribute && form.getAttribute("data-capture-start");
      if (!id || event.defaultPrevented) { return; }
      event.preventDefault();
      store.open(uid).then(function (db) { return store.get(db, "enterprises", Number(id)); }).then(function (e) {
        if (e) { window.location.href = "/capture?enterprise=" + id; } else { form.submit(); }
      }, function () { form.submit(); });
    }, true);
  }

  uidPromise.then(function (uid) {
    if (!uid) {
      var noUser = document.getElementById("no-user");
      if (noUser && (document.getElementById("outbox") || document.getElementById("capture"))) { noUser.hidden = false; }
      return;
    }
    var net = document.querySelector("[data-net]");
    var showNet = function () { if (net) { net.hidden = navigator.onLine; } };
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
    refresh(uid).then(function () {
      if (document.getElementById("outbox")) { persist().then(function () { renderOutbox(uid); }); }
      run(uid, false);  // app start
    });
    document.dispatchEvent(new CustomEvent("fieldapp:outbox-ready"));
  });
})();
