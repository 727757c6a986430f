// What the inspector changed in today's plan (pins, drops, their own order, the day's size) and
// the last position, kept in the pack's database on this phone ("meta" → "plan"). A new day starts
// from the app's plan again; the size is kept.

import { localDay } from "../ui.js";

export const POSITION_FRESH_MS = 30 * 60 * 1000;

export async function load(store, db, now = new Date()) {
  const saved = (await store.get(db, "meta", "plan")) || {};
  const fresh = saved.day === localDay(now);
  return {
    day: localDay(now),
    size: saved.size || null,
    pinned: fresh ? saved.pinned || [] : [],
    dropped: fresh ? saved.dropped || [] : [],
    order: fresh ? saved.order || null : null,
    here: saved.here && now - Date.parse(saved.here.at) < POSITION_FRESH_MS ? saved.here : null,
  };
}

export function save(store, db, state) {
  return store.put(db, "meta", state, "plan");
}

// The pack and this phone's records, as the planner takes them.
export async function inputs(store, db, now = new Date()) {
  const [enterprises, pack, records] = await Promise.all([
    store.getAll(db, "enterprises"), store.get(db, "meta", "pack"), store.getAll(db, "records")]);
  if (!pack || !pack.me) { return null; }
  return { enterprises, rechecks: pack.rechecks || [], recused: pack.recused || {}, records, now };
}

export function options(state) {
  return { size: state.size || undefined, pinned: state.pinned, dropped: state.dropped, order: state.order,
           here: state.here ? [state.here.lat, state.here.lng] : null };
}
