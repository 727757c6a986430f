// Reporting a hazard where it was found: the panel opens under the checklist item (or in the
// hazards card for one not tied to an item), prefilled from the item, with the photo taken in the
// panel; saving returns to the item, which then shows the hazard. The enterprise's open hazards
// that look like it (same item, description alike) are offered first: evidence added to one of
// them (a follow-up, sent with the record) instead of the same hazard reported twice.

import { $, el, fill, phraseButtons, SEP } from "../ui.js";
import * as R from "./record.js";
import { suspects } from "./duplicates.js";

export class HazardPanel {
  constructor(ctx) {
    this.ctx = ctx;
    this.T = ctx.texts;
    this.panel = $("hazard-panel");
    this.position = null;
    this.picks = new Set();
    this.following = null;  // the existing hazard evidence is being added to
    // The panel's own words, put back when it leaves follow-up mode.
    this.words = { title: $("hp-title").textContent, label: $("l-description").firstChild.textContent,
                   save: $("h-save").textContent };
  }

  async openHazards() {
    const enterprise = await this.ctx.store.get(this.ctx.db, "enterprises", this.ctx.record.enterprise_id);
    return (enterprise && enterprise.open_hazards) || [];
  }

  // Suggestions for what is being reported: the item's, then as the description is typed.
  async suggest() {
    if (this.following) { return; }
    const item = this.position != null ? R.result(this.ctx.record, this.position) : null;
    const found = suspects(await this.openHazards(), {
      itemId: item ? item.item_id : null, itemText: item ? item.text : "", description: R.clean($("f-description").value) });
    const list = $("hp-dupes-list");
    list.textContent = "";
    const T = this.T;
    found.forEach((h) => {
      const facts = [fill(T.dupe_line, { status: T["hazard_status_" + h.status] || h.status, date: (h.reported_at || "").slice(0, 10) })];
      if (h.deadline) { facts.push(fill(T.dupe_deadline, { date: h.deadline })); }
      const follow = el("button", { type: "button", class: "button secondary small", "data-follow": h.id, text: T.follow_this });
      follow.addEventListener("click", () => this.follow(h));
      list.appendChild(el("li", { "data-dupe": h.id }, [
        el("p", {}, [el("strong", { text: h.description })]),
        el("p", { class: "small muted", text: [h.place, ...facts].filter(Boolean).join(SEP) }), follow]));
    });
    $("hp-dupes").hidden = !found.length;
  }

  follow(hazard) {
    const T = this.T;
    this.following = hazard;
    this.panel.classList.add("following");
    $("hp-dupes").hidden = true;
    $("hp-follow").hidden = false;
    $("hp-title").textContent = fill(T.follow_title, { description: hazard.description });
    $("l-description").firstChild.textContent = T.follow_note + " ";
    $("h-save").textContent = T.follow_save;
    $("hp-title").scrollIntoView({ block: "start" });
  }

  unfollow() {
    this.following = null;
    this.panel.classList.remove("following");
    $("hp-follow").hidden = true;
    $("hp-title").textContent = this.words.title;
    $("l-description").firstChild.textContent = this.words.label;
    $("h-save").textContent = this.words.save;
  }

  async open(position) {
    const record = this.ctx.record;
    this.position = position;
    this.picks = new Set(record.photos.filter((p) => position != null && p.item_position === position)
      .map((p) => p.media_uuid));
    const item = position != null ? R.result(record, position) : null;
    $("hazard-slot-" + (position == null ? "general" : position)).appendChild(this.panel);
    $("f-description").value = item && R.clean(item.note) ? R.clean(item.note) : "";
    $("f-place").value = "";
    $("f-legal_basis").value = item && item.basis ? item.basis : "";
    this.panel.querySelectorAll("input[name=hp-level]").forEach((i) => { i.checked = false; });
    $("h-error").hidden = true;
    $("hp-item").hidden = !item;
    $("hp-item").textContent = item ? this.T.hazard_for + " " + item.text : "";
    phraseButtons($("hp-phrases"), item ? item.phrases || [] : [], (p) => {
      const current = R.clean($("f-description").value);
      $("f-description").value = current && current.indexOf(p) < 0 ? current + "；" + p : (current || p);
    });
    this.unfollow();
    this.panel.hidden = false;
    await Promise.all([this.renderPicks(), this.suggest()]);
    this.panel.scrollIntoView({ block: "start" });
    $("f-description").focus({ preventScroll: true });
  }

