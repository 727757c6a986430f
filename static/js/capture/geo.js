// Position for a record, improving by itself: watching starts when the form opens, the best fix
// is kept (the smallest accuracy circle), and watching stops once the phone reports the target
// accuracy or after a time limit. A fix older than a few seconds is never taken as fresh: a
// phone's cached position may be from the last site. Positions are WGS-84, as browsers give them.

export const MAX_AGE_MS = 5000;
export const TIME_LIMIT_MS = 90000;

// How good a fix is, for its colour: within the target, within three times it, or worse.
export function quality(accuracy, target) {
  if (accuracy == null) { return "none"; }
  if (accuracy <= target) { return "good"; }
  return accuracy <= target * 3 ? "fair" : "poor";
}

export function isFresh(fix, now, maxAgeMs = MAX_AGE_MS) {
  return fix.timestamp != null && now - fix.timestamp <= maxAgeMs;
}

// The better of two fixes: the smaller circle; at the same accuracy, the newer.
export function better(a, b) {
  if (!a) { return b; }
  if (!b) { return a; }
  if (b.accuracy < a.accuracy) { return b; }
  if (b.accuracy === a.accuracy && b.timestamp > a.timestamp) { return b; }
  return a;
}

export function fromPosition(pos) {
  return { latitude: pos.coords.latitude, longitude: pos.coords.longitude,
           accuracy: Math.round(pos.coords.accuracy), timestamp: pos.timestamp };
}

// Watches the phone's position. `onFix(best, state)` is called with each better fix; `state` is
// "watching", "done" (target reached), "timeout" (best kept), "denied" or "unavailable".
export class Locator {
  constructor(options) {
    this.target = options.target || 50;
    this.timeLimit = options.timeLimitMs || TIME_LIMIT_MS;
    this.onFix = options.onFix;
    this.best = options.initial || null;
    this.watchId = null;
    this.timer = null;
    this.now = options.now || (() => Date.now());
  }

  start() {
    this.stop();
    if (!("geolocation" in navigator)) { this.onFix(this.best, "unavailable"); return; }
    this.onFix(this.best, "watching");
    this.watchId = navigator.geolocation.watchPosition((pos) => this.take(fromPosition(pos)), (error) => {
      if (error.code === 1) { this.stop(); this.onFix(this.best, "denied"); }
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
    this.timer = setTimeout(() => { this.stop(); this.onFix(this.best, "timeout"); }, this.timeLimit);
  }

  take(fix) {
    if (!isFresh(fix, this.now())) { return; }
    const chosen = better(this.best, fix);
    if (chosen !== fix) { return; }
    this.best = fix;
    const reached = fix.accuracy <= this.target;
    if (reached) { this.stop(); }
    this.onFix(this.best, reached ? "done" : "watching");
  }

  stop() {
    if (this.watchId !== null) { navigator.geolocation.clearWatch(this.watchId); }
    clearTimeout(this.timer);
    this.watchId = null;
  }
}

// "±12 米 · 5 秒前": how a fix is shown, in the page's words.
export function ageSeconds(fix, now) {
  return Math.max(0, Math.round((now - fix.timestamp) / 1000));
}
