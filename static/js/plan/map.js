// The plan drawn without a tile server: the grid's enterprises as dots coloured by what is due,
// the route through today's stops, and the inspector's position with its accuracy circle, in an
// SVG that fits the points (an equirectangular projection: at a town's scale, the earth is flat).
// A tap on a dot calls `onPick(id)`.

import { distanceM } from "../capture/record.js";

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 360, HEIGHT = 280, PAD = 22;
const M_PER_DEG = 111320;

function node(tag, attrs, text) {
  const n = document.createElementNS(NS, tag);
  Object.keys(attrs).forEach((k) => n.setAttribute(k, attrs[k]));
  if (text != null) { n.textContent = text; }
  return n;
}

// A projection fitting `points` ([lat, lng]) into the drawing; metres per pixel for circles.
export function projection(points) {
  const lats = points.map((p) => p[0]), lngs = points.map((p) => p[1]);
  const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos(lat0 * Math.PI / 180);
  const minX = Math.min(...lngs) * k, maxX = Math.max(...lngs) * k;
  const minY = Math.min(...lats), maxY = Math.max(...lats);
  const span = Math.max((maxX - minX) / (WIDTH - 2 * PAD), (maxY - minY) / (HEIGHT - 2 * PAD), 1e-6);
  const offX = (WIDTH - (maxX - minX) / span) / 2, offY = (HEIGHT - (maxY - minY) / span) / 2;
  return {
    xy: (lat, lng) => [offX + (lng * k - minX) / span, HEIGHT - offY - (lat - minY) / span],
    metresPerPx: span * M_PER_DEG,
  };
}

// `stops`: today's route; `others`: the other enterprises (with `kind` for their colour);
// `here`: {lat, lng, accuracy} or null.
// The inspector's position is drawn only near the grid (within FAR_M of some enterprise): from
// the office across town, the grid would shrink to a dot.
export const FAR_M = 10000;

export function draw(svg, { stops, others, here, label, onPick }) {
  svg.textContent = "";
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  const located = (s) => s.lat != null && s.lng != null;
  const all = [...stops, ...others].filter(located).map((s) => [s.lat, s.lng]);
  if (here && all.length && !all.some((p) => distanceM(p, [here.lat, here.lng]) < FAR_M)) { here = null; }
  if (here) { all.push([here.lat, here.lng]); }
  if (!all.length) { svg.hidden = true; return; }
  svg.hidden = false;
  const p = projection(all);
  if (here) {
    const [x, y] = p.xy(here.lat, here.lng);
    const r = Math.max(4, Math.min(here.accuracy / p.metresPerPx, WIDTH));
    svg.appendChild(node("circle", { cx: x, cy: y, r, class: "map-accuracy" }));
  }
  const route = stops.filter(located).map((s) => p.xy(s.lat, s.lng));
  if (here && route.length) { route.unshift(p.xy(here.lat, here.lng)); }
  if (route.length > 1) {
    svg.appendChild(node("polyline", { points: route.map((xy) => xy.join(",")).join(" "), class: "map-route" }));
  }
  const dot = (s, number) => {
    const [x, y] = p.xy(s.lat, s.lng);
    const g = node("g", { class: "map-dot " + s.kind, "data-id": s.id, tabindex: "0", role: "button", "aria-label": s.name });
    g.appendChild(node("circle", { cx: x, cy: y, r: 22, class: "map-hit" }));  // a 44 px target
    g.appendChild(node("circle", { cx: x, cy: y, r: number ? 10 : 6 }));
    if (number) { g.appendChild(node("text", { x, y: y + 4, "text-anchor": "middle" }, String(number))); }
    g.addEventListener("click", () => onPick(s.id));
    g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onPick(s.id); } });
    return g;
  };
  others.filter(located).forEach((s) => svg.appendChild(dot(s, 0)));
  stops.filter(located).forEach((s, i) => svg.appendChild(dot(s, i + 1)));
  if (here) {  // on top: where the inspector stands is never hidden under a stop
    const [x, y] = p.xy(here.lat, here.lng);
    svg.appendChild(node("circle", { cx: x, cy: y, r: 7, class: "map-here" }));
  }
  // A scale bar: a round distance about a quarter of the width.
  const nice = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000];
  const metres = nice.find((m) => m / p.metresPerPx > WIDTH / 5) || nice[nice.length - 1];
  const px = metres / p.metresPerPx;
  svg.appendChild(node("line", { x1: 10, y1: HEIGHT - 10, x2: 10 + px, y2: HEIGHT - 10, class: "map-scale" }));
  svg.appendChild(node("text", { x: 14 + px, y: HEIGHT - 6, class: "map-scale-text" }, label(metres)));
}
