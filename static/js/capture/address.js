// Addresses in a list: the administrative prefix every row shares (省、市、区、镇…) is said once
// above the list, each row shows what tells it apart. The same rule as fieldapp/addresses.py.

// One administrative unit at the head of an address: a short name without figures, then its kind.
const UNIT = /^[^\d\s０-９]{1,10}?(?:自治区|自治州|特别行政区|省|市|地区|盟|区|县|旗|街道|镇|乡)/u;

// The leading administrative units of `address` (never the whole of it).
export function units(address) {
  const found = [];
  let rest = address || "";
  for (let m = UNIT.exec(rest); m && m[0].length < rest.length; m = UNIT.exec(rest)) {
    found.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  return found;
}

// The units all `addresses` begin with ("" when fewer than two have one).
export function sharedPrefix(addresses) {
  const heads = addresses.filter(Boolean).map(units);
  if (heads.length < 2) { return ""; }
  let common = heads[0];
  for (const head of heads.slice(1)) {
    let n = 0;
    while (n < Math.min(common.length, head.length) && common[n] === head[n]) { n += 1; }
    common = common.slice(0, n);
  }
  return common.join("");
}

// `address` without `prefix`.
export function afterPrefix(address, prefix) {
  if (!address) { return ""; }
  return prefix && address.startsWith(prefix) ? address.slice(prefix.length) : address;
}
