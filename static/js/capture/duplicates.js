// Is this hazard already reported? The enterprise's open hazards (from the offline pack) on the
// same checklist item or described alike — the same measure as the server's
// (fieldapp/services/duplicates.py: Dice's coefficient of character bigrams, punctuation and
// spaces dropped, at least THRESHOLD), held to the same answers by tests/similarity_cases.json.

export const THRESHOLD = 0.5;

function normalised(text) {
  return String(text || "").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
}

function bigrams(text) {
  const t = normalised(text);
  const counts = new Map();
  const add = (g) => counts.set(g, (counts.get(g) || 0) + 1);
  if (t.length < 2) { if (t) { add(t); } return counts; }
  for (let i = 0; i < t.length - 1; i++) { add(t.slice(i, i + 2)); }
  return counts;
}

export function similarity(a, b) {
  const x = bigrams(a), y = bigrams(b);
  let total = 0, shared = 0;
  x.forEach((n) => { total += n; });
  y.forEach((n) => { total += n; });
  x.forEach((n, g) => { shared += Math.min(n, y.get(g) || 0); });
  return total ? (2 * shared) / total : 0;
}

// The open hazards that look like the one being reported: on the same item (by id, else by its
// wording), or described alike once the description says something. Same item first, then likeness.
export function suspects(openHazards, { itemId = null, itemText = "", description = "" }) {
  return (openHazards || []).map((h) => {
    const sameItem = (itemId != null && h.item_id != null) ? h.item_id === itemId : !!itemText && h.item_text === itemText;
    const score = description ? similarity(description, h.description) : 0;
    return { hazard: h, sameItem, score };
  }).filter((s) => s.sameItem || s.score >= THRESHOLD)
    .sort((a, b) => (b.sameItem - a.sameItem) || (b.score - a.score))
    .map((s) => s.hazard);
}
