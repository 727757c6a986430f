"""Company side: risk points and self-checks. Staff side: the online patrol of a company."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import codes, fields, policy
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.services import selfchecks

bp = Blueprint("selfchecks", __name__, url_prefix="/enterprises/<int:enterprise_id>")

RISK_FIELDS = ("place", "hazard_type", "risk_level", "control_measures", "responsible_person", "check_every_days")


def _point(enterprise, point_id: int):
    point = selfchecks.risk_point(enterprise, point_id)
    if point is None:
        abort(404)
    return point


def _risk_form(enterprise, point=None):
    errors, status = {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in RISK_FIELDS}
        try:
            if request.form.get("retire") == "1" and point is not None:
                selfchecks.retire_risk_point(current_user, point)
                flash(_("风险点已停用，历史记录保留。"), "success")
            elif point is None:
                selfchecks.add_risk_point(current_user, enterprise, values)
                flash(_("风险点已添加。"), "success")
            else:
                selfchecks.update_risk_point(current_user, point, values)
                flash(_("风险点已修改。"), "success")
        except selfchecks.InputError as refused:
            errors, status = refused.errors, 400
        else:
            return redirect(url_for("enterprises.show", enterprise_id=enterprise.id, _anchor="risk-points"))
    elif point is not None:
        values = {k: getattr(point, k) for k in RISK_FIELDS}
    else:
        values = {"check_every_days": 30}
    return render_template(
        "selfchecks/risk_point.html",
        e=enterprise,
        point=point,
        values=values,
        errors=errors,
        hazard_types=codes.options(codes.HAZARD_TYPES),
        risk_grades=codes.options(codes.RISK_GRADES),
    ), status


@bp.route("/risk-points/new", methods=["GET", "POST"])
@permission_required("riskpoint.manage")
def risk_point_new(enterprise_id: int):
    """The company adds a risk point."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    policy.require(current_user, "riskpoint.manage", enterprise)
    return _risk_form(enterprise)


@bp.route("/risk-points/<int:point_id>", methods=["GET", "POST"])
@permission_required("riskpoint.manage")
def risk_point_edit(enterprise_id: int, point_id: int):
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    policy.require(current_user, "riskpoint.manage", enterprise)
    return _risk_form(enterprise, _point(enterprise, point_id))


@bp.route("/self-checks/new", methods=["GET", "POST"])
@permission_required("selfcheck.record")
def self_check_new(enterprise_id: int):
    """The company records a self-check: which risk points were looked at, what was wrong."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    policy.require(current_user, "selfcheck.record", enterprise)
    points = selfchecks.risk_points(enterprise)
    errors, status = {}, 200
    values = {
        "checked_on": request.form.get("checked_on", ""),
        "checked_by": request.form.get("checked_by", ""),
        "note": request.form.get("note", ""),
    }
    if request.method == "POST":
        items = []
        for p in points:
            result = request.form.get(f"result-{p.id}", "")
            if result in ("ok", "problem"):
                items.append(
                    selfchecks.ItemInput(
                        risk_point_id=p.id,
                        ok=result == "ok",
                        problem=request.form.get(f"problem-{p.id}", ""),
                        fixed=request.form.get(f"fixed-{p.id}") == "1",
                    )
                )
        try:
            selfchecks.record_self_check(
                current_user, enterprise, values["checked_on"], values["checked_by"], items, values["note"]
            )
        except selfchecks.InputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("自查记录已保存。"), "success")
            return redirect(url_for("enterprises.show", enterprise_id=enterprise.id, _anchor="self-checks"))
    return render_template(
        "selfchecks/self_check.html", e=enterprise, points=points, values=values, errors=errors, form=request.form
    ), status


@bp.route("/self-checks/items/<int:item_id>/fixed", methods=["POST"])
@permission_required("selfcheck.record")
def item_fixed(enterprise_id: int, item_id: int):
    """The company marks a problem found in a self-check as fixed."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    item = selfchecks.finding(enterprise, item_id)
    if item is None:
        abort(404)
    selfchecks.mark_fixed(current_user, item)
    flash(_("已标记为整改完成。"), "success")
    return redirect(
        url_for(".online_patrol", enterprise_id=enterprise.id)
        if policy.can(current_user, "patrol.online")
        else url_for("enterprises.show", enterprise_id=enterprise.id, _anchor="self-checks")
    )


@bp.route("/online-patrol", methods=["GET", "POST"])
@permission_required("patrol.online")
def online_patrol(enterprise_id: int):
    """Remote review of a company's risk points and self-checks, gaps first; an
    inspector can turn a gap into a finding."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            selfchecks.record_finding(
                current_user,
                enterprise,
                request.form.get("gap_kind", ""),
                request.form.get("description", ""),
                risk_point_id=request.form.get("risk_point_id", type=fields.ident),
                self_check_item_id=request.form.get("self_check_item_id", type=fields.ident),
            )
        except selfchecks.InputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("已记录巡查发现；隐患上报功能上线后可转为隐患。"), "success")
            return redirect(url_for(".online_patrol", enterprise_id=enterprise.id))
    return render_template(
        "selfchecks/online_patrol.html",
        e=enterprise,
        gaps=selfchecks.gaps(enterprise),
        points=selfchecks.risk_points(enterprise),
        findings=selfchecks.findings(enterprise),
        checks=selfchecks.self_checks(enterprise, limit=5),
        errors=errors,
        may_record=policy.can(current_user, "finding.record", enterprise),
    ), status
