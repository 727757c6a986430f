"""Enterprise lists and the one-file-per-enterprise page, always inside the user's scope."""
from __future__ import annotations

import functools
import hashlib
from io import BytesIO

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from fieldapp import codes, policy
from fieldapp.db import db
from fieldapp.errors import Conflict
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.models import Enterprise, EnterpriseChange, Grid, MediaFile, Photo
from fieldapp.models.enterprises import ENTERPRISE_STATUSES
from fieldapp.services import enterprise_file, enterprises, photos, storage
from fieldapp.services.enterprise_search import Filters, page_ids
from fieldapp.web.guards import permission_required
from fieldapp.web.paging import page_number, page_of, rows_statement

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")

#: Fields of the enterprise form, in display order.
FORM_FIELDS = ("name", "uscc", "grid", "status", "industry", "scale", "risk_grade", "registered_address",
               "operating_address", "latitude", "longitude", "legal_representative", "safety_manager_name",
               "safety_manager_mobile", "employee_count", "notes")


def _grids():
    return policy.scope_grids(current_user)


def _choices() -> dict:
    grids = _grids()
    return {"grids": grids, "grid_options": [(g.id, f"{g.code} {g.name}") for g in grids],
            "statuses": codes.options(ENTERPRISE_STATUSES), "industry_options": codes.options(codes.INDUSTRIES, True),
            "scales": codes.options(codes.SCALES), "risk_grades": codes.options(codes.RISK_GRADES)}


@bp.route("/")
@permission_required("enterprise.list")
def index():
    """Enterprises in scope: search by name or code; filter by grid, status, industry, risk grade."""
    filters = Filters.from_args(request.args)
    per_page = current_app.config["PAGE_SIZE"]
    ids, total = page_ids(current_user, filters, page_number(), per_page)
    page = page_of(_PAGE_ROWS, ids, total, per_page)
    return render_template("enterprises/index.html", page=page, f=filters, **_choices())


@bp.route("/<int:enterprise_id>")
@permission_required("enterprise.view")
def show(enterprise_id: int):
    """The enterprise file: everything about the company, section by section."""
    shape, values = policy.scope_binding(current_user)
    enterprise = policy.get_prebuilt(_page_statement(shape), values, enterprise_id)
    return render_template("enterprises/show.html", e=enterprise,
                           file=enterprise_file.gather(enterprise, current_user))


#: The list page's rows, in one query built once: only the columns the list shows (an enterprise
#: has thirty; each costs the driver and the ORM per row). Reading another one raises.
_PAGE_ROWS = rows_statement(
    Enterprise,
    sa.orm.load_only(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.status, Enterprise.pending_review,
                     raiseload=True),
    sa.orm.joinedload(Enterprise.grid).load_only(Grid.id, Grid.name, raiseload=True))


@functools.cache
def _page_statement(shape: policy.Shape) -> sa.Select:
    # The page names the grid and its department: loaded with the enterprise, not after it.
    return (sa.select(Enterprise).where(policy.enterprise_condition_of(shape), Enterprise.id == sa.bindparam("id"))
            .options(sa.orm.joinedload(Enterprise.grid).joinedload(Grid.org_unit)))


def _form_values(enterprise: Enterprise | None = None) -> dict:
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
    return render_template("enterprises/form.html", values=_form_values(), errors=errors, e=None,
                           **_choices()), status


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@permission_required("enterprise.edit")
def edit(enterprise_id: int):
    """Edit the file (admins); every change is kept in the history."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            changed = enterprises.update(current_user, enterprise, _form_values(),
                                         note=request.form.get("change_note", ""))
        except enterprises.EnterpriseInputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(ngettext("已保存 %(num)d 项修改。", "已保存 %(num)d 项修改。", len(changed)) if changed
                  else _("没有修改任何内容。"), "success" if changed else "info")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
    return render_template("enterprises/form.html", values=_form_values(enterprise), errors=errors,
                           e=enterprise, **_choices()), status


def _photo_from_request():
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    return photos.store_evidence(upload.stream.read(photos.MAX_BYTES + 1), current_user, upload.filename)


def _field_report(action):
    """Run an inspector's report that may carry a photo: (result, {}) or (None, errors by field)."""
    try:
        return action(_photo_from_request()), {}
    except photos.PhotoError as refused:
        db.session.rollback()
        return None, {"photo": refused.message}
    except enterprises.EnterpriseInputError as refused:
        db.session.rollback()
        return None, refused.errors


@bp.route("/<int:enterprise_id>/status", methods=["GET", "POST"])
@permission_required("enterprise.report_status")
def report_status(enterprise_id: int):
    """An inspector reports on site that the enterprise moved, closed, stopped or is back."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    errors, status = {}, 200
    values = {"status": request.form.get("status", ""), "note": request.form.get("note", "")}
    if request.method == "POST":
        errors = _field_report(lambda photo: enterprises.report_status(
            current_user, enterprise, values["status"], values["note"], photo))[1]
        if not errors:
            flash(_("已记录企业现状变化。"), "success")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
        status = 400
    return render_template("enterprises/status.html", e=enterprise, values=values, errors=errors,
                           statuses=[(k, v) for k, v in codes.options(ENTERPRISE_STATUSES)
                                     if k in enterprises.FIELD_STATUSES]), status


@bp.route("/report-new", methods=["GET", "POST"])
@permission_required("enterprise.report_new")
def report_new():
    """An inspector records an enterprise found on patrol that is not on file."""
    errors, status = {}, 200
    values = {k: request.form.get(k, "") for k in FORM_FIELDS + ("note",)}
    if request.method == "POST":
        enterprise, errors = _field_report(
            lambda photo: enterprises.report_new(current_user, values, values["note"], photo))
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


@bp.route("/<int:enterprise_id>/changes/<int:change_id>/photo")
@permission_required("enterprise.view")
def change_photo(enterprise_id: int, change_id: int):
    """A photo attached to a change of this enterprise (scope-checked like the file itself)."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    photo = db.session.scalar(sa.select(MediaFile).join(EnterpriseChange, EnterpriseChange.photo_id == MediaFile.id)
                              .where(EnterpriseChange.id == change_id,
                                     EnterpriseChange.enterprise_id == enterprise.id))
    if photo is None:
        abort(404)
    return send_media(photo)


def send_photo(photo: Photo, variant: str):
    """A photo's display copy, thumbnail or original (the copies are made on first view). The
    original — the evidence, as uploaded, with whatever it carries — is a download, never shown
    inline; people look at the re-encoded copies."""
    response = send_media(photos.rendition(photo, variant))
    if variant == "original":
        extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(photo.original.content_type,
                                                                                       "bin")
        response.headers["Content-Disposition"] = f'attachment; filename="photo-{photo.id}-original.{extension}"'
    return response


def send_media(item: MediaFile):
    """Serve a stored file: its recorded type, inline, never sniffed. Case files are not kept by the
    browser as fresh (``no-cache``): each view asks again (a cheap 304 by the content's hash), so
    after logout a shared phone's cache shows nothing without a session."""
    store = storage.current()
    try:
        data = store.get(item.sha256)
    except FileNotFoundError:
        abort(404)
    if hashlib.sha256(data).hexdigest() != item.sha256:
        # The file was replaced or damaged on the server: never served as the evidence it claims to be.
        current_app.logger.error("stored file %s (media %s) no longer matches its SHA-256", item.sha256, item.id)
        raise Conflict(_("该文件与存档时的校验值不符（可能在服务器上被替换或损坏），已拒绝提供并记录。请联系管理员。"))
    response = send_file(BytesIO(data), mimetype=item.content_type, etag=item.sha256, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
