"""Hazards after the report: lists for each role, the hazard page with its timeline and
the actions the user may take, the printable rectification notice, notifications."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock, fields, policy, roles
from fieldapp.db import db, load_collection
from fieldapp.errors import InputError, ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.models import Enterprise, Hazard, HazardEvent, Notification, User
from fieldapp.services import audit, hazard_export, hazards, notifications
from fieldapp.web.enterprises import send_media
from fieldapp.web.exports import send_xlsx
from fieldapp.web.forms import uploads
from fieldapp.web.guards import permission_required
from fieldapp.web.paging import paginate_bound

bp = Blueprint("hazards", __name__)

#: The list reads only what it shows: each column read costs the driver and the ORM per row, and
#: an enterprise has thirty. Reading another one raises instead of quietly asking once per row.
LIST_LOADS = (
    sa.orm.load_only(Hazard.id, Hazard.place, Hazard.description, Hazard.level, Hazard.proposed_level,
                     Hazard.status, Hazard.deadline, Hazard.created_at, raiseload=True),
    sa.orm.joinedload(Hazard.enterprise).load_only(Enterprise.id, Enterprise.name, raiseload=True),
    sa.orm.joinedload(Hazard.reporter).load_only(User.id, User.display_name, raiseload=True))
#: Tabs of the list: the condition of each (the user and today are bound when the list runs).
TABS = {
    "to_confirm": Hazard.status == "reported",
    "overdue": hazards.overdue_condition(sa.bindparam("today")),
    "to_close": Hazard.status == "awaiting_closure",
    "to_rectify": Hazard.status.in_(hazards.RECTIFYING),
    "to_recheck": Hazard.status == "awaiting_recheck",
    "mine": Hazard.reporter_id == policy.SCOPE_USER,
    "open": Hazard.status.in_(hazards.OPEN),
    "all": sa.true(),
}


def tabs_for(user) -> list[str]:
    tabs = []
    if user.has_role(roles.ENFORCEMENT_OFFICER):
        tabs += ["to_confirm", "overdue", "to_close"]
    if user.has_role(*roles.INSPECTORS):
        tabs += ["to_recheck", "mine"]
    if user.has_role(roles.COMPANY_MANAGER):
        tabs += ["to_rectify"]
    if user.has_role(roles.ADMIN):
        tabs += ["overdue"]
    tabs += ["open", "all"]
    return list(dict.fromkeys(tabs))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Listing:
    """The list as filtered on the page: its statement's shape (built once per ``key``) and values."""
    key: tuple
    values: dict

    def build(self) -> sa.Select:
        return _list_query(*self.key)

    def query(self) -> sa.Select:
        """The statement with its values in it, for the export."""
        return self.build().params(self.values)


def _listing(user, args) -> tuple[Listing, str, list[str]]:
    tabs = tabs_for(user)
    tab = args.get("tab") if args.get("tab") in tabs else tabs[0]
    shape, values = policy.scope_binding(user)
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
    return Listing((shape, tab, frozenset(filters)), {**values, **filters, "today": clock.today()}), tab, tabs


@functools.cache
def _list_query(shape: policy.Shape, tab: str, filters: frozenset[str]) -> sa.Select:
    """The list's statement for a scope shape, tab and set of filters, built once."""
    query = sa.select(Hazard).where(hazards.scope_condition(shape), TABS[tab])
    if "status" in filters:
        query = query.where(Hazard.status == sa.bindparam("status"))
    if "level" in filters:
        query = query.where(sa.func.coalesce(Hazard.level, Hazard.proposed_level) == sa.bindparam("level"))
    if "grid" in filters:
        query = query.where(Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(
            Enterprise.grid_id == sa.bindparam("grid"))))
    if "industry" in filters:
        query = query.where(Hazard.enterprise_id.in_(sa.select(Enterprise.id).where(
            Enterprise.industry == sa.bindparam("industry"))))
    if "before" in filters:
        query = query.where(Hazard.deadline <= sa.bindparam("before"))
    # The officer's queue: major first, oldest first; otherwise the nearest deadline first.
    if tab == "to_confirm":
        order = (sa.case((Hazard.proposed_level == "major", 0), else_=1), Hazard.created_at, Hazard.id)
    elif tab in ("overdue", "to_rectify"):  # these always have a deadline: most overdue first
        order = (Hazard.deadline, Hazard.id)
    else:
        order = (Hazard.deadline.is_(None), Hazard.deadline, Hazard.created_at.desc(), Hazard.id)
    return query.order_by(*order)


def _grid_choices(user) -> list[sa.Row]:
    if user.has_role(roles.COMPANY_MANAGER) and len(user.roles) == 1:
        return []
    return policy.scope_grids(user)


@bp.route("/hazards/")
@permission_required("hazard.view")
def index():
    """The user's hazards: a tab per role's work, filters by status, level, grid, industry, deadline."""
    listing, tab, tabs = _listing(current_user, request.args)
    page = paginate_bound(listing.key, listing.build, listing.values, 20, *LIST_LOADS)
    return render_template("hazards/index.html", page=page, tabs=tabs, tab=tab, grids=_grid_choices(current_user),
                           statuses=hazards.STATUS_LABELS, levels=hazards.LEVEL_LABELS)


@bp.route("/hazards/export.xlsx")
@permission_required("hazard.view")
def export():
    """The list as filtered, to Excel: streamed, whatever its length."""
    listing, _tab, _tabs = _listing(current_user, request.args)
    return send_xlsx(hazard_export.workbook(listing.query()), f"隐患清单-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx")


