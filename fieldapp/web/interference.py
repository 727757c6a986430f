"""Records of leaders' interference (seed 003): record, read, supplement, follow up.

Record pages answer anyone not entitled with one refusal, logged; there is no route that
edits or deletes a record — requests that try are refused and logged too."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fieldapp import policy, roles
from fieldapp.errors import Forbidden, InputError
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.services import hazards, interference
from fieldapp.web.forms import post, uploads
from fieldapp.web.media import send_media

bp = Blueprint("interference", __name__, url_prefix="/interference")


@bp.route("/")
@permission_required("interference.view")
def index():
    """A recorder's own records; for discipline inspectors, the register with its aggregates."""
    q = request.args.get("q", "")
    rows = interference.register(current_user, q)
    reviewer = current_user.has_role(roles.DISCIPLINE_INSPECTOR)
    return render_template(
        "interference/index.html",
        rows=rows,
        q=q,
        reviewer=reviewer,
        totals=interference.aggregates(rows) if reviewer else None,
        labels=_labels(),
    )


def _labels() -> dict:
    return {
        "manner": interference.MANNER_LABELS,
        "conduct": interference.CONDUCT_LABELS,
        "state": dict(interference.FOLLOW_UP_LABELS, new=_("待接收")),
    }


@bp.route("/new", methods=["GET", "POST"])
@permission_required("interference.record")
def new():
    form = post(lambda values: interference.record(current_user, values, uploads("files")))
    if form.done:
        flash(_("已记录并送达纪检监察人员。"), "success")
        return redirect(url_for(".show", record_id=form.result.id))
    return render_template(
        "interference/new.html",
        values=form.values,
        errors=form.errors,
        labels=_labels(),
        limit=interference.REPORT_WITHIN_WORKING_DAYS,
    ), form.status


def _render(row, errors=None, values=None, status=200):
    reviewer = policy.can(current_user, "interference.review")
    hazard = hazards.visible(current_user, row.hazard_id)
    return render_template(
        "interference/show.html",
        r=row,
        errors=errors or {},
        values=values or {},
        labels=_labels(),
        timely=interference.timeliness(row),
        state=interference.state(row),
        reviewer=reviewer,
        recorder=policy.interference.may_supplement(current_user, row),
        hazard=hazard,
        readers=interference.attempts(row) if reviewer else None,
    ), status


@bp.route("/<int:record_id>", methods=["GET"])
@login_required
def show(record_id: int):
    """Open a record: only the recorder and the department's discipline inspectors (logged)."""
    return _render(interference.open_record(current_user, record_id))


@bp.route("/<int:record_id>", methods=["POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<int:record_id>/<any(edit, delete, update):verb>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@login_required
def refuse_change(record_id: int, verb: str = ""):
    """There is no editing or deleting: the attempt is refused and logged."""
    interference.log_denied(current_user, record_id)
    raise Forbidden(_("干预记录不能修改或删除；如有新情况，请添加补充说明。此次操作已记录。"))


@bp.route("/<int:record_id>/supplements", methods=["POST"])
@login_required
def supplement(record_id: int):
    row = interference.open_record(current_user, record_id)
    try:
        interference.supplement(current_user, row, request.form.to_dict(), uploads("files"))
    except InputError as refused:  # refused before anything was written
        return _render(interference.open_record(current_user, record_id), refused.errors, request.form, 400)
    flash(_("补充说明已添加。"), "success")
    return redirect(url_for(".show", record_id=record_id))


@bp.route("/<int:record_id>/follow-ups", methods=["POST"])
@permission_required("interference.review")
def follow_up(record_id: int):
    row = interference.open_record(current_user, record_id)
    try:
        interference.follow_up(current_user, row, request.form.to_dict())
    except InputError as refused:  # refused before anything was written
        return _render(interference.open_record(current_user, record_id), refused.errors, request.form, 400)
    flash(_("处理情况已登记。"), "success")
    return redirect(url_for(".show", record_id=record_id))


@bp.route("/<int:record_id>/files/<int:media_id>")
@login_required
def file(record_id: int, media_id: int):
    row = interference.open_record(current_user, record_id)
    media = next((m for m in [*row.files, *(f for s in row.supplements for f in s.files)] if m.id == media_id), None)
    if media is None:
        abort(404)
    response = send_media(media)
    response.headers["Content-Disposition"] = "attachment"
    return response
