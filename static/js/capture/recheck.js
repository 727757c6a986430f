// The on-site re-check (复查) on the phone (/capture?recheck=<hazard id>): pass or fail, photos,
// the position (improving by itself, as on the inspection form), and for a failure the reason and a
// new deadline — the same fields as the online form on the hazard page. Kept in the outbox and sent
// by sync.js to /api/v1/hazards/<id>/rechecks, where the same service as online decides.

import { $, fill, SEP } from "../ui.js";
import * as Geo from "./geo.js";
import { shrink } from "../photo.js";

function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

export class Recheck {
  constructor(root, store, texts, hazardId) {
    this.root = root;
    this.store = store;
    this.T = texts;
    this.hazardId = hazardId;
    this.form = $("recheck-form");
    this.photos = [];
    this.position = null;
    this.target = Number(root.dataset.gpsTarget) || 50;
  }

  show(hazard) {
    const T = this.T;
    $("r-enterprise").textContent = hazard.enterprise_name;
    $("r-hazard").textContent = (hazard.place ? hazard.place + SEP : "") + hazard.description;
    $("r-measures").textContent = hazard.required_measures ? fill(T.measures, { text: hazard.required_measures }) : "";
    $("r-deadline").textContent = hazard.deadline ? fill(T.deadline, { date: hazard.deadline }) : "";
    this.form.elements.r_deadline.min = today();
    $("recheck-body").hidden = false;
  }

  showPhoto(item) {
    const figure = document.createElement("figure");
    figure.className = "photo";
    const img = document.createElement("img");
    img.src = URL.createObjectURL(item.blob);
    img.alt = this.T.photo;
    figure.appendChild(img);
    $("r-photos").appendChild(figure);
  }

  async addPhotos(files) {
    try {
      for (const file of Array.from(files)) {
        const item = await this.store.putMedia(this.db, this.record.uuid, await shrink(file), "photo");
        this.photos.push(item.uuid);
        this.showPhoto(item);
      }
    } catch (error) {
      this.fail(this.T.photo_failed);
    }
  }

  fail(message) {
    $("r-error").textContent = message;
    $("r-error").hidden = !message;
  }

  gps(fix, state) {
    const T = this.T;
    const box = $("r-gps");
    $("r-gps-retry").hidden = state === "watching";
    if (!fix) {
      box.dataset.state = state === "watching" ? "none" : "poor";
      $("r-gps-text").textContent = { denied: T.gps_denied, unavailable: T.gps_unavailable, timeout: T.gps_none }[state]
        || T.gps_waiting;
      return;
    }
    this.position = { latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy };
    box.dataset.state = Geo.quality(fix.accuracy, this.target);
    $("r-gps-text").textContent = [fill(T.gps_accuracy, { m: fix.accuracy }),
                                   state === "watching" ? T.gps_improving : ""].filter(Boolean).join(SEP);
  }

  async submit(event) {
    event.preventDefault();
    const T = this.T;
    const choice = this.form.querySelector("input[name=passed]:checked");
    const passed = choice ? choice.value === "1" : null;
    const note = this.form.elements.r_note.value.trim();
    const deadline = this.form.elements.r_deadline.value;
    const errors = [];
    if (passed === null) { errors.push(T.recheck_result); }
    if (!this.photos.length) { errors.push(T.recheck_photos); }
    if (passed === false && !note) { errors.push(T.recheck_note); }
    if (passed === false && (!deadline || deadline < today())) { errors.push(T.recheck_deadline); }
    this.fail(errors.join(" "));
    if (errors.length) { return; }
    const now = new Date().toISOString();
    const release = document.querySelector("meta[name=fieldapp-release]");
    const record = this.record;
    record.payload = { uuid: record.uuid, passed, note, deadline: passed ? null : deadline, position: this.position,
                       media_uuids: this.photos, at: now, app_version: release ? release.content : "" };
    record.state = "ready";
    record.finished_at = now;
    record.updated_at = now;
    if (this.locator) { this.locator.stop(); }
    await this.store.put(this.db, "records", record);
    $("recheck-body").hidden = true;
    $("c-done").hidden = false;
    $("c-done-state").textContent = T.done_waiting;
    if (window.fieldappOutbox) { await window.fieldappOutbox.kick(); }
    const latest = await this.store.get(this.db, "records", record.uuid);
    if (latest && latest.state === "synced") { $("c-done-state").textContent = T.recheck_synced; }
    if (latest && latest.state === "failed") {
      $("c-done-state").textContent = fill(T.done_failed, { error: latest.last_error });
    }
  }

  async start(uid) {
    this.db = await this.store.open(uid);
    const pack = (await this.store.get(this.db, "meta", "pack")) || {};
    const hazard = (pack.rechecks || []).find((h) => h.id === this.hazardId);
    if (!hazard) { throw new Error(this.T.no_recheck); }
    const now = new Date().toISOString();
    // One re-check record per hazard on this phone; taken up again if the page is reopened.
    const all = await this.store.getAll(this.db, "records");
    this.record = all.find((r) => r.kind === "recheck" && r.hazard_id === this.hazardId && r.state === "draft") || {
      uuid: this.store.uuid4(), kind: "recheck", state: "draft", hazard_id: this.hazardId,
      enterprise_id: hazard.enterprise_id, enterprise_name: hazard.enterprise_name, hazard_description: hazard.description,
      created_at: now, updated_at: now, started_at: now, attempts: 0, last_error: "" };
    await this.store.put(this.db, "records", this.record);
    if (window.fieldappOutbox) { window.fieldappOutbox.refresh(); }
    (await this.store.mediaOf(this.db, this.record.uuid)).forEach((item) => {
      this.photos.push(item.uuid);
      this.showPhoto(item);
    });
    this.show(hazard);
    $("r-photo-input").addEventListener("change", async (event) => {
      const input = event.target;
      await this.addPhotos(input.files);
      input.value = "";
    });
    this.form.addEventListener("submit", (event) => this.submit(event));
    this.locator = new Geo.Locator({ target: this.target, onFix: (fix, state) => this.gps(fix, state) });
    $("r-gps-retry").addEventListener("click", () => this.locator.start());
    this.locator.start();
  }
}
