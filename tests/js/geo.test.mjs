// The position logic of the capture pages (static/js/capture/geo.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as Geo from "../../static/js/capture/geo.js";

test("quality is coloured against the target", () => {
  assert.deepEqual([10, 50, 51, 150, 151, null].map((a) => Geo.quality(a, 50)),
                   ["good", "good", "fair", "fair", "poor", "none"]);
});

test("a fix older than a few seconds is not fresh", () => {
  assert.equal(Geo.isFresh({ timestamp: 1000 }, 5999), true);
  assert.equal(Geo.isFresh({ timestamp: 1000 }, 6001), false);
  assert.equal(Geo.isFresh({ timestamp: null }, 0), false);
});

test("the locator keeps the best fresh fix and stops at the target", () => {
  globalThis.navigator = { geolocation: { watchPosition: () => 1, clearWatch: () => { cleared += 1; } } };
  let cleared = 0;
  const seen = [];
  let now = 10000;
  const locator = new Geo.Locator({ target: 50, onFix: (fix, state) => seen.push([fix && fix.accuracy, state]),
                                    now: () => now });
  locator.start();
  locator.take({ latitude: 1, longitude: 1, accuracy: 120, timestamp: 9000 });
  locator.take({ latitude: 1, longitude: 1, accuracy: 300, timestamp: 9500 });  // worse: ignored
  locator.take({ latitude: 1, longitude: 1, accuracy: 20, timestamp: 2000 });   // cached, 8 s old: ignored
  now = 12000;
  locator.take({ latitude: 1, longitude: 1, accuracy: 40, timestamp: 11800 });
  assert.deepEqual(seen, [[undefined, "watching"], [120, "watching"], [40, "done"]].map(([a, s]) => [a ?? null, s]));
  assert.equal(locator.best.accuracy, 40);
  assert.ok(cleared >= 1);
  locator.stop();
});
