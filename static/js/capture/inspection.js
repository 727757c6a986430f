// The on-site inspection on the phone (/capture?enterprise=<id> or ?record=<uuid>): opens or
// resumes the record in IndexedDB, saves every change at once, and hands the finished record to
// the outbox (sync.js). The parts live in their own modules; this one holds them together.

import { $, el, fill, goTo, phraseButtons, SEP, when } from "../ui.js";
import * as R from "./record.js";
import * as Geo from "./geo.js";
import { Checklist } from "./checklist.js";
import { Photos } from "./photos.js";
import { HazardPanel } from "./hazard.js";
import { Markup } from "./markup.js";
import { SignView } from "./sign.js";
import * as Code from "../scan/code.js";

const WORK_ID_KEY = "work_id";  // the work ID this phone remembers when none is issued yet

export class Inspection {
  constructor(root, store, texts) {
    this.root = root;
    this.store = store;
    this.texts = texts;
    this.form = $("capture-form");
    this.saving = Promise.resolve();
    this.showErrors = false;
    this.target = Number(root.dataset.gpsTarget) || 50;
    this.farM = Number(root.dataset.far);  // the server's limit (services/geo.FAR_M)
  }

  error(message) {
    $("c-error").textContent = message;
    $("c-error").hidden = !message;
  }

  // --- opening -------------------------------------------------------------------------
  async open(uid, params) {
    this.db = await this.store.open(uid);
    if (params.get("record")) {
      this.record = await this.store.get(this.db, "records", params.get("record"));
      if (!this.record) { throw new Error(this.texts.no_record); }
    } else {
      const id = Number(params.get("enterprise"));
      const [enterprise, pack, records, remembered] = await Promise.all([
        this.store.get(this.db, "enterprises", id), this.store.get(this.db, "meta", "pack"),
        this.store.getAll(this.db, "records"), this.store.get(this.db, "meta", WORK_ID_KEY)]);
      if (!enterprise || !pack || !pack.me) { throw new Error(this.texts.no_enterprise); }
      if (pack.recused && pack.recused[enterprise.id]) { throw new Error(pack.recused[enterprise.id]); }
      // A draft already open for this enterprise is resumed, not doubled (a double tap, a back button).
      const draft = records.find((r) => r.kind !== "recheck" && r.state === "draft" && r.enterprise_id === enterprise.id);
      if (draft) {
        this.record = draft;
      } else {
        const template = await this.store.get(this.db, "templates", enterprise.template_id);
        if (!template) { throw new Error(this.texts.no_template); }
        this.record = R.newRecord({ uuid: this.store.uuid4(), now: new Date().toISOString(), enterprise, template,
                                    me: pack.me, rememberedWorkId: remembered || "" });
        await this.store.put(this.db, "records", this.record);
      }
    }
    if (params.get("scan") && this.record.state === "draft") { await this.attachScan(params.get("scan")); }
    window.history.replaceState(null, "", "/capture?record=" + this.record.uuid);
  }

  // The enterprise's code scanned on site (一企一码): kept with the record, checked here as far as
  // the phone can (which enterprise, which version) and by the server at sync.
  async attachScan(text) {
    const code = Code.parseCode(text);
    if (!code) { return; }
    const enterprise = (await this.store.get(this.db, "enterprises", this.record.enterprise_id)) || { id: this.record.enterprise_id };
    this.record.checkin = Code.checkin(code, enterprise, new Date());
    await this.save();
  }

  renderCheckin() {
    const T = this.texts;
    const scan = this.record.checkin;
    const box = $("c-checkin");
    const warnings = scan ? scan.warnings || [] : [];
    box.dataset.state = !scan ? "none" : warnings.length ? "warn" : "ok";
    $("c-checkin-text").textContent = !scan ? T.checkin_none
      : [fill(T.checkin_done, { time: when(scan.at) }), ...warnings.map((w) => T["checkin_" + w])].join(SEP);
    $("c-checkin-scan").href = "/scan?record=" + this.record.uuid;
    $("c-checkin-scan").textContent = scan ? T.checkin_again : T.checkin_scan;
  }

