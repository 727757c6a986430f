// The on-site re-check (复查) on the phone (/capture?recheck=<hazard id>): pass or fail,
// photos, position, and for a failure the reason and a new deadline — the same fields as
// the online form on the hazard page. Kept in the outbox and sent by sync.js to
// /api/v1/hazards/<id>/rechecks, where the same service as online decides.
(function () {
  "use strict";
  var root = document.getElementById("capture");
  var store = window.fieldappStore;
  var hazardId = Number(new URLSearchParams(window.location.search).get("recheck"));
  if (!root || !store || !hazardId) { return; }
  var T = JSON.parse(root.getAttribute("data-text") || "{}");
  var form = document.getElementById("recheck-form");
  var db = null;
  var record = null;
  var photos = [];
  var fill = window.fieldappUi.fill;

  function $(id) { return document.getElementById(id); }

  function fail(message) {
    $("c-error").textContent = message;
    $("c-error").hidden = false;
  }

  function today() {
    var now = new Date();
    return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
  }

  function show(hazard) {
    $("r-enterprise").textContent = hazard.enterprise_name;
    $("r-hazard").textContent = (hazard.place ? hazard.place + " · " : "") + hazard.description;
    $("r-measures").textContent = hazard.required_measures ? fill(T.measures, { text: hazard.required_measures }) : "";
    $("r-deadline").textContent = hazard.deadline ? fill(T.deadline, { date: hazard.deadline }) : "";
    form.elements.r_deadline.min = today();
    $("recheck-body").hidden = false;
  }

  function showPhoto(item) {
    var figure = document.createElement("figure");
    figure.className = "photo";
    var img = document.createElement("img");
    img.src = URL.createObjectURL(item.blob);
    img.alt = "";
    figure.appendChild(img);
    $("r-photos").appendChild(figure);
  }

  function addPhotos(files) {
    var shrink = window.fieldappPhoto ? window.fieldappPhoto.shrink : function (f) { return Promise.resolve(f); };
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return shrink(file); })
        .then(function (blob) { return store.putMedia(db, record.uuid, blob, "photo"); })
        .then(function (item) {
          photos.push(item.uuid);
          showPhoto(item);
        });
    });
    return chain.catch(function () { fail(T.photo_failed); });
  }

  function submit(event) {
    event.preventDefault();
    var choice = form.querySelector("input[name=passed]:checked");
    var passed = choice ? choice.value === "1" : null;
    var note = form.elements.r_note.value.trim();
    var deadline = form.elements.r_deadline.value;
    var errors = [];
    if (passed === null) { errors.push(T.recheck_result); }
    if (!photos.length) { errors.push(T.recheck_photos); }
    if (passed === false && !note) { errors.push(T.recheck_note); }
    if (passed === false && (!deadline || deadline < today())) { errors.push(T.recheck_deadline); }
    $("r-error").textContent = errors.join(" ");
    $("r-error").hidden = !errors.length;
    if (errors.length) { return; }
    var lat = parseFloat(form.elements.latitude.value);
    var lng = parseFloat(form.elements.longitude.value);
    var acc = parseFloat(form.elements.accuracy_m.value);
    var now = new Date().toISOString();
    record.payload = {
      uuid: record.uuid, passed: passed, note: note, deadline: passed ? null : deadline,
      position: isNaN(lat) || isNaN(lng) ? null : { latitude: lat, longitude: lng, accuracy_m: isNaN(acc) ? null : acc },
      media_uuids: photos, at: now,
      app_version: document.querySelector("meta[name=fieldapp-release]")
        ? document.querySelector("meta[name=fieldapp-release]").content : ""
    };
    record.state = "ready";
    record.finished_at = now;
    record.updated_at = now;
    store.put(db, "records", record).then(function () {
      $("recheck-body").hidden = true;
      $("c-done").hidden = false;
      $("c-done-state").textContent = T.done_waiting;
      return window.fieldappOutbox ? window.fieldappOutbox.kick() : null;
    }).then(function () {
      return store.get(db, "records", record.uuid);
    }).then(function (latest) {
      if (latest && latest.state === "synced") { $("c-done-state").textContent = fill(T.done_synced, { number: "" }); }
      if (latest && latest.state === "failed") { $("c-done-state").textContent = fill(T.done_failed, { error: latest.last_error }); }
    });
  }

  store.currentUser().then(function (uid) {
    if (!uid) { return null; }
    return store.open(uid).then(function (opened) {
      db = opened;
      return store.get(db, "meta", "pack");
    }).then(function (pack) {
      var hazard = ((pack || {}).rechecks || []).filter(function (h) { return h.id === hazardId; })[0];
      if (!hazard) { throw new Error(T.no_recheck); }
      var now = new Date().toISOString();
      // One re-check record per hazard on this phone; taken up again if the page is reopened.
      return store.getAll(db, "records").then(function (all) {
        var open = all.filter(function (r) { return r.kind === "recheck" && r.hazard_id === hazardId && r.state === "draft"; })[0];
        record = open || { uuid: store.uuid4(), kind: "recheck", state: "draft", hazard_id: hazardId,
                           enterprise_id: hazard.enterprise_id, enterprise_name: hazard.enterprise_name,
                           created_at: now, updated_at: now, started_at: now, attempts: 0, last_error: "" };
        return store.put(db, "records", record);
      }).then(function () {
        return store.mediaOf(db, record.uuid);
      }).then(function (media) {
        photos = [];
        media.forEach(function (item) {
          photos.push(item.uuid);
          showPhoto(item);
        });
        show(hazard);
        $("r-photo-input").addEventListener("change", function () {
          var input = this;
          addPhotos(input.files).then(function () { input.value = ""; });
        });
        form.addEventListener("submit", submit);
        document.addEventListener("fieldapp:located", function () {
          var p = $("r-position");
          p.textContent = form.elements.latitude.value + ", " + form.elements.longitude.value;
          p.hidden = false;
        });
      });
    });
  }).catch(function (error) { fail(error.message || String(error)); });
})();
