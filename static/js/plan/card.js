// The inspector's first card on the home page: today's first stops from the offline pack, the
// next one a tap from its form, and the way to the whole plan. The card is the server's until the
// pack is read; without a pack it keeps saying how to get one.

import { $, el, fill, SEP } from "../ui.js";
import * as Planner from "./planner.js";
import * as State from "./state.js";
import { captureHref, reasons } from "./stops.js";

const SHOWN = 3;

// 开始检查 as the server's pages have it (a POST that opens the draft, with a uuid so a second send
// reopens it): outbox.js turns it into the phone's form once the shell keeps that, and a new phone
// still downloading the shell gets the server's form (one round trip) instead of the phone's form
// and its modules over the link.
function startForm(store, stop, cls, text) {
  const token = document.querySelector("meta[name=csrf-token]");
  return el("form", { method: "post", action: "/enterprises/" + stop.id + "/inspections", "data-capture-start": stop.id }, [
    el("input", { type: "hidden", name: "csrf_token", value: token ? token.content : "" }),
    el("input", { type: "hidden", name: "uuid", value: store.uuid4() }),
    el("button", { type: "submit", class: cls, text })]);
}

async function main() {
  const card = $("today-plan");
  const store = window.fieldappStore;
  const uid = document.querySelector("meta[name=fieldapp-user]");
  if (!card || !store || !window.indexedDB || !uid) { return; }
  const T = JSON.parse(card.getAttribute("data-text"));
  const db = await store.open(uid.content);
  const render = async () => {
    const input = await State.inputs(store, db);
    if (!input) { return false; }
    const day = Planner.planDay(input, State.options(await State.load(store, db)));
    const list = $("today-plan-stops");
    list.textContent = "";
    day.stops.slice(0, SHOWN).forEach((s, i) => {
      const open = s.rechecks.filter((h) => !h.done);
      const cls = "button " + (i === 0 ? "primary" : "secondary") + " small";
      // A re-check and a draft kept on this phone exist only in the phone's form.
      const action = open.length || s.draft
        ? el("a", { class: cls, href: open.length ? "/capture?recheck=" + open[0].id : captureHref(s),
                    text: open.length ? T.do_recheck : T.continue })
        : startForm(store, s, cls, T.start);
      list.appendChild(el("li", { class: "patrol-row", "data-stop": s.id }, [
        el("a", { class: "row-link", href: "/plan" }, [el("span", {}, [
          el("strong", { text: (i + 1) + ". " + s.name }),
          el("span", { class: "tags-inline" }, reasons(T, s).slice(0, 2).map(([text, tag]) => el("span", { class: "tag " + tag, text })))])]),
        action]));
    });
    $("today-plan-summary").textContent = day.stops.length
      ? fill(T.summary, { n: day.stops.length, km: (day.totalM / 1000).toFixed(1) }) +
        (day.done.length ? SEP + fill(T.summary_done, { n: day.done.length }) : "")
      : T.empty;
    const more = $("today-plan-more");
    more.textContent = fill(T.more, { n: day.stops.length });
    // The first stop's form is now the page's main action.
    if (day.stops.length && more.classList.contains("primary")) { more.classList.replace("primary", "secondary"); }
    return true;
  };
  if (!(await render())) {
    // The first visit after signing in: the pack arrives while the page is open.
    document.addEventListener("fieldapp:pack", () => render(), { once: true });
  }
}

main().catch(() => { /* no IndexedDB: the card keeps the server's text */ });