  save() {
    const record = this.record;
    record.updated_at = new Date().toISOString();
    this.saving = this.saving.then(() => this.store.put(this.db, "records", record));
    return this.saving.then(() => { if (window.fieldappOutbox) { window.fieldappOutbox.refresh(); } });
  }

  // Called after every change: keep it, and bring what depends on it up to date.
  async changed(what) {
    if (what.item != null) { this.checklist.updateItem(what.item); }
    if (what.hazards) { this.renderHazards(); this.checklist.updateAll(); }
    this.renderFinish();
    await this.save();
  }

  // --- rendering -----------------------------------------------------------------------
  render() {
    const record = this.record;
    $("c-enterprise").textContent = record.enterprise_name;
    $("c-meta").textContent = fill(this.texts.meta, { uuid: record.uuid.slice(0, 8), time: when(record.started_at) });
    $("c-template").textContent = record.template_name;
    ["work_id_number", "parts", "content", "findings", "measures"].forEach((name) => {
      this.form.elements[name].value = record.fields[name] || "";
    });
    this.form.elements.id_shown.checked = !!record.fields.id_shown;
    this.compactFields();
    const hint = $("h-parts");
    hint.hidden = !record.defaults_from;
    hint.textContent = record.defaults_from ? this.texts["defaults_" + record.defaults_from] : "";
    this.checklist.render();
    this.renderHazards();
    this.renderPosition(record.position ? { latitude: record.position.latitude, longitude: record.position.longitude,
                                            accuracy: record.position.accuracy_m, timestamp: null } : null, "none");
    this.renderFinish();
    this.renderCheckin();
    $("c-body").hidden = false;
    return this.photos.render();
  }

  // What is filled in already (the work ID, the parts and content proposed) takes one line.
  compactFields() {
    document.querySelectorAll(".field.compact").forEach((box) => {
      const input = box.querySelector("input, textarea");
      const value = R.clean(input.value);
      box.querySelector("[data-value]").textContent = value;
      box.classList.toggle("is-compact", !!value && !box.dataset.editing);
      const edit = box.querySelector("[data-edit]");
      edit.setAttribute("aria-label", edit.textContent + " " + box.querySelector("label").textContent.replace("*", "").trim());
      edit.onclick = () => {
        box.dataset.editing = "1";
        box.classList.remove("is-compact");
        input.focus();
      };
    });
  }

  renderHazards() {
    const list = $("c-hazards");
    const T = this.texts;
    $("c-hazard-count").textContent = fill(T.count, { n: this.record.hazards.length });
    list.textContent = "";
    if (!this.record.hazards.length) { list.appendChild(el("p", { class: "muted", text: T.none })); }
    this.record.hazards.forEach((h) => {
      const where = h.item_position != null ? this.photos.itemLabel(h.item_position) : T.not_on_item;
      list.appendChild(el("div", { class: "item", "data-hazard": h.uuid }, [
        el("p", {}, [el("span", { class: "tag " + (h.level === "major" ? "risk-red" : "risk-yellow"), text: T[h.level] }),
                     document.createTextNode(" " + h.description)]),
        el("p", { class: "small muted", text: [h.place, where, fill(T.photos_n, { n: h.media_uuids.length })]
          .filter(Boolean).join(SEP) })]));
    });
    (this.record.followups || []).forEach((f) => {
      const status = T["hazard_status_" + f.hazard_status] || f.hazard_status || "";
      list.appendChild(el("div", { class: "item", "data-followup": f.hazard_id }, [
        el("p", {}, [el("span", { class: "tag status-new", text: T.followup }),
                     document.createTextNode(" " + (f.note || f.hazard_description))]),
        el("p", { class: "small muted", text: [fill(T.followup_of, { description: f.hazard_description, status }),
                                               fill(T.photos_n, { n: f.media_uuids.length })].join(SEP) })]));
    });
  }

