"""一企一码: each enterprise's printable code, and the scan an inspector makes of it on site.

The poster's QR code is a URL ending in a token ``<enterprise id>.<version>.<signature>``; the
signature is an HMAC of the id and the version under a key derived from the app's SECRET_KEY, so
only this server makes valid codes (a new SECRET_KEY voids every poster: print them again). An
admin rotating an enterprise's code raises its version; a scan of an older poster still verifies,
and is told apart as *rotated*.

A scan is evidence of presence beside the GPS fix: the record keeps the token, when it was
scanned and where the phone stood. The phone checks what it can offline (the code's enterprise,
its version from the pack); the server checks the signature at sync, and flags — never refuses —
what does not hold: another enterprise's code, a rotated or forged one, a scan far from the site
(a photo of the poster), a scan without a position.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app

from fieldapp import policy
from fieldapp.db import commit, db
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.models import Enterprise, User
from fieldapp.services import geo

TOKEN = re.compile(r"(?:^|/q/)(\d{1,12})\.(\d{1,9})\.([A-Za-z0-9_-]{16})$")
#: What a scan may be flagged for, worst first (the record page says each).
FLAGS = {
    "forged": _l("二维码无效：不是本系统签发的企业码"),
    "wrong_enterprise": _l("扫描的是另一家企业的二维码"),
    "rotated": _l("扫描的是已作废的旧二维码"),
    "far": _l("扫码位置距企业登记位置较远，可能不在现场"),
    "unlocated": _l("扫码时没有定位"),
}


def _key() -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"fieldapp checkin poster", hashlib.sha256).digest()


def _signature(enterprise_id: int, version: int) -> str:
    mac = hmac.new(_key(), f"{enterprise_id}.{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:12]).decode()


def token_for(enterprise: Enterprise) -> str:
    return f"{enterprise.id}.{enterprise.checkin_version}.{_signature(enterprise.id, enterprise.checkin_version)}"


def parse(text: str) -> tuple[int, int, str] | None:
    """(enterprise id, version, signature) of a token or of a code's URL; None if it is neither."""
    match = TOKEN.search((text or "").strip())
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), match.group(3)


def verify(text: str) -> tuple[Enterprise | None, list[str]]:
    """The enterprise a code names, and what is wrong with the code itself (forged, rotated)."""
    parsed = parse(text)
    if parsed is None:
        return None, ["forged"]
    enterprise_id, version, signature = parsed
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not hmac.compare_digest(signature, _signature(enterprise_id, version)):
        return enterprise, ["forged"]
    if version > enterprise.checkin_version:
        return enterprise, ["forged"]  # signed, but never issued: the key leaked or the clock of versions moved back
    return enterprise, ["rotated"] if version < enterprise.checkin_version else []


def evidence(enterprise: Enterprise, scan: dict) -> dict:
    """What a record keeps of a scan made at ``enterprise``: the scan itself and its flags."""
    named, flags = verify(scan["token"])
    if named is not None and named.id != enterprise.id and "forged" not in flags:
        flags.insert(0, "wrong_enterprise")
    position = scan.get("position")
    distance = None
    if position and enterprise.has_location:
        here = (position["latitude"], position["longitude"])
        distance = geo.distance_m(*here, enterprise.latitude, enterprise.longitude)
        # A fix whose circle reaches the site is not "far", however wide it is.
        if distance - (position.get("accuracy_m") or 0) > geo.FAR_M:
            flags.append("far")
    if not position:
        flags.append("unlocated")
    return {
        "token": scan["token"],
        "at": scan["at"].isoformat(),
        "position": position,
        "distance_m": round(distance) if distance is not None else None,
        "code_enterprise_id": named.id if named is not None else None,
        "flags": flags,
    }


def resolve(user: User, text: str) -> Enterprise | None:
    """The enterprise a scanned code opens for ``user`` (in their scope), or None."""
    named, flags = verify(text)
    if named is None or "forged" in flags or not policy.can(user, "enterprise.view", named):
        return None
    return named


def rotate(user: User, enterprise: Enterprise) -> Enterprise:
    """A new code for the enterprise (the old poster was lost, copied or moved): old scans flag."""
    policy.require(user, "enterprise.checkin_code", enterprise)
    enterprise.checkin_version += 1
    commit()
    return enterprise
