"""Messages outside the app: how one hears them (one's own account), what a department's people and
groups hear (its admin), and what could not be delivered (its admin, who may send it again)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fieldapp import fields
from fieldapp.errors import Conflict
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.services import alert_settings, announce, org, outbound
from fieldapp.services.notification_texts import NOTIFICATION_TEXT
from fieldapp.web.forms import post

bp = Blueprint("alerts", __name__)

#: How each channel is named on the pages (the person's own list, the admin's).
CHANNEL_LABELS = {"sms": _l("短信"), "email": _l("邮件"), "wecom": _l("企业微信"), "dingtalk": _l("钉钉")}


def _clock_text(minute: int | None) -> str:
    return "" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"


def masked(target: str) -> str:
    """A number or an address as an admin's list shows it: enough to recognise, not to copy."""
    if target.isdigit() and len(target) == 11:
        return f"{target[:3]}****{target[-4:]}"
    name, at, domain = target.partition("@")
    if at:
        return f"{name[:1]}***@{domain}"
    return _("工作群")


@bp.route("/account/alerts", methods=["GET", "POST"])
@login_required
def mine():
    """One's own channels and quiet hours; what was sent to one lately."""
    form = post(lambda values: alert_settings.save_preference(current_user, values))
    if form.done:
        flash(_("消息提醒设置已保存。"), "success")
        return redirect(url_for("alerts.mine"))
    pref = alert_settings.preference(current_user)
    values = form.values or {
        "by_sms": "1" if pref.by_sms else "",
        "by_email": "1" if pref.by_email else "",
        "email": pref.email,
        "quiet_start": _clock_text(pref.quiet_start),
        "quiet_end": _clock_text(pref.quiet_end),
    }
    return render_template(
        "alerts/mine.html",
        values=values,
        errors=form.errors,
        channels=announce.person_channels(),
        recent=outbound.sent_to([current_user.mobile or "", pref.email]),
        channel_labels=CHANNEL_LABELS,
    ), form.status


@bp.route("/admin/alerts", methods=["GET", "POST"])
@permission_required("alerts.manage")
def department():
    """A department's robots, digest interval and routes (its subtree follows them)."""
    units = org.units_in_scope(current_user)
    chosen = fields.ident(request.args.get("unit"))
    unit = next((u for u in units if u.id == chosen), None) if chosen else (units[0] if units else None)
    if unit is None:
        abort(404)
    defaults = {route.kind: route.outside for route in announce.ROUTES}
    form = post(lambda values: alert_settings.save_department(current_user, unit.id, values, defaults))
    if form.done:
        flash(_("已保存「%(unit)s」的消息提醒设置。", unit=unit.name), "success")
        return redirect(url_for("alerts.department", unit=unit.id))
    settings = alert_settings.department(unit.id)
    values = form.values or {
        "digest_minutes": settings.digest_minutes,
        "group_general": "1" if settings.group_general else "",
        **{f"route_{k}": "1" if settings.routes.get(k, on) else "" for k, on in defaults.items()},
    }
    source = next((u for u in units if u.id == settings.unit_id), None)
    return render_template(
        "alerts/department.html",
        units=units,
        unit=unit,
        settings=settings,
        own=settings.unit_id == unit.id,
        source=source,
        values=values,
        errors=form.errors,
        routes=announce.ROUTES,
        texts=NOTIFICATION_TEXT,
    ), form.status


@bp.route("/admin/outbox")
@permission_required("alerts.manage")
def outbox():
    """What could not be delivered (or is being retried), with why; sent again on request."""
    return render_template(
        "alerts/outbox.html",
        tallies=outbound.tallies(current_user),
        rows=outbound.troubled(current_user),
        masked=masked,
        channel_labels=CHANNEL_LABELS,
    )


@bp.route("/admin/outbox/<int:message_id>/resend", methods=["POST"])
@permission_required("alerts.manage")
def resend(message_id: int):
    try:
        outbound.resend_for(current_user, message_id)
    except Conflict as refused:
        flash(refused.message, "error")
    else:
        flash(_("已重新排队发送。"), "success")
    return redirect(url_for("alerts.outbox"))
