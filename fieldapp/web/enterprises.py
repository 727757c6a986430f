"""Enterprise lists and the one-file-per-enterprise page, always inside the user's scope."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import codes, policy
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.services import enterprise_file, enterprise_search, enterprises, photos
from fieldapp.services.enterprise_search import Filters

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

#: Fields of the enterprise form, in display order.
FORM_FIELDS = (
    "name",
    "uscc",
    "grid",
    "status",
    "industry",
    "scale",
    "risk_grade",
    "registered_address",
    "operating_address",
    "latitude",
    "longitude",
    "legal_representative",
    "safety_manager_name",
    "safety_manager_mobile",
    "employee_count",
    "notes",
)


def _grids():
    return policy.scope_grids(current_user)


def _choices() -> dict:
    grids = _grids()
    return {
        "grids": grids,
        "grid_options": [(g.id, f"{g.code} {g.name}") for g in grids],
        "statuses": codes.options(enterprises.ENTERPRISE_STATUSES),
        "industry_options": codes.options(codes.INDUSTRIES, True),
        "scales": codes.options(codes.SCALES),
        "risk_grades": codes.options(codes.RISK_GRADES),
    }


@bp.route("/")
@permission_required("enterprise.list")
def index():
    """Enterprises in scope: search by name or code; filter by grid, status, industry, risk grade."""
    filters = Filters.from_args(request.args)
    per_page = current_app.config["PAGE_SIZE"]
    page = enterprise_search.page(current_user, filters, page_number(), per_page)
    return render_template("enterprises/index.html", page=page, f=filters, **_choices())


@bp.route("/<int:enterprise_id>")
@permission_required("enterprise.view")
def show(enterprise_id: int):
    """The enterprise file: everything about the company, section by section."""
    enterprise = enterprise_file.for_page(current_user, enterprise_id)
    return render_template("enterprises/show.html", e=enterprise, file=enterprise_file.gather(enterprise, current_user))


def _form_values(enterprise=None) -> dict:
    if request.method == "POST":
        return {k: request.form.get(k, "") for k in FORM_FIELDS}
    if enterprise is None:
        return {"status": "active"}
    values = {k: getattr(enterprise, k) for k in FORM_FIELDS if k != "grid"}
    values["grid"] = enterprise.grid_id
    return {k: ("" if v is None else v) for k, v in values.items()}


@bp.route("/new", methods=["GET", "POST"])
@permission_required("enterprise.create")
def create():
    """Add an enterprise to the registry (admins)."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            enterprise = enterprises.create(current_user, _form_values())
        except enterprises.EnterpriseInputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("企业档案已建立。"), "success")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
    return render_template("enterprises/form.html", values=_form_values(), errors=errors, e=None, **_choices()), status


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@permission_required("enterprise.edit")
def edit(enterprise_id: int):
    """Edit the file (admins); every change is kept in the history."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            changed = enterprises.update(
                current_user, enterprise, _form_values(), note=request.form.get("change_note", "")
            )
        except enterprises.EnterpriseInputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(
                ngettext("已保存 %(num)d 项修改。", "已保存 %(num)d 项修改。", len(changed))
                if changed
                else _("没有修改任何内容。"),
                "success" if changed else "info",
            )
            return redirect(url_for(".show", enterprise_id=enterprise.id))
    return render_template(
        "enterprises/form.html", values=_form_values(enterprise), errors=errors, e=enterprise, **_choices()
    ), status


def _photo_upload() -> tuple[bytes, str] | None:
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(photos.MAX_BYTES + 1), upload.filename


def _field_report(action):
    """Run an inspector's report that may carry a photo: (result, {}) or (None, errors by field)."""
    try:
        return action(_photo_upload()), {}
    except enterprises.EnterpriseInputError as refused:
        return None, refused.errors


@bp.route("/<int:enterprise_id>/status", methods=["GET", "POST"])
@permission_required("enterprise.report_status")
def report_status(enterprise_id: int):
    """An inspector reports on site that the enterprise moved, closed, stopped or is back."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    errors, status = {}, 200
    values = {"status": request.form.get("status", ""), "note": request.form.get("note", "")}
    if request.method == "POST":
        errors = _field_report(
            lambda photo: enterprises.report_status(current_user, enterprise, values["status"], values["note"], photo)
        )[1]
        if not errors:
            flash(_("已记录企业现状变化。"), "success")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
        status = 400
    return render_template(
        "enterprises/status.html",
        e=enterprise,
        values=values,
        errors=errors,
        statuses=[(k, v) for k, v in codes.options(enterprises.ENTERPRISE_STATUSES) if k in enterprises.FIELD_STATUSES],
    ), status


@bp.route("/report-new", methods=["GET", "POST"])
@permission_required("enterprise.report_new")
def report_new():
    """An inspector records an enterprise found on patrol that is not on file."""
    errors, status = {}, 200
    values = {k: request.form.get(k, "") for k in FORM_FIELDS + ("note",)}
    if request.method == "POST":
        enterprise, errors = _field_report(
            lambda photo: enterprises.report_new(current_user, values, values["note"], photo)
        )
        if not errors:
            flash(_("已上报新发现企业，待管理员审核。"), "success")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
        status = 400
    return render_template("enterprises/report_new.html", values=values, errors=errors, **_choices()), status


@bp.route("/<int:enterprise_id>/confirm", methods=["POST"])
@permission_required("enterprise.review")
def confirm(enterprise_id: int):
    """An admin confirms a newly found enterprise."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    enterprises.confirm(current_user, enterprise, request.form.get("note", ""))
    flash(_("已确认该企业，纳入正式档案。"), "success")
    return redirect(url_for(".show", enterprise_id=enterprise.id))
