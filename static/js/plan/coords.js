// Coordinates for China's map apps. Stored points, and the browser's positions, are WGS-84. The
// maps sold in China draw in shifted systems: Amap (高德) in GCJ-02, the state's obfuscated datum,
// and Baidu in BD-09, a second shift on top of GCJ-02. A WGS-84 point handed to them as it is
// lands 100–700 m off — the wrong gate, or the wrong side of a river. We convert here, in one
// tested place, and tell each app which system its link carries (tests/js/coords.test.mjs checks
// the conversion against published reference points).

// The Krasovsky 1940 ellipsoid, which GCJ-02 is defined on.
const A = 6378245.0;
const EE = 0.006693421622965943;
const PI = Math.PI;
const X_PI = PI * 3000.0 / 180.0;

// GCJ-02 shifts only points inside China's bounding box; elsewhere it is WGS-84 itself.
export function outOfChina(lat, lng) {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function shiftLat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
  r += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
  return r;
}

function shiftLng(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
  r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
  r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
  return r;
}

// WGS-84 → GCJ-02, as [lat, lng].
export function wgs84ToGcj02(lat, lng) {
  if (outOfChina(lat, lng)) { return [lat, lng]; }
  let dLat = shiftLat(lng - 105.0, lat - 35.0);
  let dLng = shiftLng(lng - 105.0, lat - 35.0);
  const radLat = lat / 180.0 * PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
  dLng = (dLng * 180.0) / (A / sqrtMagic * Math.cos(radLat) * PI);
  return [lat + dLat, lng + dLng];
}

// GCJ-02 → BD-09, as [lat, lng].
export function gcj02ToBd09(lat, lng) {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI);
  return [z * Math.sin(theta) + 0.006, z * Math.cos(theta) + 0.0065];
}

export function wgs84ToBd09(lat, lng) {
  const [gLat, gLng] = wgs84ToGcj02(lat, lng);
  return gcj02ToBd09(gLat, gLng);
}

const fixed = (n) => n.toFixed(6);

// Links that open navigation to a stored (WGS-84) point in the apps people in China use.
// `app` names the product for the button; `system` is the datum the link carries.
export function navigationLinks(lat, lng, name) {
  const label = encodeURIComponent((name || "").replace(/,/g, " "));  // a comma would end Amap's `to`
  const [gLat, gLng] = wgs84ToGcj02(lat, lng);
  const [bLat, bLng] = gcj02ToBd09(gLat, gLng);
  return [
    // Amap's URI API: `to` is lng,lat,name; coordinate=gaode says it is GCJ-02 (its default; said
    // anyway). callnative=1 opens the Amap app where installed, else Amap's web page.
    { app: "amap", system: "GCJ-02",
      href: `https://uri.amap.com/navigation?to=${fixed(gLng)},${fixed(gLat)},${label}&mode=car&policy=1` +
            "&coordinate=gaode&callnative=1&src=fieldapp" },
    // Baidu's URI API: coord_type=bd09ll says the point is BD-09 (lat,lng); output=html is its
    // web page, which hands over to the Baidu Maps app where installed.
    { app: "baidu", system: "BD-09",
      href: `https://api.map.baidu.com/marker?location=${fixed(bLat)},${fixed(bLng)}&title=${label}` +
            `&content=${label}&coord_type=bd09ll&output=html&src=fieldapp` },
    // geo: (RFC 5870) is WGS-84 by definition; the phone's own chooser offers its map apps.
    { app: "geo", system: "WGS-84", href: `geo:${fixed(lat)},${fixed(lng)}?q=${fixed(lat)},${fixed(lng)}(${label})` },
  ];
}
