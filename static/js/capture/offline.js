// The patrol list of the offline pack (/offline): what the service worker shows when a page cannot
// be had from the server, so that work goes on. Searchable; ordered by what is due this two-month
// period (never visited first, then the longest ago) or by distance; an enterprise with a draft or
// a record waiting to sync on this phone says so (nobody visits twice), and its last visit counts
// what this phone recorded too.

import { $, distanceText, el, fill, SEP, when } from "../ui.js";
import { distanceM } from "./record.js";
import { afterPrefix, sharedPrefix } from "./address.js";
import { rows } from "./visits.js";

export function byDue(a, b) {
  return (b.due - a.due) || (a.last || "").localeCompare(b.last || "") || a.e.name.localeCompare(b.e.name);
}

export function matches(row, words) {
  const e = row.e;
  const text = [e.name, e.address, e.uscc, e.grid].join(" ").toLowerCase();
  return words.every((w) => text.indexOf(w) >= 0);
}

class OfflineList {
  constructor(root, store, uid) {
    this.root = root;
    this.T = JSON.parse(root.getAttribute("data-text") || "{}");
    this.store = store;
    this.uid = uid;
    this.here = null;
  }

  async load() {
    const db = await this.store.open(this.uid);
    const [enterprises, pack, records] = await Promise.all([
      this.store.getAll(db, "enterprises"), this.store.get(db, "meta", "pack"), this.store.getAll(db, "records")]);
    this.pack = pack || {};
    this.records = records;
    this.rows = rows(enterprises, records, new Date());
    // The part of the address every enterprise shares is said once, above the list.
    this.area = sharedPrefix(this.rows.map((r) => r.e.address));
  }

  sortMode() { return document.querySelector("input[name=offline-sort]:checked").value; }

  render() {
    const T = this.T;
    const list = $("offline-patrol");
    const words = $("offline-search").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = this.rows.filter((r) => matches(r, words));
    if (this.sortMode() === "distance" && this.here) {
      shown.forEach((r) => {
        r.distance = r.e.latitude != null ? distanceM(this.here, [r.e.latitude, r.e.longitude]) : Infinity;
      });
      shown = shown.sort((a, b) => a.distance - b.distance);
    } else {
      shown = shown.sort(byDue);
    }
    $("offline-pack").textContent = this.pack.refreshedAt
      ? fill(T.pack, { n: this.rows.length, time: when(this.pack.refreshedAt) }) + SEP + fill(T.shown, { n: shown.length })
      : T.pack_empty;
    $("offline-area").hidden = !this.area;
    $("offline-area").textContent = this.area ? fill(T.area, { area: this.area }) : "";
    list.textContent = "";
    if (!shown.length && this.rows.length) { list.appendChild(el("li", { class: "muted", text: T.none })); }
    const recused = this.pack.recused || {};
    shown.forEach((r) => {
      const e = r.e;
      const tags = [
        r.draft ? el("span", { class: "tag status-new", text: T.draft }) : null,
        r.waiting ? el("span", { class: "tag state-ready", text: T.waiting }) : null,
        el("span", { class: "tag " + (r.due ? "due" : "status-active"), text: r.due ? T.due : T.covered }),
        e.campaign ? el("span", { class: "tag", text: e.campaign }) : null,
        e.open_hazards && e.open_hazards.length ? el("span", { class: "tag risk-yellow",
                                                              text: fill(T.open_hazards, { n: e.open_hazards.length }) }) : null];
      const facts = [r.last ? fill(T.last, { date: when(r.last).split(" ")[0] }) : T.never];
      if (r.distance != null && isFinite(r.distance)) {
        facts.push(distanceText(T, r.distance));
      }
      const row = el("li", { class: "patrol-row", "data-enterprise": e.id }, [
        el("div", { class: "row-link" }, [el("span", {}, [
          el("strong", { text: e.name }), el("br"),
          el("span", { class: "tags-inline" }, tags), el("br"),
          el("small", { class: r.last ? "muted" : "error", text: facts.join(SEP) }),
          e.address ? el("small", { class: "muted block", text: afterPrefix(e.address, this.area) }) : null])])]);
      if (recused[e.id]) {
        row.appendChild(el("p", { class: "small muted", text: recused[e.id] }));
      } else {
        const href = r.draft ? "/capture?record=" + r.draft.uuid : "/capture?enterprise=" + e.id;
        row.appendChild(el("a", { class: "button secondary small", href,
                                  text: r.draft ? T.continue : T.start }));
      }
      list.appendChild(row);
    });
  }

  renderRechecks() {
    const T = this.T;
    const list = $("offline-rechecks");
    list.textContent = "";
    const rechecks = this.pack.rechecks || [];
    rechecks.forEach((h) => {
      const local = this.records.find((r) => r.kind === "recheck" && r.hazard_id === h.id);
      const tag = local && local.state === "draft" ? T.draft : local && local.state !== "synced" ? T.waiting : "";
      list.appendChild(el("li", { class: "patrol-row" }, [
        el("div", { class: "row-link" }, [el("span", {}, [
          el("strong", { text: h.enterprise_name }), tag ? el("span", { class: "tag status-new", text: tag }) : null,
          el("br"), el("small", { text: (h.place ? h.place + SEP : "") + h.description }), el("br"),
          el("small", { class: "muted", text: h.deadline ? fill(T.deadline, { date: h.deadline }) : "" })])]),
        el("a", { class: "button secondary small", href: "/capture?recheck=" + h.id, text: T.recheck })]));
    });
    $("offline-rechecks-card").hidden = !rechecks.length;
  }

  locate() {
    if (this.here || !("geolocation" in navigator)) { this.render(); return; }
    $("offline-pack").textContent = this.T.locating;
    navigator.geolocation.getCurrentPosition((pos) => {
      this.here = [pos.coords.latitude, pos.coords.longitude];
      this.render();
    }, () => {
      document.querySelector("input[name=offline-sort][value=due]").checked = true;
      this.render();
      $("offline-pack").textContent = this.T.no_position;
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 120000 });
  }

  async start() {
    await this.load();
    $("offline").hidden = true;
    this.root.hidden = false;
    this.renderRechecks();
    this.render();
    $("offline-search").addEventListener("input", () => this.render());
    document.querySelectorAll("input[name=offline-sort]").forEach((input) => input.addEventListener("change", () => {
      if (this.sortMode() === "distance") { this.locate(); } else { this.render(); }
    }));
  }
}

async function main() {
  const root = $("offline-work");
  const store = window.fieldappStore;
  if (!root || !store || !window.indexedDB) { return; }
  const uid = await store.currentUser().catch(() => null);
  if (!uid) { return; }
  const db = await store.open(uid);
  const pack = await store.get(db, "meta", "pack");
  if (!pack || !pack.me) { return; }  // not an inspector, or no pack yet: the "no network" card stays
  await new OfflineList(root, store, uid).start();
}

main();