  async renderPicks() {
    const grid = $("h-photos");
    const photos = this.ctx.photos;
    const labels = await Promise.all(this.ctx.record.photos.map(async (ref) => {
      const url = await photos.url(ref.media_uuid);
      if (!url) { return null; }
      const box = el("input", { type: "checkbox", value: ref.media_uuid,
                                "aria-label": ref.caption || photos.itemLabel(ref.item_position) || this.T.photo });
      box.checked = this.picks.has(ref.media_uuid);
      box.addEventListener("change", () => {
        if (box.checked) { this.picks.add(ref.media_uuid); } else { this.picks.delete(ref.media_uuid); }
      });
      return el("label", { class: "photo pick" }, [box, el("img", { src: url, alt: "" })]);
    }));
    grid.textContent = "";
    labels.forEach((l) => { if (l) { grid.appendChild(l); } });
  }

  close() {
    const position = this.position;
    this.panel.hidden = true;
    $("hazard-slot-general").appendChild(this.panel);
    this.position = null;
    return position;
  }

  // Evidence for an existing hazard: the photos chosen, the note; no second report.
  async saveFollowUp() {
    const chosen = this.ctx.record.photos.map((p) => p.media_uuid).filter((u) => this.picks.has(u));
    if (!chosen.length) {
      $("h-error").textContent = this.T.follow_photos;
      $("h-error").hidden = false;
      return;
    }
    const record = this.ctx.record;
    const position = this.position;
    const h = this.following;
    record.followups = record.followups || [];
    record.followups.push({ uuid: this.ctx.store.uuid4(), hazard_id: h.id, hazard_description: h.description,
                            hazard_status: h.status, note: R.clean($("f-description").value), media_uuids: chosen,
                            item_position: position });
    await this.done(position, h.description);
  }

  async save() {
    if (this.following) { return this.saveFollowUp(); }
    const description = R.clean($("f-description").value);
    const level = (this.panel.querySelector("input[name=hp-level]:checked") || {}).value;
    const chosen = this.ctx.record.photos.map((p) => p.media_uuid).filter((u) => this.picks.has(u));
    const errors = [];
    if (!description) { errors.push(this.T.hazard_description); }
    if (["general", "major"].indexOf(level) < 0) { errors.push(this.T.hazard_level); }
    if (!chosen.length) { errors.push(this.T.hazard_photos); }
    if (errors.length) {
      $("h-error").textContent = errors.join(" ");
      $("h-error").hidden = false;
      $("h-error").scrollIntoView({ block: "center" });
      return;
    }
    const record = this.ctx.record;
    const position = this.position;
    record.hazards.push({ uuid: this.ctx.store.uuid4(), description, place: R.clean($("f-place").value), level,
                          legal_basis: R.clean($("f-legal_basis").value), media_uuids: chosen,
                          item_position: position });
    await this.done(position, description);
  }

  // Saved (a report or a follow-up): back to the item, which now says what was found there.
  async done(position, note) {
    if (position != null) {
      const item = R.result(this.ctx.record, position);
      if (!R.clean(item.note)) { item.note = note; }  // the failed item says what the hazard says
      this.ctx.checklist.open.delete(position);  // done with this item: back to one line, with its hazard
    }
    this.close();
    await this.ctx.changed({ item: position, hazards: true });
    const back = position != null ? $("item-" + position) : $("hazards");
    back.scrollIntoView({ block: "center" });
    back.focus({ preventScroll: true });
  }

  bind() {
    $("c-hazard-new").addEventListener("click", () => this.open(null));
    $("h-cancel").addEventListener("click", () => {
      const position = this.close();
      if (position != null) { $("item-" + position).scrollIntoView({ block: "center" }); }
    });
    $("h-save").addEventListener("click", () => this.save());
    $("hp-follow-cancel").addEventListener("click", () => { this.unfollow(); this.suggest(); });
    let typing = null;
    $("f-description").addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => this.suggest(), 300); });
    $("h-photo-input").addEventListener("change", async (event) => {
      const input = event.target;
      const added = await this.ctx.photos.add(input.files, this.position);
      added.forEach((u) => this.picks.add(u));
      input.value = "";
      await this.renderPicks();
    });
  }
}
