// Small DOM helpers of the capture pages.

export function $(id) { return document.getElementById(id); }

export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => {
    if (k === "text") { node.textContent = attrs[k]; } else if (attrs[k] !== null && attrs[k] !== undefined) {
      node.setAttribute(k, attrs[k]);
    }
  });
  (children || []).forEach((c) => { if (c) { node.appendChild(c); } });
  return node;
}

export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (m, key) => (key in values ? values[key] : m));
}

// A moment on the phone's clock as every page shows moments: 2026-12-06 15:34, kept on one line
// (non-breaking hyphens and space: text set by script cannot carry the pages' nowrap span).
export function when(iso) {
  if (!iso) { return ""; }
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "\u2011" + two(d.getMonth() + 1) + "\u2011" + two(d.getDate()) + "\u00a0" +
    two(d.getHours()) + ":" + two(d.getMinutes());
}

// The dot between facts (A · B): the space before it does not break, so a wrapped line never
// begins with the dot (tests/browser/page_checks.js looks for one).
export const SEP = "\u00a0· ";

// A local calendar day as YYYY-MM-DD (the phone's date, as the inspector lives it).
export function localDay(date) {
  const d = new Date(date);
  return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
}

// A distance in the page's words: "{d} 米" under a kilometre, "{d} 公里" with one decimal above.
export function distanceText(T, metres) {
  return metres >= 1000 ? fill(T.km, { d: (metres / 1000).toFixed(1) }) : fill(T.m, { d: Math.round(metres) });
}

export function show(node, visible) { node.hidden = !visible; }

// Brings a field or item into view above the bottom bar and puts the focus in it.
export function goTo(id) {
  const target = $(id);
  if (!target) { return false; }
  const compact = target.closest(".field.is-compact");
  if (compact) { compact.classList.remove("is-compact"); }
  const item = target.closest(".check-item");
  if (item && item.classList.contains("collapsed")) { item.dispatchEvent(new CustomEvent("capture:open")); }
  const section = target.closest(".cl-section");
  if (section && section.classList.contains("folded")) { section.dispatchEvent(new CustomEvent("capture:open")); }
  target.scrollIntoView({ block: "center" });
  const focusable = target.matches("input, textarea, select, button") ? target
    : target.querySelector("input:not([type=hidden]), textarea, button, select") || target;
  focusable.focus({ preventScroll: true });
  return true;
}

// A short message at the bottom with an optional undo, gone after a few seconds.
let toastTimer = null;
export function toast(text, undo) {
  const box = $("toast");
  $("toast-text").textContent = text;
  const button = $("toast-undo");
  button.hidden = !undo;
  button.onclick = () => { box.hidden = true; if (undo) { undo(); } };
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 8000);
}

export function phraseButtons(container, phrases, onPick) {
  container.textContent = "";
  phrases.forEach((p) => {
    const label = typeof p === "string" ? p : p.label;
    const b = el("button", { type: "button", class: "phrase", text: label });
    b.addEventListener("click", () => onPick(p));
    container.appendChild(b);
  });
  container.hidden = !phrases.length;
}
