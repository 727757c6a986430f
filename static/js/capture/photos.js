// Photos of a record on the phone: shrunk before they are kept (photo.js keeps the EXIF
// evidence), each with a caption, labelled with the checklist item it was taken on wherever it
// appears, and optionally marked up on a copy (markup.js) — the original stays the evidence.

import { $, el, fill } from "../ui.js";
import { shrink } from "../photo.js";

export class Photos {
  constructor(ctx) {
    this.ctx = ctx;
    this.T = ctx.texts;
    this.urls = new Map();  // media uuid -> object URL
  }

  async url(mediaUuid) {
    if (!this.urls.has(mediaUuid)) {
      const item = await this.ctx.store.get(this.ctx.db, "media", mediaUuid);
      if (!item) { return null; }
      this.urls.set(mediaUuid, URL.createObjectURL(item.blob));
    }
    return this.urls.get(mediaUuid);
  }

  forget(mediaUuid) {
    if (this.urls.has(mediaUuid)) { URL.revokeObjectURL(this.urls.get(mediaUuid)); this.urls.delete(mediaUuid); }
  }

  itemLabel(position) {
    const index = this.ctx.record.results.findIndex((r) => r.position === position);
    if (index < 0) { return ""; }
    return fill(this.T.item_label, { n: index + 1, text: this.ctx.record.results[index].text });
  }

  usedByHazard(mediaUuid) {
    const uses = (list) => (list || []).some((h) => h.media_uuids.indexOf(mediaUuid) >= 0);
    return uses(this.ctx.record.hazards) || uses(this.ctx.record.followups);
  }

  async store(file, kind) {
    const blob = await shrink(file);
    return this.ctx.store.putMedia(this.ctx.db, this.ctx.record.uuid, blob, kind);
  }

  // Keeps each file as a photo of the record (of an item when `position` is given); returns the
  // media uuids kept. A file that cannot be kept is said, and the others are kept.
  async add(files, position) {
    const added = [];
    for (const file of Array.from(files)) {
      try {
        const item = await this.store(file, "photo");
        this.ctx.record.photos.push({ media_uuid: item.uuid, item_position: position == null ? null : position,
                                      caption: "", marked_media_uuid: null });
        added.push(item.uuid);
      } catch (error) {
        this.ctx.error(this.T.photo_failed);
      }
    }
    await this.ctx.save();
    await this.render();
    return added;
  }

  async remove(mediaUuid) {
    if (this.usedByHazard(mediaUuid)) { this.ctx.error(this.T.photo_in_hazard); return; }
    const ref = this.ctx.record.photos.find((p) => p.media_uuid === mediaUuid);
    this.ctx.record.photos = this.ctx.record.photos.filter((p) => p.media_uuid !== mediaUuid);
    const tx = this.ctx.db.transaction("media", "readwrite");
    tx.objectStore("media").delete(mediaUuid);
    if (ref && ref.marked_media_uuid) { tx.objectStore("media").delete(ref.marked_media_uuid); }
    await this.ctx.store.done(tx);
    this.forget(mediaUuid);
    await this.ctx.save();
    await this.render();
  }

  // A photo under its checklist item: the picture only (its caption and mark-up are in the photos card).
  async thumb(ref) {
    const shown = await this.url(ref.marked_media_uuid || ref.media_uuid);
    if (!shown) { return null; }
    return el("figure", { class: "photo-thumb", "data-media": ref.media_uuid }, [
      el("img", { src: shown, alt: ref.caption || this.T.photo })]);
  }

  // One photo as shown in a list: the marked copy if there is one, its item, its caption.
  async entry(ref) {
    const shown = await this.url(ref.marked_media_uuid || ref.media_uuid);
    if (!shown) { return null; }
    const editable = this.ctx.record.state === "draft";
    const caption = el("input", { class: "caption", maxlength: "200", value: ref.caption || "",
                                  placeholder: this.T.caption_placeholder, "aria-label": this.T.caption,
                                  "data-caption": ref.media_uuid });
    caption.disabled = !editable;
    caption.addEventListener("input", () => {
      ref.caption = caption.value;
      document.querySelectorAll("[data-caption='" + ref.media_uuid + "']").forEach((other) => {
        if (other !== caption) { other.value = caption.value; }
      });
      this.ctx.save();
    });
    const actions = el("p", { class: "photo-actions" });
    if (editable) {
      actions.appendChild(el("button", { type: "button", class: "link small", "data-markup": ref.media_uuid,
                                         text: ref.marked_media_uuid ? this.T.markup_again : this.T.markup }));
      if (!this.usedByHazard(ref.media_uuid)) {
        actions.appendChild(el("button", { type: "button", class: "link small danger-text",
                                           "data-remove-photo": ref.media_uuid, text: this.T.remove_photo }));
      }
    }
    const label = ref.item_position != null ? this.itemLabel(ref.item_position) : "";
    return el("figure", { class: "photo-entry", "data-media": ref.media_uuid }, [
      el("img", { src: shown, alt: ref.caption || label || this.T.photo }),
      el("figcaption", {}, [
        label ? el("span", { class: "item-label", text: label }) : null,
        ref.marked_media_uuid ? el("span", { class: "tag", text: this.T.marked }) : null,
        caption, actions])]);
  }

  async render() {
    const record = this.ctx.record;
    $("c-photo-count").textContent = fill(this.T.count, { n: record.photos.length });
    const all = $("c-photos");
    const entries = await Promise.all(record.photos.map(async (ref) => ({ ref, node: await this.entry(ref) })));
    all.textContent = "";
    document.querySelectorAll("[data-item-photos]").forEach((slot) => { slot.textContent = ""; });
    for (const { ref, node } of entries) {
      if (!node) { continue; }
      all.appendChild(node);
      if (ref.item_position != null) {
        const slot = document.querySelector("[data-item-photos='" + ref.item_position + "']");
        if (slot) { slot.appendChild(await this.thumb(ref)); }
      }
    }
  }

  bind() {
    $("c-photo-input").addEventListener("change", (event) => {
      const input = event.target;
      this.add(input.files, null).then(() => { input.value = ""; });
    });
    document.addEventListener("click", (event) => {
      const remove = event.target.getAttribute && event.target.getAttribute("data-remove-photo");
      const mark = event.target.getAttribute && event.target.getAttribute("data-markup");
      if (remove) { this.remove(remove); }
      if (mark) { this.ctx.markup(mark); }
    });
  }

  // The marked copy of a photo was saved: it replaces any earlier one; the original is kept as is.
  async setMarked(mediaUuid, blob, shapes) {
    const ref = this.ctx.record.photos.find((p) => p.media_uuid === mediaUuid);
    const item = await this.ctx.store.putMedia(this.ctx.db, this.ctx.record.uuid, blob, "marked");
    if (ref.marked_media_uuid) {
      const tx = this.ctx.db.transaction("media", "readwrite");
      tx.objectStore("media").delete(ref.marked_media_uuid);
      await this.ctx.store.done(tx);
      this.forget(ref.marked_media_uuid);
    }
    ref.marked_media_uuid = item.uuid;
    ref.markup = shapes;
    await this.ctx.save();
    await this.render();
  }
}
