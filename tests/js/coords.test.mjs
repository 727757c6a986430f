// The datum conversions behind the navigation links (static/js/plan/coords.js), against published
// reference points: googollee/eviltransform's (WGS-84 → GCJ-02 in Shanghai, Shenzhen, Beijing) and
// hujiulong/gcoord's (WGS-84 / GCJ-02 → BD-09 at 45°N 123°E).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as C from "../../static/js/plan/coords.js";

const close = (got, want, places, what) =>
  assert.ok(Math.abs(got - want) < 0.5 * 10 ** -places, `${what}: ${got} vs ${want}`);

test("WGS-84 → GCJ-02 matches eviltransform's reference points to 1e-5°", () => {
  const points = [
    ["Shanghai", 31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
    ["Shenzhen", 22.543847, 113.912316, 22.540796131694766, 113.9171764808363],
    ["Beijing", 39.911954, 116.377817, 39.91334545536069, 116.38404722455657],
  ];
  for (const [name, lat, lng, gLat, gLng] of points) {
    const [la, ln] = C.wgs84ToGcj02(lat, lng);
    close(la, gLat, 5, name + " lat");
    close(ln, gLng, 5, name + " lng");
  }
});

test("WGS-84 and GCJ-02 → BD-09 match gcoord's reference points", () => {
  const [gLat, gLng] = C.wgs84ToGcj02(45, 123);
  close(gLng, 123.00607541, 5, "gcj lng");
  close(gLat, 45.00197815, 5, "gcj lat");
  const [bLat, bLng] = C.wgs84ToBd09(45, 123);
  close(bLng, 123.0124491, 5, "bd lng");
  close(bLat, 45.0083293, 5, "bd lat");
  const [cLat, cLng] = C.gcj02ToBd09(45, 123);
  close(cLng, 123.00636499, 5, "gcj→bd lng");
  close(cLat, 45.00636899, 5, "gcj→bd lat");
});

test("outside China the point is not shifted", () => {
  assert.deepEqual(C.wgs84ToGcj02(48.8584, 2.2945), [48.8584, 2.2945]);
});

test("each link carries its app's datum, and says which", () => {
  const lat = 31.1774276, lng = 121.5272106;
  const links = Object.fromEntries(C.navigationLinks(lat, lng, "华东化工 东门").map((l) => [l.app, l]));
  const amap = new URL(links.amap.href);
  const [toLng, toLat, toName] = amap.searchParams.get("to").split(",");
  close(Number(toLat), 31.17530398364597, 5, "amap lat");
  close(Number(toLng), 121.531541859215, 5, "amap lng");
  assert.equal(toName, "华东化工 东门");
  assert.equal(amap.searchParams.get("coordinate"), "gaode");
  assert.equal(links.amap.system, "GCJ-02");
  const baidu = new URL(links.baidu.href);
  const [bLat, bLng] = baidu.searchParams.get("location").split(",").map(Number);
  const [wantLat, wantLng] = C.gcj02ToBd09(31.17530398364597, 121.531541859215);
  close(bLat, wantLat, 5, "baidu lat");
  close(bLng, wantLng, 5, "baidu lng");
  assert.equal(baidu.searchParams.get("coord_type"), "bd09ll");
  assert.equal(links.geo.href.split("?")[0], "geo:31.177428,121.527211");
  assert.equal(links.geo.system, "WGS-84");
});