def _load(hazard_id: int) -> Hazard:
    """The hazard with all its page shows, in two statements built once: the hazard with its
    photos and the people and record it names, then its timeline. (By selectinload, the photos,
    steps and the steps' photos and files were four more round trips; the CPU is about the same
    either way, the round trips count where PostgreSQL is on another machine.)"""
    shape, values = policy.scope_binding(current_user)
    h = policy.get_prebuilt(_page_statement(shape), values, hazard_id)
    load_collection(h, "events", _TIMELINE)
    return h


@functools.cache
def _page_statement(shape) -> sa.Select:
    """Built once per scope shape (``policy.Shape``)."""
    return sa.select(Hazard).where(hazards.scope_condition(shape), Hazard.id == sa.bindparam("id")).options(
        sa.orm.joinedload(Hazard.enterprise), sa.orm.joinedload(Hazard.reporter),
        sa.orm.joinedload(Hazard.officer), sa.orm.joinedload(Hazard.inspection),
        sa.orm.joinedload(Hazard.photos))


#: The steps in their relationship's order, each with its actor, photos and files (a few rows a
#: step: steps carry a handful of attachments at most).
_TIMELINE = (sa.select(HazardEvent).where(HazardEvent.hazard_id == sa.bindparam("id")).order_by(HazardEvent.id)
             .options(sa.orm.joinedload(HazardEvent.actor), sa.orm.joinedload(HazardEvent.photos),
                      sa.orm.joinedload(HazardEvent.files)))


def _before_after(h: Hazard):
    """The latest re-check, and the reported photos each beside the re-check photo taken in
    the same order (the inspector photographs the same spots)."""
    recheck = next((e for e in reversed(h.events) if e.action in ("recheck_pass", "recheck_fail")), None)
    after = recheck.photos if recheck else []
    return recheck, ([(before, after[i] if i < len(after) else None) for i, before in enumerate(h.photos)]
                     if recheck else [])


def _render(h: Hazard, errors=None, values=None, open_action=None, status=200):
    _recheck, pairs = _before_after(h)
    user = current_user._get_current_object()  # not the proxy, looked up at each use
    readers = audit.readers("hazard", h.id) if user.has_role(roles.ADMIN) else None
    return render_template("hazards/show.html", h=h, allowed=hazards.allowed(user, h), readers=readers,
                           pairs=pairs, errors=errors or {}, values=values or {}, open_action=open_action,
                           statuses=hazards.STATUS_LABELS, levels=hazards.LEVEL_LABELS,
                           transitions=hazards.TRANSITIONS, today=clock.today(),
                           overdue=hazards.is_overdue(h), days_left=hazards.days_left(h)), status


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
            hazards.submit(current_user, h, form.get("description", ""), uploads("photos"), uploads("documents"),
                           version)
        elif action in ("recheck_pass", "recheck_fail"):
            hazards.recheck(current_user, h, action == "recheck_pass", form.to_dict(), uploads("photos"), version)
        elif action == "close":
            hazards.close(current_user, h, form.get("note", ""), version)
    except InputError as refused:
        db.session.rollback()
        return _render(_load(hazard_id), refused.errors, form, action, 400)
    except ServiceError as refused:
        db.session.rollback()
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
    return render_template("hazards/notice.html", h=h, levels=hazards.LEVEL_LABELS, recheck=recheck, pairs=pairs,
                           transitions=hazards.TRANSITIONS)


@bp.route("/hazards/events/<int:event_id>/files/<int:media_id>")
@permission_required("hazard.view")
def event_file(event_id: int, media_id: int):
    """A document attached to a step (a PDF), for those who may see the hazard."""
    # One query, the scope joined: a step of another grid costs what a missing one does.
    event = db.session.scalar(hazards.scope(current_user).with_only_columns(HazardEvent).select_from(Hazard)
                              .join(HazardEvent, HazardEvent.hazard_id == Hazard.id).where(HazardEvent.id == event_id))
    if event is None:
        abort(404)
    media = next((m for m in event.files if m.id == media_id), None)
    if media is None:
        abort(404)
    response = send_media(media)
    response.headers["Content-Disposition"] = "attachment"
    return response


# --- notifications ---------------------------------------------------------------------------

@bp.route("/notifications")
@permission_required("notification.view")
def notification_list():
    rows = db.session.scalars(sa.select(Notification).where(Notification.user_id == current_user.id)
                              .options(sa.orm.joinedload(Notification.hazard).joinedload(Hazard.enterprise))
                              .order_by(Notification.id.desc()).limit(100)).all()
    return render_template("hazards/notifications.html", rows=rows, texts=notifications.NOTIFICATION_TEXT)


@bp.route("/notifications/<int:notification_id>", methods=["POST"])
@permission_required("notification.view")
def notification_open(notification_id: int):
    """Mark read and go to the hazard."""
    row = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                          Notification.user_id == current_user.id))
    if row is None:
        abort(404)
    row.read_at = row.read_at or clock.now()
    db.session.commit()
    if row.hazard_id:
        return redirect(url_for(".show", hazard_id=row.hazard_id))
    # Links are written by services (never from user input); only same-site paths are followed.
    link = row.link if row.link.startswith("/") and not row.link.startswith("//") else ""
    return redirect(link or url_for(".notification_list"))


@bp.route("/notifications/read-all", methods=["POST"])
@permission_required("notification.view")
def notification_read_all():
    db.session.execute(sa.update(Notification).where(Notification.user_id == current_user.id,
                                                     Notification.read_at.is_(None)).values(read_at=clock.now()))
    db.session.commit()
    return redirect(url_for(".notification_list"))
