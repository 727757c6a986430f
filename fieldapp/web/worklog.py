"""Work log, leave and the monthly attendance sheet."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user

from fieldapp import clock, policy, roles
from fieldapp.errors import Conflict
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.services import worklog, xlsx
from fieldapp.web.exports import send_xlsx
from fieldapp.web.forms import post

bp = Blueprint("worklog", __name__, url_prefix="/worklog")


def _month():
    month = worklog.parse_month(request.args.get("month"), clock.today())
    if month is None:
        abort(404)
    return month


@bp.route("/")
@permission_required("worklog.view")
def index():
    """A person's days of the month, derived from their inspections, re-checks and reports.
    Inspectors see their own; admins anyone of their team (``?user=``)."""
    month = _month()
    person = current_user
    if request.args.get("user") and policy.can(current_user, "user.manage"):
        person = worklog.team_member(current_user, request.args.get("user"))
    elif not current_user.has_role(*roles.INSPECTORS):
        return redirect(url_for(".attendance", month=month.strftime("%Y-%m")))
    previous = (month - timedelta(days=1)).replace(day=1)
    return render_template(
        "worklog/index.html",
        person=person,
        month=month,
        days=worklog.log(person, month),
        previous=previous,
        leave_labels=worklog.LEAVE_LABELS,
    )


@bp.route("/leave", methods=["GET", "POST"])
@permission_required("inspection.create")
def leave():
    form = post(lambda values: worklog.request_leave(current_user, values))
    if form.done:
        flash(_("请假申请已提交，等待批准。"), "success")
        return redirect(url_for(".leave"))
    return render_template(
        "worklog/leave.html",
        rows=worklog.mine(current_user),
        values=form.values,
        errors=form.errors,
        kinds=worklog.LEAVE_LABELS,
        states=worklog.LEAVE_STATUS,
    ), form.status


@bp.route("/leave/pending")
@permission_required("user.manage")
def leave_pending():
    return render_template("worklog/pending.html", rows=worklog.pending(current_user), kinds=worklog.LEAVE_LABELS)


@bp.route("/leave/<int:leave_id>/<any(approve, reject):verdict>", methods=["POST"])
@permission_required("user.manage")
def leave_decide(leave_id: int, verdict: str):
    try:
        worklog.decide(current_user, leave_id, verdict == "approve", request.form.get("note", ""))
    except Conflict as refused:  # already decided: say so on the list (others' leave stays a 403)
        flash(refused.message, "error")
        return redirect(url_for(".leave_pending"), 303)
    flash(_("已批准。") if verdict == "approve" else _("已不予批准。"), "success")
    return redirect(url_for(".leave_pending"))


@bp.route("/attendance")
@permission_required("user.manage")
def attendance():
    month = _month()
    days, sheet = worklog.attendance(current_user, month)
    return render_template("worklog/attendance.html", month=month, days=days, sheet=sheet, marks=worklog.MARKS)


@bp.route("/attendance.xlsx")
@permission_required("user.manage")
def attendance_export():
    month = _month()
    days, sheet = worklog.attendance(current_user, month)
    headers = ["姓名", "工作证号"] + [f"{d.day}日" for d in days] + ["出勤天数", "请假天数", "工作日无外勤记录"]
    rows = (
        [
            p.display_name,
            p.work_id or "",
            *(str(worklog.MARKS[m]) for m in marks),
            counts["work"],
            counts["leave"],
            counts["absent"],
        ]
        for p, marks, counts in sheet
    )
    with force_locale("zh_CN"):  # the sheet is a Chinese document, as its headers are
        out = xlsx.write([(f"{month:%Y年%m月}考勤", headers, rows)])
    return send_xlsx(out, f"考勤表-{month:%Y-%m}.xlsx")