  renderPosition(fix, state) {
    const T = this.texts;
    const box = $("c-gps");
    const text = $("c-gps-text");
    $("c-gps-retry").hidden = state === "watching";
    if (!fix) {
      box.dataset.state = state === "denied" || state === "unavailable" || state === "timeout" ? "poor" : "none";
      text.textContent = { denied: T.gps_denied, unavailable: T.gps_unavailable, timeout: T.gps_none }[state]
        || T.gps_waiting;
      return;
    }
    const parts = [fill(T.gps_accuracy, { m: fix.accuracy })];
    if (fix.timestamp) { parts.push(fill(T.gps_age, { s: Geo.ageSeconds(fix, Date.now()) })); }
    let quality = Geo.quality(fix.accuracy, this.target);
    if (this.record.enterprise_position) {
      const m = Math.round(R.distanceM([fix.latitude, fix.longitude], this.record.enterprise_position));
      parts.push(fill(T.distance, { m }));
      if (m > this.farM) { parts.push(T.far); quality = "poor"; }
    }
    if (state === "watching") { parts.push(T.gps_improving); }
    box.dataset.state = quality;
    text.textContent = parts.join(SEP);
  }

  startGps() {
    this.locator = new Geo.Locator({ target: this.target, onFix: (fix, state) => {
      if (fix && fix.timestamp) {
        this.record.position = { latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy };
        this.record.checkin = Code.withPosition(this.record.checkin, fix, Date.now());
        this.save();
      }
      this.lastFix = fix;
      this.gpsState = state;
      this.renderPosition(fix, state);
    } });
    this.locator.start();
    // The age shown keeps counting while the page is open.
    setInterval(() => { if (this.lastFix && this.lastFix.timestamp) { this.renderPosition(this.lastFix, this.gpsState); } },
                5000);
  }

  renderFinish() {
    const T = this.texts;
    const gaps = R.missing(this.record, T);
    const list = $("missing");
    list.textContent = "";
    gaps.forEach((g) => {
      const link = el("button", { type: "button", class: "link missing-link", "data-go": g.target, text: g.text });
      list.appendChild(el("li", {}, [link]));
    });
    $("ready-text").hidden = gaps.length > 0;
    $("missing-title").hidden = !gaps.length;
    const p = R.progress(this.record);
    $("c-all-pass").hidden = p.answered === p.total;
    $("bar-progress").textContent = fill(T.progress, { done: p.answered, total: p.total });
    const finish = $("bar-finish");
    finish.textContent = gaps.length ? fill(T.finish_missing, { n: gaps.length }) : T.finish_ready;
    finish.classList.toggle("incomplete", gaps.length > 0);
    $("bar-next").hidden = !gaps.length;
    // Required fields say so beside themselves once the inspector has asked to finish.
    ["work_id_number", "parts", "findings", "measures"].forEach((key) => {
      const gap = gaps.find((g) => g.key === key);
      const box = $("e-" + key);
      box.hidden = !(gap && this.showErrors);
      box.textContent = gap ? gap.text : "";
      $("f-" + key).setAttribute("aria-invalid", String(!!(gap && this.showErrors)));
    });
    $("l-id_shown").classList.toggle("has-error", !!(this.showErrors && gaps.find((g) => g.key === "id_shown")));
    phraseButtons($("p-findings"), R.findingsPhrases(this.record, T), (p) => {
      this.record.fields.findings = p.findings;
      this.record.fields.measures = p.measures;
      this.form.elements.findings.value = p.findings;
      this.form.elements.measures.value = p.measures;
      this.changed({});
    });
    return gaps;
  }

  // --- editing -------------------------------------------------------------------------
  readField(event) {
    const target = event.target;
    const name = target.name || "";
    if (name === "id_shown") {
      this.record.fields.id_shown = target.checked;
    } else if (["work_id_number", "parts", "content", "findings", "measures"].indexOf(name) >= 0) {
      this.record.fields[name] = target.value;
      if (name === "work_id_number") { this.store.put(this.db, "meta", target.value.trim(), WORK_ID_KEY); }
    } else {
      return;
    }
    this.changed({});
  }

