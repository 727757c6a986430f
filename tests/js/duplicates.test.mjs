// Suspected duplicates on the phone (static/js/capture/duplicates.js), against the cases the
// server's measure is held to as well (tests/similarity_cases.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as D from "../../static/js/capture/duplicates.js";

const { cases } = JSON.parse(readFileSync(new URL("../similarity_cases.json", import.meta.url), "utf8"));

test("alike or not, as the server says", () => {
  for (const [a, b, alike] of cases) {
    assert.equal(D.similarity(a, b) >= D.THRESHOLD, alike, `${a} / ${b}: ${D.similarity(a, b)}`);
    assert.equal(D.similarity(a, b), D.similarity(b, a));
  }
});

test("the same checklist item first, then descriptions alike; the rest left out", () => {
  const open = [
    { id: 1, description: "员工未佩戴安全帽", item_id: 7, item_text: "作业人员正确佩戴劳动防护用品" },
    { id: 2, description: "消防通道被杂物堵塞", item_id: 3, item_text: "疏散通道、安全出口畅通" },
    { id: 3, description: "灭火器过期", item_id: null, item_text: null },
  ];
  assert.deepEqual(D.suspects(open, { itemId: 7, description: "消防通道堵塞" }).map((h) => h.id), [1, 2]);
  assert.deepEqual(D.suspects(open, { itemId: 9, description: "" }).map((h) => h.id), []);
  // A draft from before item ids: the item's wording decides.
  assert.deepEqual(D.suspects(open, { itemText: "疏散通道、安全出口畅通" }).map((h) => h.id), [2]);
  assert.deepEqual(D.suspects(undefined, { description: "x" }), []);
});
