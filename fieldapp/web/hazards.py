"""Hazards after the report: lists for each role, the hazard page with its timeline and
the actions the user may take, the printable rectification notice, notifications."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock, fields, policy
from fieldapp.errors import InputError, ServiceError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.services import audit, duplicates, hazard_export, hazard_pages, hazards
from fieldapp.services.notification_texts import NOTIFICATION_TEXT
from fieldapp.web.exports import send_xlsx
from fieldapp.web.forms import uploads
from fieldapp.web.media import send_media

bp = Blueprint("hazards", __name__)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _listing(user, args):
    """The list the query string asks for: (listing, tab, tabs)."""
    tabs = hazard_pages.tabs_for(user)
    tab = args.get("tab") if args.get("tab") in tabs else tabs[0]
    filters = {}
    if args.get("status") in hazards.STATUS_LABELS:
        filters["status"] = args["status"]
    if args.get("level") in hazards.LEVEL_LABELS:
        filters["level"] = args["level"]
    if grid := args.get("grid", type=fields.ident):
        filters["grid"] = grid
    if args.get("industry"):
        filters["industry"] = args["industry"]
    before = _date(args.get("deadline_before"))
    if before:
        filters["before"] = before
    return hazard_pages.listing(user, tab, filters), tab, tabs


@bp.route("/hazards/")
@permission_required("hazard.view")
def index():
    """The user's hazards: a tab per role's work, filters by status, level, grid, industry, deadline."""
    listing, tab, tabs = _listing(current_user, request.args)
    page = hazard_pages.list_page(listing, page_number(), 20)
    # What looks like one hazard reported twice, side by side (the officer's queue above all).
    suspects = duplicates.suspects(page.items) if policy.can(current_user, "hazard.confirm") else {}
    return render_template(
        "hazards/index.html",
        page=page,
        suspects=suspects,
        groups=duplicates.grouped(page.items, suspects),
        tabs=tabs,
        tab=tab,
        grids=hazard_pages.grid_choices(current_user),
        statuses=hazards.STATUS_LABELS,
        levels=hazards.LEVEL_LABELS,
    )


@bp.route("/hazards/export.xlsx")
@permission_required("hazard.view")
def export():
    """The list as filtered, to Excel: streamed, whatever its length."""
    listing, _tab, _tabs = _listing(current_user, request.args)
    return send_xlsx(hazard_export.workbook(listing.query()), f"隐患清单-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx")


def _load(hazard_id: int):
    return hazard_pages.for_page(current_user, hazard_id)


def _before_after(h):
    """The latest re-check, and the reported photos each beside the re-check photo taken in
    the same order (the inspector photographs the same spots)."""
    recheck = next((e for e in reversed(h.events) if e.action in ("recheck_pass", "recheck_fail")), None)
    after = recheck.photos if recheck else []
    return recheck, (
        [(before, after[i] if i < len(after) else None) for i, before in enumerate(h.photos)] if recheck else []
    )


def _render(h, errors=None, values=None, open_action=None, status=200):
    _recheck, pairs = _before_after(h)
    user = current_user._get_current_object()  # not the proxy, looked up at each use
    readers = audit.readers("hazard", h.id) if policy.can(user, "read_log.view") else None
    return render_template(
        "hazards/show.html",
        h=h,
        allowed=hazards.allowed(user, h),
        readers=readers,
        pairs=pairs,
        errors=errors or {},
        values=values or {},
        open_action=open_action,
        statuses=hazards.STATUS_LABELS,
        levels=hazards.LEVEL_LABELS,
        transitions=hazards.TRANSITIONS,
        today=clock.today(),
        overdue=hazards.is_overdue(h),
        days_left=hazards.days_left(h),
    ), status


@bp.route("/hazards/<int:hazard_id>")
@permission_required("hazard.view")
def show(hazard_id: int):
    """One hazard for every role: the report, the decision, the evidence before and after,
    the timeline, and the forms for what this user may do now. Opening it is logged."""
    h = _load(hazard_id)
    audit.read(current_user, "hazard", h.id)
    return _render(h)


@bp.route("/hazards/<int:hazard_id>/<action>", methods=["POST"])
@permission_required("hazard.view")
def act(hazard_id: int, action: str):
    """One step of the loop; refused steps come back with the message and what was typed."""
    if action not in hazards.TRANSITIONS:
        abort(404)
    h = _load(hazard_id)
    form = request.form
    version = form.get("version", type=int)
    try:
        if action == "confirm":
            hazards.confirm(current_user, h, form.to_dict(), version)
        elif action == "reject":
            hazards.reject(current_user, h, form.get("reason", ""), version)
        elif action == "regrade":
            hazards.regrade(current_user, h, form.to_dict(), version)
        elif action == "acknowledge":
            hazards.acknowledge(current_user, h, form.get("note", ""), version)
        elif action == "progress":
            hazards.progress(current_user, h, form.get("note", ""), uploads("photos"), version)
        elif action == "submit":
            hazards.submit(
                current_user, h, form.get("description", ""), uploads("photos"), uploads("documents"), version
            )
        elif action in ("recheck_pass", "recheck_fail"):
            hazards.recheck(current_user, h, action == "recheck_pass", form.to_dict(), uploads("photos"), version)
        elif action == "close":
            hazards.close(current_user, h, form.get("note", ""), version)
    except InputError as refused:
        return _render(_load(hazard_id), refused.errors, form, action, 400)
    except ServiceError as refused:
        return _render(_load(hazard_id), {"_": refused.message}, form, action, refused.status)
    flash(_("已%(action)s。", action=hazards.TRANSITIONS[action].label), "success")
    return redirect(url_for(".show", hazard_id=hazard_id))


@bp.route("/hazards/<int:hazard_id>/notice")
@permission_required("hazard.view")
def notice(hazard_id: int):
    """The printable rectification notice (责令限期整改), with the stop-work order of a major hazard."""
    h = _load(hazard_id)
    if h.confirmed_at is None:
        abort(404)
    recheck, pairs = _before_after(h)
    return render_template(
        "hazards/notice.html",
        h=h,
        levels=hazards.LEVEL_LABELS,
        recheck=recheck,
        pairs=pairs,
        transitions=hazards.TRANSITIONS,
    )


@bp.route("/hazards/events/<int:event_id>/files/<int:media_id>")
@permission_required("hazard.view")
def event_file(event_id: int, media_id: int):
    """A document attached to a step (a PDF), for those who may see the hazard."""
    media = hazard_pages.event_file(current_user, event_id, media_id)
    if media is None:
        abort(404)
    response = send_media(media)
    response.headers["Content-Disposition"] = "attachment"
    return response


# --- notifications ---------------------------------------------------------------------------


@bp.route("/notifications")
@permission_required("notification.view")
def notification_list():
    return render_template(
        "hazards/notifications.html",
        rows=hazard_pages.notifications_of(current_user),
        texts=NOTIFICATION_TEXT,
    )


@bp.route("/notifications/<int:notification_id>", methods=["POST"])
@permission_required("notification.view")
def notification_open(notification_id: int):
    """Mark read and go to the hazard."""
    row = hazard_pages.open_notification(current_user, notification_id)
    if row is None:
        abort(404)
    if row.hazard_id:
        return redirect(url_for(".show", hazard_id=row.hazard_id))
    # Links are written by services (never from user input); only same-site paths are followed.
    link = row.link if row.link.startswith("/") and not row.link.startswith("//") else ""
    return redirect(link or url_for(".notification_list"))


@bp.route("/notifications/read-all", methods=["POST"])
@permission_required("notification.view")
def notification_read_all():
    hazard_pages.read_all(current_user)
    return redirect(url_for(".notification_list"))
