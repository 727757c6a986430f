"""一企一码: an enterprise's printable check-in poster, its rotation, and the link its QR code
carries (a phone's own camera app opens the app there)."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from fieldapp import clock, policy
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.services import checkin
from fieldapp.web.board import public_url

bp = Blueprint("checkin", __name__)


@bp.route("/enterprises/<int:enterprise_id>/code")
@permission_required("enterprise.checkin_code")
def poster(enterprise_id: int):
    """The A4 poster for the gate: the code, the enterprise, how to use it."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    # A link, so a phone's own camera app opens the app too; PUBLIC_BASE_URL when set.
    url = public_url("checkin.scanned", token=checkin.token_for(enterprise))
    # Error correction "Q": a poster in a factory's yard gets dirty and scratched.
    qr = segno.make(url, error="q").svg_data_uri(scale=10, border=4)
    return render_template("enterprises/code_poster.html", e=enterprise, qr=qr, url=url, printed_on=clock.today())


@bp.route("/enterprises/<int:enterprise_id>/code/rotate", methods=["POST"])
@permission_required("enterprise.checkin_code")
def rotate(enterprise_id: int):
    """A new code: the old poster was lost, copied or moved. Scans of it are flagged from now on."""
    enterprise = checkin.rotate(current_user, policy.get_enterprise(current_user, enterprise_id))
    message = _("已生成第 %(n)d 版企业码，旧码作废。请打印新码并替换现场张贴的旧码。", n=enterprise.checkin_version)
    flash(message, "success")
    return redirect(url_for(".poster", enterprise_id=enterprise.id))


@bp.route("/q/<token>")
@login_required
def scanned(token: str):
    """Where a code scanned with the phone's own camera lands: an inspector's inspection of that
    enterprise (the phone's form keeps the scan), anyone else's view of its file."""
    enterprise = checkin.resolve(current_user, token)
    if enterprise is None:
        abort(404)
    if policy.can(current_user, "inspection.create"):
        return redirect(f"/capture?enterprise={enterprise.id}&scan={token}")
    return redirect(url_for("enterprises.show", enterprise_id=enterprise.id))
