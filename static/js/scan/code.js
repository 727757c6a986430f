// The enterprise's check-in code (一企一码) as the phone reads it: the poster's QR code is a link
// ending in /q/<enterprise id>.<version>.<signature> (fieldapp/services/checkin.py makes and
// verifies it). The phone cannot check the signature — the key stays on the server, which checks
// it at sync — but it can tell which enterprise a code names, and whether its version is older than
// the one in the pack (a rotated poster), and say so at once.

const TOKEN = /(?:^|\/q\/)(\d{1,12})\.(\d{1,9})\.([A-Za-z0-9_-]{16})$/;

export function parseCode(text) {
  const match = TOKEN.exec(String(text || "").trim());
  if (!match) { return null; }
  return { token: match[0].replace(/^\/q\//, ""), enterpriseId: Number(match[1]), version: Number(match[2]) };
}

// What the phone can say of a scan made for `enterprise` (from the pack): [] when nothing is wrong.
export function warnings(code, enterprise) {
  const out = [];
  if (code.enterpriseId !== enterprise.id) { out.push("wrong_enterprise"); }
  if (enterprise.checkin_version && code.version < enterprise.checkin_version) { out.push("rotated"); }
  return out;
}

// The record's check-in: what the outbox sends (token, when, where) and what the phone noticed.
export function checkin(code, enterprise, now) {
  return { token: code.token, at: now.toISOString(), position: null, warnings: warnings(code, enterprise) };
}

// A scan takes the first fix the form gets within this long after it (the form's GPS is the
// scan's position: same place, seconds apart).
export const POSITION_WITHIN_MS = 2 * 60 * 1000;

export function withPosition(scan, fix, now) {
  if (!scan || scan.position || now - Date.parse(scan.at) > POSITION_WITHIN_MS) { return scan; }
  return { ...scan, position: { latitude: fix.latitude, longitude: fix.longitude, accuracy_m: fix.accuracy } };
}
