"""Addresses in lists: the administrative prefix every row shares (省、市、区、镇…) is said once
above the list, and each row shows only what tells it apart."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

#: One administrative unit at the head of an address: a short name without figures, then its kind.
_UNIT = re.compile(r"[^\d\s0-9]{1,10}?(?:自治区|自治州|特别行政区|省|市|地区|盟|区|县|旗|街道|镇|乡)")


def units(address: str) -> list[str]:
    """The leading administrative units of ``address``: 江苏省苏州市吴中区木渎镇金山路 1 号 →
    [江苏省, 苏州市, 吴中区, 木渎镇]."""
    found, at = [], 0
    while (m := _UNIT.match(address, at)) and m.end() < len(address):
        found.append(m.group())
        at = m.end()
    return found


def shared_prefix(addresses: Iterable[str | None]) -> str:
    """The units all of ``addresses`` begin with ("" when fewer than two rows have an address: a
    prefix said once is only shorter when it is said for several)."""
    heads = [units(a) for a in addresses if a]
    # commonprefix compares sequences item by item: here whole units, never parts of one.
    return "".join(os.path.commonprefix(heads)) if len(heads) >= 2 else ""


def after_prefix(address: str | None, prefix: str) -> str:
    """``address`` without ``prefix`` (which ``shared_prefix`` found at its head)."""
    if not address:
        return ""
    return address[len(prefix) :] if prefix and address.startswith(prefix) else address
