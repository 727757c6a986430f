"""Declarations of interests: a person's own list and form; the admin's queue, decisions,
and the view of where recusal needs a grid or a hazard reassigned."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.errors import ServiceError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.services import declarations
from fieldapp.web.forms import post

bp = Blueprint("declarations", __name__)


def _labels() -> dict:
    return {"kind": declarations.KIND_LABELS, "status": declarations.STATUS_LABELS}


@bp.route("/declarations", methods=["GET", "POST"])
@permission_required("declaration.create")
def index():
    form = post(lambda values: declarations.declare(current_user, values))
    if form.done:
        flash(_("申报已提交。审核前即按规定回避该单位的检查和处理。"), "success")
        return redirect(url_for(".index"))
    return render_template(
        "declarations/index.html",
        rows=declarations.mine(current_user),
        values=form.values,
        errors=form.errors,
        labels=_labels(),
    ), form.status


@bp.route("/admin/declarations")
@permission_required("declaration.decide")
def queue():
    pending = request.args.get("all") != "1"
    page = declarations.queue(current_user, pending, page_number(), 30)
    employers = {row.id: declarations.supervised_employer(row) for row in page.items if row.kind == "part_time"}
    return render_template(
        "declarations/queue.html", page=page, pending=pending, labels=_labels(), employers=employers, errors={}
    )


@bp.route("/admin/declarations/<int:conflict_id>/<any(approve, reject, end):verdict>", methods=["POST"])
@permission_required("declaration.decide")
def decide(conflict_id: int, verdict: str):
    row = declarations.get(current_user, conflict_id)
    try:
        declarations.decide(current_user, row, verdict, request.form.get("note", ""))
    except ServiceError as refused:  # refused before anything was written
        flash(refused.message, "error")
        return redirect(url_for(".queue"), 303)
    flash(_("已处理%(name)s的申报。", name=row.user.display_name), "success")
    return redirect(url_for(".queue"))


@bp.route("/admin/recusals")
@permission_required("declaration.decide")
def reassignments():
    return render_template(
        "declarations/reassignments.html", rows=declarations.reassignments(current_user), labels=_labels()
    )
