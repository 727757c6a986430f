// The address prefix of the offline list (static/js/capture/address.js), as fieldapp/addresses.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { afterPrefix, sharedPrefix, units } from "../../static/js/capture/address.js";

test("the leading administrative units, never the whole address", () => {
  assert.deepEqual(units("江苏省苏州市吴中区木渎镇金山路12号"), ["江苏省", "苏州市", "吴中区", "木渎镇"]);
  assert.deepEqual(units("江苏省苏州市吴中区城南街道宝带东路1号"), ["江苏省", "苏州市", "吴中区", "城南街道"]);
  assert.deepEqual(units("江苏省苏州市"), ["江苏省"]);
  assert.deepEqual(units("金山路12号"), []);
  assert.deepEqual(units(null), []);
});

test("the shared prefix stops at the first unit that differs", () => {
  const rows = ["江苏省苏州市吴中区木渎镇金山路12号", "江苏省苏州市吴中区木渎镇中山路1号", null, ""];
  assert.equal(sharedPrefix(rows), "江苏省苏州市吴中区木渎镇");
  assert.equal(sharedPrefix([...rows, "江苏省苏州市吴中区城南街道宝带东路1号"]), "江苏省苏州市吴中区");
  assert.equal(sharedPrefix(rows.slice(0, 1)), "");
  assert.equal(sharedPrefix(["苏州市吴中区1号", "苏州工业园区星湖街1号"]), "");
});

test("a row shows what tells it apart", () => {
  assert.equal(afterPrefix("江苏省苏州市吴中区木渎镇金山路12号", "江苏省苏州市吴中区木渎镇"), "金山路12号");
  assert.equal(afterPrefix("上海市1号", "江苏省"), "上海市1号");
  assert.equal(afterPrefix(undefined, "江苏省"), "");
});