  next() {
    const here = document.activeElement && document.activeElement.closest(".check-item");
    const from = here ? Number(here.dataset.position) : null;
    const target = R.nextStop(this.record, this.texts, from);
    if (target) { this.showErrors = true; this.renderFinish(); this.checklist.updateAll(); goTo(target); }
  }

  finish() {
    this.showErrors = true;
    const gaps = this.renderFinish();
    this.checklist.updateAll();
    if (gaps.length) {
      goTo(gaps[0].target);
      return;
    }
    this.sign.open();
  }

  addPhotos(files, position) { return this.photos.add(files, position); }

  openHazard(position) { return this.hazard.open(position); }

  async markup(mediaUuid) {
    const ref = this.record.photos.find((p) => p.media_uuid === mediaUuid);
    const url = await this.photos.url(mediaUuid);
    await this.markupEditor.open(url, ref.markup, mediaUuid);
  }

  async finalise(finish) {
    const now = new Date().toISOString();
    finish.at = now;
    const record = this.record;
    record.finish = finish;
    record.ended_at = now;
    record.finished_at = now;
    const release = document.querySelector("meta[name=fieldapp-release]");
    record.payload = R.payload(record, release ? release.content : "");  // every retry sends this
    record.state = "ready";
    if (this.locator) { this.locator.stop(); }
    await this.save();
    await this.showDone();
    if (window.fieldappOutbox) { await window.fieldappOutbox.kick(); }
    await this.showDone();
  }

  async showDone() {
    if (this.record.state === "draft") { return; }
    $("c-body").hidden = true;
    $("sign-view").hidden = true;
    document.body.classList.remove("signing", "no-scroll");
    $("c-done").hidden = false;
    const latest = (await this.store.get(this.db, "records", this.record.uuid)) || this.record;
    const T = this.texts;
    $("c-done-state").textContent = latest.state === "synced" ? fill(T.done_synced, { number: latest.server.number })
      : latest.state === "failed" ? fill(T.done_failed, { error: latest.last_error }) : T.done_waiting;
  }

  async deleteDraft(button) {
    if (button.dataset.armed !== "1") {  // two taps: the first says what will be lost
      button.dataset.armed = "1";
      button.textContent = this.texts.confirm_delete;
      setTimeout(() => { button.dataset.armed = ""; button.textContent = this.texts.delete_draft; }, 6000);
      return;
    }
    await this.store.deleteRecord(this.db, this.record.uuid);
    window.location.href = "/offline";
  }

  bind() {
    this.form.addEventListener("input", (event) => this.readField(event));
    this.form.addEventListener("change", (event) => { if (event.target.name === "id_shown") { this.readField(event); } });
    this.form.addEventListener("submit", (event) => event.preventDefault());
    $("c-all-pass").addEventListener("click", () => this.checklist.passRest(null));
    $("bar-next").addEventListener("click", () => this.next());
    $("bar-finish").addEventListener("click", () => this.finish());
    $("missing").addEventListener("click", (event) => {
      const target = event.target.getAttribute("data-go");
      if (target) { goTo(target); }
    });
    $("c-gps-retry").addEventListener("click", () => this.locator.start());
    $("c-delete").addEventListener("click", (event) => this.deleteDraft(event.target));
    this.photos.bind();
    this.hazard.bind();
    this.sign.bind();
  }

  async start(uid, params) {
    await this.open(uid, params);
    if (this.record.state !== "draft") { await this.showDone(); return; }
    this.checklist = new Checklist(this);
    this.photos = new Photos(this);
    this.hazard = new HazardPanel(this);
    this.sign = new SignView(this);
    this.markupEditor = new Markup((mediaUuid, blob, shapes) => this.photos.setMarked(mediaUuid, blob, shapes));
    this.bind();
    await this.render();
    this.startGps();
  }
}
