// The checklist on the capture form: sections, one line per answered item, answers of 48 px,
// the note only where it is needed (required for 不合格, optional for 不适用), the item's photos
// and hazards under it, and "the rest pass" per section and for the whole list (with undo).

import { $, el, fill, phraseButtons, SEP, toast } from "../ui.js";
import * as R from "./record.js";

const RESULT_CLASS = { pass: "is-pass", fail: "is-fail", na: "is-na" };

export class Checklist {
  constructor(ctx) {
    this.ctx = ctx;
    this.T = ctx.texts;
    this.nodes = new Map();     // position -> item node
    this.sectionNodes = new Map();  // category -> section node
    this.open = new Set();      // positions the inspector opened again to change
  }

  render() {
    const container = $("c-sections");
    container.textContent = "";
    const sectionProto = $("t-section").content.firstElementChild;
    const itemProto = $("t-item").content.firstElementChild;
    let number = 0;
    R.sections(this.ctx.record).forEach((section) => {
      const node = sectionProto.cloneNode(true);
      node.dataset.category = section.name;
      node.querySelector("[data-slot=name]").textContent = section.name || this.T.section_other;
      node.querySelector(".cl-toggle").addEventListener("click", () => this.toggleSection(section.name));
      node.addEventListener("capture:open", () => { node.dataset.touched = "1"; this.foldSection(section.name, false); });
      node.querySelector("[data-section-pass]").addEventListener("click", () => this.passRest(section.name));
      const items = node.querySelector("[data-slot=items]");
      section.items.forEach((r) => {
        number += 1;
        items.appendChild(this.itemNode(itemProto, r, number));
      });
      container.appendChild(node);
      this.sectionNodes.set(section.name, node);
      this.updateSection(section.name, true);
    });
  }

  itemNode(proto, r, number) {
    const node = proto.cloneNode(true);
    const pos = r.position;
    node.id = "item-" + pos;
    node.dataset.position = pos;
    node.querySelector("[data-slot=no]").textContent = number + ".";
    node.querySelector("[data-slot=text]").textContent = r.text;
    node.querySelector("[data-slot=full]").textContent = r.basis ? fill(this.T.basis, { basis: r.basis }) : "";
    const group = node.querySelector(".answers");
    group.setAttribute("aria-label", number + ". " + r.text);
    node.querySelectorAll("input[type=radio]").forEach((input) => {
      input.name = "result-" + pos;
      input.id = "result-" + pos + "-" + input.value;
      input.addEventListener("change", () => this.answer(pos, input.value));
    });
    const note = node.querySelector("textarea");
    note.id = "note-" + pos;
    note.name = "note-" + pos;
    note.value = r.note || "";
    note.addEventListener("input", () => {
      R.result(this.ctx.record, pos).note = note.value;
      this.ctx.changed({ item: pos });
    });
    node.querySelector("[data-slot=note-label]").setAttribute("for", note.id);
    node.querySelector("[data-slot=photos]").setAttribute("data-item-photos", pos);
    node.querySelector("[data-slot=hazards]").setAttribute("data-item-hazards", pos);
    node.querySelector("[data-slot=hazard-slot]").id = "hazard-slot-" + pos;
    node.querySelector("[data-photo-item]").addEventListener("change", (event) => {
      const input = event.target;
      this.ctx.addPhotos(input.files, pos).then(() => { input.value = ""; });
    });
    node.querySelector("[data-hazard-item]").addEventListener("click", () => this.ctx.openHazard(pos));
    node.querySelector(".ci-line").addEventListener("click", () => {
      if (this.open.has(pos)) { this.open.delete(pos); } else { this.open.add(pos); }
      this.updateItem(pos);
    });
    node.addEventListener("capture:open", () => { this.open.add(pos); this.updateItem(pos); });
    this.nodes.set(pos, node);
    this.fillItem(node, r);
    return node;
  }

