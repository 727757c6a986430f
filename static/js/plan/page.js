// Today's plan (/plan), kept on the phone: the stops in route order with what each needs, the map,
// navigation, and the inspector's changes (pin, drop, reorder, the day's size). Works from the
// offline pack; recomputed whenever the page is shown again (a visit finished on the capture page).

import { $, distanceText, el, fill, SEP } from "../ui.js";
import * as Planner from "./planner.js";
import * as State from "./state.js";
import { draw } from "./map.js";
import { navigationLinks } from "./coords.js";
import { KIND, captureHref, reasons } from "./stops.js";

class PlanPage {
  constructor(root, store, uid) {
    this.root = root;
    this.T = JSON.parse(root.getAttribute("data-text"));
    this.store = store;
    this.uid = uid;
    this.picked = null;
  }

  async refresh() {
    this.db = await this.store.open(this.uid);
    this.input = await State.inputs(this.store, this.db);
    this.state = await State.load(this.store, this.db);
    this.render();
  }

  async change(edit) {
    edit(this.state);
    await State.save(this.store, this.db, this.state);
    this.render();
  }

  render() {
    const T = this.T;
    $("plan-no-pack").hidden = !!this.input;
    $("plan-body").hidden = !this.input;
    if (!this.input) { return; }
    const day = Planner.planDay(this.input, State.options(this.state));
    this.day = day;
    $("plan-size").value = String(this.state.size || Planner.DEFAULT_SIZE);
    const summary = [fill(T.summary, { n: day.stops.length, km: (day.totalM / 1000).toFixed(1) })];
    if (day.done.length) { summary.push(fill(T.summary_done, { n: day.done.length })); }
    $("plan-summary").textContent = summary.join(SEP);
    $("plan-auto").hidden = !day.manual;
    this.renderStops(day);
    this.renderList($("plan-rest"), day.rest, (s) => this.restRow(s));
    $("plan-rest-count").textContent = String(day.rest.length);
    this.renderList($("plan-done"), day.done, (s) => this.doneRow(s));
    $("plan-done-card").hidden = !day.done.length;
    const here = this.state.here ? { lat: this.state.here.lat, lng: this.state.here.lng, accuracy: this.state.here.accuracy } : null;
    const others = [...day.rest, ...day.done].map((s) => ({ ...s, kind: s.done ? "done" : KIND[s.tier] }));
    draw($("plan-map"), { stops: day.stops.map((s) => ({ ...s, kind: KIND[s.tier] })), others, here,
                          label: (m) => distanceText(T, m), onPick: (id) => this.pick(id) });
    this.renderPicked();
  }

  renderList(list, stops, row) {
    list.textContent = "";
    stops.forEach((s) => list.appendChild(row(s)));
  }

  tags(stop) {
    return el("span", { class: "tags-inline" }, reasons(this.T, stop).map(([text, cls]) => el("span", { class: "tag " + cls, text })));
  }

  actions(stop) {
    const T = this.T;
    const open = stop.rechecks.filter((h) => !h.done);
    const buttons = open.map((h) => el("a", { class: "button primary small", href: "/capture?recheck=" + h.id,
                                               "data-recheck": h.id, text: T.do_recheck }));
    if (stop.due || !open.length) {
      buttons.push(el("a", { class: "button " + (open.length ? "secondary" : "primary") + " small", href: captureHref(stop),
                             "data-start": stop.id, text: stop.draft ? T.continue : T.start }));
    }
    if (stop.lat != null) { buttons.push(this.navigation(stop)); }
    return el("div", { class: "plan-actions" }, buttons);
  }

  navigation(stop) {
    const T = this.T;
    const links = navigationLinks(stop.lat, stop.lng, stop.name).map((l) =>
      el("a", { class: "button secondary small", href: l.href, "data-nav": l.app, "data-system": l.system,
                rel: "noopener", text: T["nav_" + l.app] }));
    return el("details", { class: "plan-menu" }, [el("summary", { class: "button secondary small", text: T.navigate }),
                                                 el("div", { class: "plan-menu-body" }, links)]);
  }

  renderStops(day) {
    const T = this.T;
    const list = $("plan-stops");
    list.textContent = "";
    $("plan-empty").hidden = !!day.stops.length;
    day.stops.forEach((s, i) => {
      const leg = s.leg == null ? (s.lat == null ? T.no_point : "")
        : fill(i === 0 && this.state.here ? T.from_here : T.from_prev, { d: distanceText(T, s.leg) });
      const overdue = s.tier === Planner.TIER.OVERDUE_RECHECK;
      const adjust = el("details", { class: "plan-menu" }, [
        el("summary", { class: "button secondary small", text: T.adjust }),
        el("div", { class: "plan-menu-body" }, [
          this.button(T.up, "up", i === 0, () => this.move(s.id, -1)),
          this.button(T.down, "down", i === day.stops.length - 1, () => this.move(s.id, 1)),
          overdue ? el("p", { class: "small muted", text: T.no_drop })
            : this.button(T.drop, "drop", false, () => this.change((st) => {
              st.dropped = [...new Set([...st.dropped, s.id])];
              st.pinned = st.pinned.filter((id) => id !== s.id);
              if (st.order) { st.order = st.order.filter((id) => id !== s.id); }
            }))])]);
      const actions = this.actions(s);
      actions.appendChild(adjust);
      list.appendChild(el("li", { class: "plan-stop" + (this.picked === s.id ? " picked" : ""), "data-stop": s.id, id: "stop-" + s.id }, [
        el("span", { class: "plan-number " + KIND[s.tier], "aria-hidden": "true", text: String(i + 1) }),
        el("div", { class: "plan-stop-body" }, [
          el("strong", { text: s.name }), this.tags(s),
          el("small", { class: "muted block", "data-leg": "", text: leg }),
          actions])]));
    });
  }

