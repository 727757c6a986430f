// The inspection form on the phone (/capture): the same record as the online form, kept
// in IndexedDB with every keystroke, photo and signature, finished on the spot and sent
// by the outbox (sync.js). Works the same with and without signal.
//
// The summary the site manager signs is built here exactly as the server builds it
// (fieldapp.services.inspections.summary_lines); the server recomputes its SHA-256 from
// the record it stores and refuses a record whose signed summary differs.
(function () {
  "use strict";
  var root = document.getElementById("capture");
  var store = window.fieldappStore;
  if (!root || !store || new URLSearchParams(window.location.search).get("recheck")) { return; }
  var T = JSON.parse(root.getAttribute("data-text") || "{}");
  var params = new URLSearchParams(window.location.search);
  var form = document.getElementById("capture-form");
  var db = null;
  var record = null;
  var urls = {};  // media uuid -> object URL for thumbnails
  var saving = Promise.resolve();
  var FAR_M = 500;
  var fill = window.fieldappUi.fill;
  var el = window.fieldappUi.el;
  var when = window.fieldappUi.when;

  function $(id) { return document.getElementById(id); }

  function fail(message) {
    $("c-error").textContent = message;
    $("c-error").hidden = false;
    $("c-body").hidden = true;
  }

  function save() {
    record.updated_at = new Date().toISOString();
    var copy = record;
    saving = saving.then(function () { return store.put(db, "records", copy); });
    return saving.then(function () {
      if (window.fieldappOutbox) { window.fieldappOutbox.refresh(); }
    });
  }

  // --- opening ----------------------------------------------------------------------
  function newRecord(e, template, me) {
    var now = new Date().toISOString();
    return {
      uuid: store.uuid4(), kind: "inspection", state: "draft", created_at: now, updated_at: now, started_at: now,
      enterprise_id: e.id, enterprise_name: e.name, enterprise_uscc: e.uscc,
      enterprise_position: e.latitude != null ? [e.latitude, e.longitude] : null,
      template_id: template.id, template_name: template.name,
      inspector_name: me.display_name,
      fields: { id_shown: false, work_id_number: me.work_id || "", parts: "", content: "", findings: "", measures: "" },
      position: null,
      results: template.items.map(function (i) {
        return { position: i.position, category: i.category || "", text: i.text, result: null, note: "" };
      }),
      photos: [], hazards: [], finish: null, payload: null, attempts: 0, last_error: ""
    };
  }

  function openRecord(uid) {
    return store.open(uid).then(function (opened) {
      db = opened;
      if (params.get("record")) {
        return store.get(db, "records", params.get("record")).then(function (found) {
          if (!found) { throw new Error(T.no_record); }
          return found;
        });
      }
      var id = Number(params.get("enterprise"));
      return Promise.all([store.get(db, "enterprises", id), store.get(db, "meta", "pack"),
                          store.getAll(db, "records")]).then(function (parts) {
        var e = parts[0];
        var pack = parts[1] || {};
        if (!e || !pack.me) { throw new Error(T.no_enterprise); }
        if (pack.recused && pack.recused[e.id]) { throw new Error(pack.recused[e.id]); }
        // A draft already open for this enterprise is resumed, not doubled (a double tap, a back button).
        var draft = parts[2].filter(function (r) { return r.state === "draft" && r.enterprise_id === e.id; })[0];
        if (draft) { return draft; }
        return store.get(db, "templates", e.template_id).then(function (template) {
          if (!template) { throw new Error(T.no_template); }
          var created = newRecord(e, template, pack.me || {});
          return store.put(db, "records", created).then(function () { return created; });
        });
      });
    }).then(function (opened) {
      record = opened;
      window.history.replaceState(null, "", "/capture?record=" + record.uuid);
    });
  }

  // --- rendering ----------------------------------------------------------------------

  function thumb(mediaUuid, extra) {
    return store.get(db, "media", mediaUuid).then(function (item) {
      if (!item) { return null; }
      if (!urls[mediaUuid]) { urls[mediaUuid] = URL.createObjectURL(item.blob); }
      var figure = el("figure", { class: "photo", "data-media": mediaUuid }, [el("img", { src: urls[mediaUuid], alt: "" })]);
      if (extra) { figure.appendChild(extra); }
      return figure;
    });
  }

  function usedByHazard(mediaUuid) {
    return record.hazards.some(function (h) { return h.media_uuids.indexOf(mediaUuid) >= 0; });
  }

  function renderPhotos() {
    var general = $("c-photos");
    $("c-photo-count").textContent = record.photos.length;
    var jobs = record.photos.map(function (ref) {
      var remove = record.state === "draft" && !usedByHazard(ref.media_uuid)
        ? el("button", { type: "button", class: "link small", "data-remove-photo": ref.media_uuid, text: T.remove_photo })
        : null;
      return thumb(ref.media_uuid, remove).then(function (figure) { return { ref: ref, figure: figure }; });
    });
    return Promise.all(jobs).then(function (done) {
      general.textContent = "";
      Array.prototype.forEach.call(document.querySelectorAll("[data-item-photos]"), function (g) { g.textContent = ""; });
      done.forEach(function (d) {
        if (!d.figure) { return; }
        var slot = d.ref.item_position != null ? document.querySelector("[data-item-photos='" + d.ref.item_position + "']") : null;
        if (slot) { slot.appendChild(d.figure.cloneNode(true)); }
        general.appendChild(d.figure);
      });
    });
  }

  function renderItems() {
    var container = $("c-items");
    var proto = $("t-item").content.firstElementChild;
    container.textContent = "";
    record.results.forEach(function (r, index) {
      var node = proto.cloneNode(true);
      node.id = "item-" + r.position;
      node.setAttribute("data-position", r.position);
      var category = node.querySelector("[data-slot=category]");
      if (r.category) { category.textContent = r.category; category.after(el("br")); } else { category.remove(); }
      node.querySelector("[data-slot=text]").textContent = (index + 1) + ". " + r.text;
      node.querySelector(".segmented").setAttribute("aria-label", r.text);
      Array.prototype.forEach.call(node.querySelectorAll("input[type=radio]"), function (input) {
        input.name = "result-" + r.position;
        input.checked = input.value === r.result;
      });
      var note = node.querySelector("textarea");
      note.name = "note-" + r.position;
      note.value = r.note;
      node.querySelector("[data-slot=photos]").setAttribute("data-item-photos", r.position);
      node.querySelector("[data-slot=actions]").hidden = r.result !== "fail";
      node.querySelector("[data-photo-item]").setAttribute("data-photo-item", r.position);
      node.querySelector("[data-hazard-item]").setAttribute("data-hazard-item", r.position);
      container.appendChild(node);
    });
  }

  function renderHazards() {
    var list = $("c-hazards");
    $("c-hazard-count").textContent = record.hazards.length;
    if (!record.hazards.length) { return; }
    list.textContent = "";
    record.hazards.forEach(function (h) {
      list.appendChild(el("div", { class: "item", "data-hazard": h.uuid }, [
        el("p", {}, [el("span", { class: "tag " + (h.level === "major" ? "risk-red" : "risk-yellow"), text: T[h.level] }),
                     document.createTextNode(" " + h.place)]),
        el("p", { text: h.description }),
        el("p", { class: "small muted", text: "📷 " + h.media_uuids.length })
      ]));
    });
  }

  function distanceM(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad;
    var dLng = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLng / 2), 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  function renderPosition() {
    var p = record.position;
    $("no-position").hidden = !!p;
    var shown = $("c-position");
    shown.hidden = !p;
    if (!p) { return; }
    var text = fill(T.position, { lat: p.latitude.toFixed(6), lng: p.longitude.toFixed(6),
                                  acc: p.accuracy_m != null ? Math.round(p.accuracy_m) : "?" });
    if (record.enterprise_position) {
      var m = Math.round(distanceM([p.latitude, p.longitude], record.enterprise_position));
      text += " · " + fill(T.distance, { m: m }) + (m > FAR_M ? " — " + T.far : "");
      shown.className = m > FAR_M ? "error" : "ok-text";
    }
    shown.textContent = text;
  }

  function fillForm() {
    ["work_id_number", "parts", "content", "findings", "measures"].forEach(function (name) {
      form.elements[name].value = record.fields[name];
    });
    form.elements.id_shown.checked = !!record.fields.id_shown;
  }

  // --- the rules, as the server applies them ------------------------------------------
  function clean(value) { return String(value || "").trim(); }

  function missing() {
    var out = [];
    var f = record.fields;
    ["id_shown", "work_id_number", "parts", "findings", "measures"].forEach(function (key) {
      if (!(key === "id_shown" ? f.id_shown : clean(f[key]))) { out.push(T["missing_" + key]); }
    });
    var unanswered = record.results.filter(function (r) { return !r.result; }).length;
    if (unanswered) { out.push(T.missing_results.replace("%(n)d", unanswered)); }
    var noNote = record.results.filter(function (r) { return r.result === "fail" && !clean(r.note); }).length;
    if (noNote) { out.push(T.missing_results_note.replace("%(n)d", noNote)); }
    return out;
  }

  function summary() {
    var f = record.fields;
    var levels = { general: "一般", major: "重大" };
    var failed = record.results.slice().sort(function (a, b) { return a.position - b.position; })
      .filter(function (r) { return r.result === "fail"; });
    var lines = ["现场检查记录 " + record.uuid, "企业：" + record.enterprise_name + "（" + record.enterprise_uscc + "）",
                 "检查人员：" + record.inspector_name + "（工作证号 " + clean(f.work_id_number) + "）",
                 "检查部位：" + clean(f.parts), "检查情况：" + clean(f.findings), "处理措施：" + clean(f.measures),
                 "不合格项：" + failed.length + " 项"];
    failed.forEach(function (r) { lines.push("  - " + r.text + "：" + clean(r.note)); });
    lines.push("上报隐患：" + record.hazards.length + " 项");
    record.hazards.forEach(function (h) { lines.push("  - [" + levels[h.level] + "] " + h.place + " " + h.description); });
    return lines.join("\n");
  }

  function renderFinish() {
    var gaps = missing();
    var list = $("missing");
    list.textContent = "";
    gaps.forEach(function (m) { list.appendChild(el("li", { text: m })); });
    $("missing-title").hidden = !gaps.length;
    var area = $("sign-area");
    var wasHidden = area.hidden;
    area.hidden = gaps.length > 0;
    $("summary").textContent = summary();
    if (wasHidden && !area.hidden) { document.dispatchEvent(new CustomEvent("fieldapp:signature-shown")); }
  }

  function render() {
    $("c-enterprise").textContent = record.enterprise_name;
    $("c-meta").textContent = fill(T.meta, { uuid: record.uuid.slice(0, 8), time: when(record.started_at) });
    $("c-template").textContent = record.template_name;
    fillForm();
    renderItems();
    renderPosition();
    renderHazards();
    renderFinish();
    $("c-body").hidden = false;
    return renderPhotos();
  }

  // --- editing ------------------------------------------------------------------------
  function readForm(event) {
    var target = event.target;
    var name = target.name || "";
    if (name === "id_shown") { record.fields.id_shown = target.checked; }
    else if (name in record.fields) { record.fields[name] = target.value; }
    else if (/^(result|note)-\d+$/.test(name)) {
      var position = Number(name.split("-")[1]);
      var r = record.results.filter(function (x) { return x.position === position; })[0];
      if (name.indexOf("result") === 0) {
        r.result = target.value;
        document.querySelector("#item-" + position + " [data-slot=actions]").hidden = r.result !== "fail";
      } else { r.note = target.value; }
    } else { return; }
    renderFinish();
    save();
  }

  function storePhoto(file, kind) {
    var shrink = window.fieldappPhoto ? window.fieldappPhoto.shrink : function (f) { return Promise.resolve(f); };
    return shrink(file).then(function (blob) { return store.putMedia(db, record.uuid, blob, kind); });
  }

  function addPhotos(files, itemPosition) {
    var added = [];
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return storePhoto(file, "photo"); }).then(function (item) {
        record.photos.push({ media_uuid: item.uuid, item_position: itemPosition, caption: "" });
        added.push(item.uuid);
      });
    });
    return chain.then(function () { return save(); }, function (error) {
      save();
      $("c-error").textContent = T.photo_failed;
      $("c-error").hidden = false;
      throw error;
    }).then(function () { return renderPhotos(); }).then(function () { return added; });
  }

  function removePhoto(mediaUuid) {
    if (usedByHazard(mediaUuid)) { window.alert(T.photo_in_hazard); return Promise.resolve(); }
    record.photos = record.photos.filter(function (p) { return p.media_uuid !== mediaUuid; });
    var tx = db.transaction("media", "readwrite");
    tx.objectStore("media").delete(mediaUuid);
    return store.done(tx).then(save).then(renderPhotos);
  }

  // --- hazards ------------------------------------------------------------------------
  var hazardItem = null;
  var hazardPicks = {};

  function renderHazardPicks() {
    var grid = $("h-photos");
    return Promise.all(record.photos.map(function (ref) {
      var box = el("input", { type: "checkbox", value: ref.media_uuid });
      box.checked = !!hazardPicks[ref.media_uuid];
      return thumb(ref.media_uuid).then(function (figure) {
        if (!figure) { return null; }
        var label = el("label", { class: "photo pick" }, [box, figure.querySelector("img")]);
        return label;
      });
    })).then(function (labels) {
      grid.textContent = "";
      labels.forEach(function (l) { if (l) { grid.appendChild(l); } });
    });
  }

  function openHazard(itemPosition) {
    hazardItem = itemPosition;
    hazardPicks = {};
    record.photos.forEach(function (p) {
      if (itemPosition != null && p.item_position === itemPosition) { hazardPicks[p.media_uuid] = true; }
    });
    $("hazard-form").reset();
    $("h-error").hidden = true;
    var item = itemPosition != null ? record.results.filter(function (r) { return r.position === itemPosition; })[0] : null;
    if (item && item.note) { $("f-description").value = item.note; }
    $("hazard-panel").hidden = false;
    renderHazardPicks().then(function () { $("hazard-panel").scrollIntoView(); });
  }

  function saveHazard(event) {
    event.preventDefault();
    var f = $("hazard-form").elements;
    var chosen = Array.prototype.filter.call($("h-photos").querySelectorAll("input:checked"), function () { return true; })
      .map(function (box) { return box.value; });
    var errors = [];
    if (!clean(f.description.value)) { errors.push(T.hazard_description); }
    if (["general", "major"].indexOf(f.level.value) < 0) { errors.push(T.hazard_level); }
    if (!chosen.length) { errors.push(T.hazard_photos); }
    if (errors.length) {
      $("h-error").textContent = errors.join(" ");
      $("h-error").hidden = false;
      return;
    }
    record.hazards.push({ uuid: store.uuid4(), description: clean(f.description.value), place: clean(f.place.value),
                          level: f.level.value, legal_basis: clean(f.legal_basis.value), media_uuids: chosen,
                          item_position: hazardItem });
    $("hazard-panel").hidden = true;
    save().then(function () {
      renderHazards();
      renderFinish();
      renderPhotos();
      $("hazards").scrollIntoView();
    });
  }

  // --- finishing ----------------------------------------------------------------------
  function dataUrlBlob(dataUrl) {
    var bytes = atob(dataUrl.split(",", 2)[1]);
    var out = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { out[i] = bytes.charCodeAt(i); }
    return new Blob([out], { type: "image/png" });
  }

  // The server's test for a real signature (span and ink), so the signer is asked again
  // here, not after they have left.
  function signatureTooSimple(canvas) {
    var w = canvas.width;
    var h = canvas.height;
    var data = canvas.getContext("2d").getImageData(0, 0, w, h).data;
    var minX = w, minY = h, maxX = -1, maxY = -1, inked = 0;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        if (data[(y * w + x) * 4 + 3] > 40) {
          inked += 1;
          if (x < minX) { minX = x; }
          if (x > maxX) { maxX = x; }
          if (y < minY) { minY = y; }
          if (y > maxY) { maxY = y; }
        }
      }
    }
    return maxX < 0 || (maxX + 1 - minX) < w * 0.12 || (maxY + 1 - minY) < h * 0.08 || inked < 150;
  }

  function payload() {
    var f = record.fields;
    var body = {
      uuid: record.uuid, enterprise_id: record.enterprise_id, started_at: record.started_at,
      ended_at: record.ended_at, position: record.position,
      fields: { parts: clean(f.parts), content: clean(f.content), findings: clean(f.findings),
                measures: clean(f.measures), work_id_number: clean(f.work_id_number), id_shown: !!f.id_shown },
      results: record.results.map(function (r) {
        return { position: r.position, result: r.result || null, note: clean(r.note), text: r.text };
      }),
      photos: record.photos.map(function (p) {
        return { media_uuid: p.media_uuid, item_position: p.item_position, caption: p.caption || "" };
      }),
      hazards: record.hazards.map(function (h) {
        return { uuid: h.uuid, description: h.description, place: h.place, level: h.level,
                 legal_basis: h.legal_basis, media_uuids: h.media_uuids, item_position: h.item_position };
      }),
      finish: record.finish,
      app_version: document.querySelector("meta[name=fieldapp-release]")
        ? document.querySelector("meta[name=fieldapp-release]").content : ""
    };
    return body;
  }

  function finalise(finish) {
    var now = new Date().toISOString();
    finish.at = now;
    record.finish = finish;
    record.ended_at = now;
    record.finished_at = now;
    record.payload = payload();  // frozen: every retry sends exactly these bytes' meaning
    record.state = "ready";
    return save().then(showDone).then(function () {
      return window.fieldappOutbox ? window.fieldappOutbox.kick() : null;
    }).then(showDone);
  }

  function sign(event) {
    event.preventDefault();
    var errorBox = $("sign-error");
    var name = clean($("f-signer_name").value);
    var canvas = $("signature-pad");
    var dataUrl = $("signature").value;
    var error = !name ? T.signer_name : !dataUrl ? T.signature_missing
      : signatureTooSimple(canvas) ? T.signature_simple : "";
    if (missing().length) { error = missing().join(" "); }
    errorBox.textContent = error;
    errorBox.hidden = !error;
    if (error) { return; }
    var text = summary();
    Promise.all([store.putMedia(db, record.uuid, dataUrlBlob(dataUrl), "signature"),
                 store.sha256Hex(new TextEncoder().encode(text))]).then(function (parts) {
      return finalise({ kind: "signed", signer_name: name, opinion: clean($("f-signer_opinion").value),
                        signature_media_uuid: parts[0].uuid, summary_sha256: parts[1] });
    });
  }

  var refusalPhoto = null;

  function refuse(event) {
    event.preventDefault();
    var reason = clean($("f-refusal_reason").value);
    var error = missing().length ? missing().join(" ") : !reason ? T.refusal_reason : !refusalPhoto ? T.refusal_photo : "";
    $("refuse-error").textContent = error;
    $("refuse-error").hidden = !error;
    if (error) { return; }
    finalise({ kind: "refused", signer_name: clean($("f-refuse_name").value), reason: reason,
               photo_media_uuid: refusalPhoto });
  }

  function showDone() {
    if (record.state === "draft") { return Promise.resolve(); }
    $("c-body").hidden = true;
    $("c-done").hidden = false;
    return store.get(db, "records", record.uuid).then(function (latest) {
      latest = latest || record;
      $("c-done-state").textContent = latest.state === "synced"
        ? fill(T.done_synced, { number: latest.server.number })
        : latest.state === "failed" ? fill(T.done_failed, { error: latest.last_error }) : T.done_waiting;
    });
  }

  function bind() {
    form.addEventListener("input", readForm);
    form.addEventListener("change", readForm);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    document.addEventListener("fieldapp:located", function () {
      var lat = parseFloat(form.elements.latitude.value);
      var lng = parseFloat(form.elements.longitude.value);
      if (isNaN(lat) || isNaN(lng)) { return; }
      var acc = parseFloat(form.elements.accuracy_m.value);
      record.position = { latitude: lat, longitude: lng, accuracy_m: isNaN(acc) ? null : acc };
      renderPosition();
      save();
    });
    $("c-photo-input").addEventListener("change", function () {
      var input = this;
      addPhotos(input.files, null).catch(function () { return null; }).then(function () { input.value = ""; });
    });
    $("c-items").addEventListener("change", function (event) {
      var position = event.target.getAttribute("data-photo-item");
      if (position !== null && event.target.files) {
        var input = event.target;
        addPhotos(input.files, Number(position)).catch(function () { return null; }).then(function () { input.value = ""; });
      }
    });
    $("c-items").addEventListener("click", function (event) {
      var position = event.target.getAttribute("data-hazard-item");
      if (position !== null) { openHazard(Number(position)); }
    });
    $("photos").addEventListener("click", function (event) {
      var media = event.target.getAttribute("data-remove-photo");
      if (media) { removePhoto(media); }
    });
    $("c-hazard-new").addEventListener("click", function () { openHazard(null); });
    $("h-cancel").addEventListener("click", function () { $("hazard-panel").hidden = true; });
    $("h-photos").addEventListener("change", function (event) {
      if (event.target.type === "checkbox") { hazardPicks[event.target.value] = event.target.checked; }
    });
    $("h-photo-input").addEventListener("change", function () {
      var input = this;
      addPhotos(input.files, hazardItem).then(function (added) {
        added.forEach(function (u) { hazardPicks[u] = true; });
        return renderHazardPicks();
      }).catch(function () { return null; }).then(function () { input.value = ""; });
    });
    $("hazard-form").addEventListener("submit", saveHazard);
    $("sign-form").addEventListener("submit", sign);
    $("refuse-form").addEventListener("submit", refuse);
    $("refuse-photo").addEventListener("change", function () {
      var input = this;
      if (!input.files.length) { return; }
      storePhoto(input.files[0], "refusal").then(function (item) {
        refusalPhoto = item.uuid;
        return thumb(item.uuid);
      }).then(function (figure) {
        $("refuse-preview").textContent = "";
        if (figure) { $("refuse-preview").appendChild(figure); }
      }).catch(function () {
        $("refuse-error").textContent = T.photo_failed;
        $("refuse-error").hidden = false;
      });
    });
    $("c-delete").addEventListener("click", function () {
      if (!window.confirm(T.confirm_delete)) { return; }
      store.deleteRecord(db, record.uuid).then(function () { window.location.href = "/offline"; });
    });
  }

  store.currentUser().then(function (uid) {
    if (!uid) { return; }  // outbox.js shows "please log in"
    return openRecord(uid).then(function () {
      if (record.state !== "draft") { return showDone(); }
      bind();
      return render();
    });
  }).catch(function (error) { fail(error.message || String(error)); });
})();
