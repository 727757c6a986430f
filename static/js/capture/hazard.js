// Reporting a hazard where it was found: the panel opens under the checklist item (or in the
// hazards card for one not tied to an item), prefilled from the item, with the photo taken in the
// panel; saving returns to the item, which then shows the hazard.

import { $, el, phraseButtons } from "../ui.js";
import * as R from "./record.js";

export class HazardPanel {
  constructor(ctx) {
    this.ctx = ctx;
    this.T = ctx.texts;
    this.panel = $("hazard-panel");
    this.position = null;
    this.picks = new Set();
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
    this.panel.hidden = false;
    await this.renderPicks();
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

  async save() {
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
    if (position != null) {
      const item = R.result(record, position);
      if (!R.clean(item.note)) { item.note = description; }  // the failed item says what the hazard says
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
    $("h-photo-input").addEventListener("change", async (event) => {
      const input = event.target;
      const added = await this.ctx.photos.add(input.files, this.position);
      added.forEach((u) => this.picks.add(u));
      input.value = "";
      await this.renderPicks();
    });
  }
}