  button(text, action, disabled, onClick) {
    const b = el("button", { type: "button", class: "button secondary small", "data-action": action, text });
    b.disabled = disabled;
    b.addEventListener("click", onClick);
    return b;
  }

  move(id, by) {
    return this.change((st) => {
      const order = this.day.stops.map((s) => s.id);
      const i = order.indexOf(id), j = i + by;
      if (j < 0 || j >= order.length) { return; }
      [order[i], order[j]] = [order[j], order[i]];
      st.order = order;
    });
  }

  restRow(s) {
    const T = this.T;
    const add = this.button(T.add, "add", false, () => this.change((st) => {
      st.pinned = [...new Set([...st.pinned, s.id])];
      st.dropped = st.dropped.filter((id) => id !== s.id);
      if (st.order) { st.order = [...st.order, s.id]; }
    }));
    return el("li", { class: "plan-stop", "data-rest": s.id, id: "stop-" + s.id }, [el("div", { class: "plan-stop-body" }, [
      el("strong", { text: s.name }), this.tags(s), s.dropped ? el("small", { class: "muted block", text: T.dropped }) : null,
      el("div", { class: "plan-actions" }, [add])])]);
  }

  doneRow(s) {
    return el("li", { class: "plan-stop done", "data-done": s.id }, [el("div", { class: "plan-stop-body" }, [
      el("strong", { text: "✓ " + s.name })])]);
  }

  pick(id) {
    this.picked = id;
    this.renderPicked();
  }

  renderPicked() {
    const T = this.T;
    const box = $("plan-picked");
    const all = [...this.day.stops, ...this.day.rest, ...this.day.done];
    const s = all.find((x) => x.id === this.picked);
    box.hidden = !s;
    box.textContent = "";
    if (!s) { return; }
    const close = el("button", { type: "button", class: "button secondary small", text: T.close });
    close.addEventListener("click", () => this.pick(null));
    box.appendChild(el("h2", { text: s.name }));
    box.appendChild(this.tags(s));
    if (s.address) { box.appendChild(el("p", { class: "small muted", text: s.address })); }
    const actions = s.done ? el("div", { class: "plan-actions" }) : this.actions(s);
    actions.appendChild(el("a", { class: "button secondary small", href: "/enterprises/" + s.id, "data-file": s.id, text: T.file }));
    actions.appendChild(close);
    box.appendChild(actions);
    box.scrollIntoView({ block: "nearest" });
  }

  locate() {
    const T = this.T;
    const status = $("plan-position");
    if (!("geolocation" in navigator)) { status.textContent = T.no_position; return; }
    status.textContent = T.locating;
    navigator.geolocation.getCurrentPosition((pos) => {
      const c = pos.coords;
      status.textContent = fill(T.located, { m: Math.round(c.accuracy) });
      this.change((st) => {
        st.here = { lat: c.latitude, lng: c.longitude, accuracy: c.accuracy, at: new Date().toISOString() };
      });
    }, () => { status.textContent = T.no_position; },
    { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 });
  }

  async start() {
    await this.refresh();
    this.root.hidden = false;
    $("plan-size").addEventListener("change", (e) => this.change((st) => { st.size = Number(e.target.value); }));
    $("plan-auto").addEventListener("click", () => this.change((st) => { st.order = null; }));
    $("plan-locate").addEventListener("click", () => this.locate());
    // Back from the capture page (or the tab shown again): what was finished leaves the plan.
    window.addEventListener("pageshow", (e) => { if (e.persisted) { this.refresh(); } });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) { this.refresh(); } });
    if (this.state.here) {
      $("plan-position").textContent = fill(this.T.located, { m: Math.round(this.state.here.accuracy) });
    } else {
      this.locate();
    }
  }
}

async function main() {
  const root = $("plan");
  const store = window.fieldappStore;
  if (!root || !store || !window.indexedDB) { return; }
  const uid = await store.currentUser().catch(() => null);
  if (!uid) { return; }  // outbox.js shows "please log in"
  const page = new PlanPage(root, store, uid);
  window.fieldappPlan = page;  // the browser tests read the computed day
  await page.start();
}

main();