  fillItem(node, r) {
    const pos = r.position;
    const T = this.T;
    node.querySelectorAll("input[type=radio]").forEach((input) => { input.checked = input.value === r.result; });
    Object.values(RESULT_CLASS).forEach((c) => node.classList.remove(c));
    if (r.result) { node.classList.add(RESULT_CLASS[r.result]); }
    // Answered and not opened again: one line. A failed item stays open until its note is written.
    const folded = !!r.result && !this.open.has(pos) && (r.result !== "fail" || !!R.clean(r.note));
    node.classList.toggle("collapsed", folded);
    node.querySelector(".ci-line").setAttribute("aria-expanded", String(!folded));
    const label = { pass: T.pass, fail: T.fail, na: T.na }[r.result] || "";
    const reported = this.ctx.record.hazards.some((h) => h.item_position === pos);
    node.querySelector("[data-slot=result]").textContent = r.bulk ? label + "·" + T.together
      : reported ? label + "·" + T.hazard_short : label;
    const noteWrap = node.querySelector("[data-slot=note-wrap]");
    noteWrap.hidden = !(r.result === "fail" || r.result === "na");
    const note = node.querySelector("textarea");
    note.placeholder = r.result === "fail" ? T.note_fail_placeholder : T.note_na_placeholder;
    note.setAttribute("aria-required", String(r.result === "fail"));
    node.querySelector("[data-slot=note-label]").textContent = r.result === "fail" ? T.note_fail : T.note_na;
    if (document.activeElement !== note) { note.value = r.note || ""; }
    const noteError = node.querySelector("[data-slot=note-error]");
    const needsNote = r.result === "fail" && !R.clean(r.note) && this.ctx.showErrors;
    noteError.hidden = !needsNote;
    noteError.textContent = needsNote ? T.missing_note_one : "";
    note.setAttribute("aria-invalid", String(needsNote));
    phraseButtons(node.querySelector("[data-slot=phrases]"), r.result === "fail" ? (r.phrases || []) : [], (p) => {
      const current = R.clean(note.value);
      r.note = current && current.indexOf(p) < 0 ? current + "；" + p : (current || p);
      note.value = r.note;
      this.ctx.changed({ item: pos });
    });
    node.querySelector("[data-slot=actions]").hidden = r.result !== "fail";
    const hazards = this.ctx.record.hazards.filter((h) => h.item_position === pos);
    const list = node.querySelector("[data-slot=hazards]");
    list.textContent = "";
    hazards.forEach((h) => list.appendChild(el("p", { class: "item-hazard" }, [
      el("span", { class: "tag " + (h.level === "major" ? "risk-red" : "risk-yellow"), text: T[h.level] }),
      document.createTextNode(T.hazard_reported + " " + h.description)])));
    node.classList.toggle("has-hazard", hazards.length > 0);
  }

  updateItem(pos) {
    const node = this.nodes.get(pos);
    if (node) { this.fillItem(node, R.result(this.ctx.record, pos)); }
    this.updateSection(R.result(this.ctx.record, pos).category || "", false);
  }

  updateAll() {
    this.ctx.record.results.forEach((r) => this.fillItem(this.nodes.get(r.position), r));
    this.sectionNodes.forEach((node, name) => this.updateSection(name, false));
  }

  updateSection(name, first) {
    const node = this.sectionNodes.get(name);
    const items = this.ctx.record.results.filter((r) => (r.category || "") === name);
    const answered = items.filter((r) => r.result).length;
    const failed = items.filter((r) => r.result === "fail").length;
    const count = node.querySelector("[data-slot=count]");
    count.textContent = answered + "/" + items.length + (failed ? SEP + fill(this.T.failed_n, { n: failed }) : "");
    node.querySelector("[data-section-pass]").hidden = answered === items.length;
    const complete = answered === items.length && items.every((r) => r.result !== "fail" || R.clean(r.note));
    node.classList.toggle("complete", complete);
    node.classList.toggle("has-fail", failed > 0);
    // A section is folded once complete (on opening a record, or when its last item is answered).
    if (complete && (first || !node.dataset.touched)) { this.foldSection(name, true); }
    if (!complete) { this.foldSection(name, false); }
  }

  foldSection(name, folded) {
    const node = this.sectionNodes.get(name);
    node.classList.toggle("folded", folded);
    node.querySelector(".cl-toggle").setAttribute("aria-expanded", String(!folded));
  }

  toggleSection(name) {
    const node = this.sectionNodes.get(name);
    node.dataset.touched = "1";
    this.foldSection(name, !node.classList.contains("folded"));
  }

  answer(pos, value) {
    const r = R.answer(this.ctx.record, pos, value);
    this.open.delete(pos);
    if (value === "fail") { this.open.add(pos); }
    this.updateItem(pos);
    this.ctx.changed({ item: pos });
    if (value === "fail") {
      const note = $("note-" + pos);
      if (note && !R.clean(r.note)) { note.focus({ preventScroll: true }); }
    }
  }

  passRest(category) {
    const set = R.passRest(this.ctx.record, category);
    if (!set.length) { return; }
    set.forEach((pos) => this.open.delete(pos));
    this.updateAll();
    this.ctx.changed({});
    toast(fill(this.T.passed_n, { n: set.length }), () => {
      R.undoPass(this.ctx.record, set);
      this.updateAll();
      this.ctx.changed({});
    });
  }
}
