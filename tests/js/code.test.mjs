// The check-in code as the phone reads it (static/js/scan/code.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Code from "../../static/js/scan/code.js";

const SIG = "AbCdEfGhIjKlMn_-";

test("a poster's URL or a bare token names its enterprise and version", () => {
  assert.deepEqual(Code.parseCode(`https://x.example/q/12.3.${SIG}`), { token: `12.3.${SIG}`, enterpriseId: 12, version: 3 });
  assert.deepEqual(Code.parseCode(` 7.1.${SIG} `), { token: `7.1.${SIG}`, enterpriseId: 7, version: 1 });
  for (const junk of ["", null, "hello", `12.3.${SIG}x`, `https://x.example/clues/new?grid=1`, `12.${SIG}`]) {
    assert.equal(Code.parseCode(junk), null, String(junk));
  }
});

test("the phone flags another enterprise's code and an older version than the pack's", () => {
  const code = Code.parseCode(`12.1.${SIG}`);
  assert.deepEqual(Code.warnings(code, { id: 12, checkin_version: 1 }), []);
  assert.deepEqual(Code.warnings(code, { id: 13, checkin_version: 1 }), ["wrong_enterprise"]);
  assert.deepEqual(Code.warnings(code, { id: 12, checkin_version: 2 }), ["rotated"]);
  assert.deepEqual(Code.warnings(code, { id: 12 }), []);  // a pack from before versions: nothing to say
});

test("the scan takes the form's first fix, only soon after it", () => {
  const at = new Date("2026-12-06T09:00:00Z");
  const scan = Code.checkin(Code.parseCode(`12.1.${SIG}`), { id: 12, checkin_version: 1 }, at);
  const fix = { latitude: 31.2, longitude: 120.5, accuracy: 18 };
  const soon = Code.withPosition(scan, fix, at.getTime() + 30000);
  assert.deepEqual(soon.position, { latitude: 31.2, longitude: 120.5, accuracy_m: 18 });
  assert.equal(Code.withPosition(soon, { ...fix, latitude: 40 }, at.getTime() + 40000).position.latitude, 31.2);
  assert.equal(Code.withPosition(scan, fix, at.getTime() + Code.POSITION_WITHIN_MS + 1).position, null);
  assert.equal(Code.withPosition(null, fix, at.getTime()), null);
});
