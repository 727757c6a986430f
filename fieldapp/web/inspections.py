"""On-site inspection records: start, fill in, photos, hazards, signature or refusal, print."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import codes, policy
from fieldapp.errors import InputError, ServiceError
from fieldapp.fields import ident
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.schemas import commands
from fieldapp.schemas.commands.hazards import HazardReportFormSchema
from fieldapp.services import audit, campaigns, checklists, hazards, inspections, org, photos, tamper

bp = Blueprint("inspections", __name__)

UPLOAD_LIMIT = photos.MAX_BYTES + 1


def _files(field: str) -> list:
    return [f for f in request.files.getlist(field) if f and f.filename]


@bp.route("/inspections/patrol")
@permission_required("inspection.create")
def patrol():
    """My patrol list: the enterprises of my grids, never inspected (or longest ago) first."""
    return render_template(
        "inspections/patrol.html",
        rows=inspections.patrol_list(current_user),
        drafts=inspections.drafts_of(current_user),
        campaign_tasks=campaigns.tasks_for(current_user),
    )


@bp.route("/enterprises/<int:enterprise_id>/inspections", methods=["POST"])
@permission_required("inspection.create")
def start(enterprise_id: int):
    """Start an inspection (refused, with the reason, when recused or outside one's grids)."""
    enterprise = policy.get_enterprise(current_user, enterprise_id)
    inspection = inspections.start_once(current_user, enterprise, request.form.get("uuid") or None)
    if inspection.is_final:  # the tap sent again after the record was signed (a page kept by Back)
        return redirect(url_for(".edit", inspection_id=inspection.id))
    # The answer is the draft's form itself (201, its address in Location), not a redirect to it: on a
    # weak link the redirect's round trip is 0.4 s of the 1 s budget from home to the form. The page
    # takes the draft's address (its canonical link, app.js); sent again, the same uuid reopens it.
    page, created = _draft_form(inspection, {}, 201)
    address = url_for(".edit", inspection_id=inspection.id)
    return page, created, {"Location": address, "Content-Location": address}


def _co_inspector_choices(inspection) -> list:
    return org.inspectors_of(inspection.enterprise.grid_id, besides=inspection.inspector_id)


@bp.route("/inspections/<int:inspection_id>", methods=["GET", "POST"])
@permission_required("inspection.view")
def edit(inspection_id: int):
    """A draft is a form for its author; a final record (or someone else's) reads as the record."""
    inspection = inspections.get(current_user, inspection_id)
    if request.method == "GET":
        audit.read(current_user, "inspection", inspection.id)
    if inspection.is_final or inspection.inspector_id != current_user.id:
        readers = audit.readers("inspection", inspection.id) if policy.can(current_user, "read_log.view") else None
        return render_template(
            "inspections/show.html",
            i=inspection,
            verified=inspections.verify(inspection),
            readers=readers,
            chain=tamper.row_state(inspection),
            openable=hazards.openable(current_user, inspection.id) if inspection.hazards else set(),
        )
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        fields = {
            k: form.get(k, "")
            for k in (
                "parts",
                "content",
                "findings",
                "measures",
                "work_id_number",
                "latitude",
                "longitude",
                "accuracy_m",
            )
        }
        fields["id_shown"] = form.get("id_shown") == "1"
        results = {r.id: (form.get(f"result-{r.id}", ""), form.get(f"note-{r.id}", "")) for r in inspection.results}
        co = [i for i in map(ident, form.getlist("co_inspectors")) if i]
        try:
            inspections.update(current_user, inspection, fields, results, co)
        except InputError as refused:
            errors, status = refused.errors, 400
        else:
            if form.get("next") == "sign":
                return redirect(url_for(".sign", inspection_id=inspection.id))
            flash(_("已保存。"), "success")
            return redirect(url_for(".edit", inspection_id=inspection.id))
    return _draft_form(inspection, errors, status, request.form)


def _draft_form(inspection, errors: dict, status: int, form=None):
    """The draft's form; ``form`` holds what was typed (empty: the record's own values)."""
    return render_template(
        "inspections/edit.html",
        i=inspection,
        errors=errors,
        form=form or {},
        co_choices=_co_inspector_choices(inspection),
        missing=inspections.missing_for_signature(inspection),
        limits=inspections.TEXT_LIMITS,
    ), status


@bp.route("/inspections/<int:inspection_id>/photos", methods=["POST"])
@permission_required("inspection.create")
def add_photos(inspection_id: int):
    """Attach one or more photos (to the record, or to a checklist item)."""
    inspection = inspections.get(current_user, inspection_id)
    item = request.form.get("item_result_id", type=ident)
    files = _files("photos")
    if not files:
        flash(_("请选择或拍摄照片。"), "error")
    added = 0
    for upload in files:
        try:
            inspections.add_photo(
                current_user,
                inspection,
                upload.stream.read(UPLOAD_LIMIT),
                upload.filename,
                item_result_id=item,
                caption=request.form.get("caption", ""),
            )
            added += 1
        except ServiceError as refused:
            flash(_("照片“%(name)s”未能添加：%(why)s", name=upload.filename[:40], why=refused.message), "error")
    if added:
        flash(ngettext("已添加 %(num)d 张照片。", "已添加 %(num)d 张照片。", added), "success")
    elif files:  # every file refused: say so with the form again, as a 400
        return _draft_form(inspection, {}, 400)
    return redirect(url_for(".edit", inspection_id=inspection.id, _anchor=f"item-{item}" if item else "photos"))


@bp.route("/inspections/<int:inspection_id>/photos/<int:link_id>/delete", methods=["POST"])
@permission_required("inspection.create")
def remove_photo(inspection_id: int, link_id: int):
    inspection = inspections.get(current_user, inspection_id)
    try:
        inspections.remove_photo(current_user, inspection, link_id)
    except InputError as refused:
        flash(refused.message, "error")
    return redirect(url_for(".edit", inspection_id=inspection.id, _anchor="photos"))


@bp.route("/inspections/<int:inspection_id>/hazards/new", methods=["GET", "POST"])
@permission_required("inspection.create")
def report_hazard(inspection_id: int):
    """Report a hazard found here: description, place, proposed level, photos (≥ 1)."""
    inspection = inspections.get(current_user, inspection_id)
    item = request.values.get("item_result_id", type=ident)
    errors, status = {}, 200
    values = {k: request.form.get(k, "") for k in ("description", "place", "level", "legal_basis")}
    if request.method == "GET" and item:
        row = next((r for r in inspection.results if r.id == item), None)
        if row is not None:
            values.update(description=row.note, place="")
    chosen = [i for i in map(ident, request.form.getlist("photo_ids")) if i]
    if request.method == "POST":
        try:
            for upload in _files("photos"):
                chosen.append(
                    inspections.add_photo(
                        current_user, inspection, upload.stream.read(UPLOAD_LIMIT), upload.filename, item_result_id=item
                    ).id
                )
            report = commands.load(
                HazardReportFormSchema(),
                {
                    **values,
                    "photo_link_ids": chosen,
                    "item_result_id": item,
                    "client_uuid": request.form.get("uuid") or None,
                },
            )
            inspections.report_hazard(current_user, inspection, report)
        except InputError as refused:
            errors, status = refused.errors, 400
        except ServiceError as refused:
            errors, status = {"photos": refused.message}, 400
        else:
            flash(_("隐患已上报，等待执法人员确认。"), "success")
            return redirect(url_for(".edit", inspection_id=inspection.id, _anchor="hazards"))
    return render_template(
        "inspections/hazard.html", i=inspection, values=values, errors=errors, item=item, chosen=set(chosen)
    ), status


@bp.route("/inspections/<int:inspection_id>/sign", methods=["GET", "POST"])
@permission_required("inspection.create")
def sign(inspection_id: int):
    """The site manager reads the summary, gives an opinion and name, and signs."""
    inspection = inspections.get(current_user, inspection_id)
    if inspection.is_final:
        return redirect(url_for(".edit", inspection_id=inspection.id))
    errors, status = {}, 200
    values = {k: request.form.get(k, "") for k in ("signer_name", "signer_opinion")}
    if request.method == "POST":
        try:
            inspections.sign(
                current_user,
                inspection,
                values["signer_name"],
                values["signer_opinion"],
                request.form.get("signature", ""),
                request.form.get("summary_sha256", ""),
            )
        except InputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("现场负责人已签字，记录已定稿。"), "success")
            return redirect(url_for(".edit", inspection_id=inspection.id))
    summary = inspections.summary_text(inspection)
    return render_template(
        "inspections/sign.html",
        i=inspection,
        values=values,
        errors=errors,
        missing=inspections.missing_for_signature(inspection),
        summary=summary,
        summary_sha256=hashlib.sha256(summary.encode()).hexdigest(),
    ), status


@bp.route("/inspections/<int:inspection_id>/refuse", methods=["GET", "POST"])
@permission_required("inspection.create")
def refuse(inspection_id: int):
    """The site manager refuses to sign: reason and a photo are recorded instead."""
    inspection = inspections.get(current_user, inspection_id)
    if inspection.is_final:
        return redirect(url_for(".edit", inspection_id=inspection.id))
    errors, status = {}, 200
    values = {k: request.form.get(k, "") for k in ("signer_name", "refusal_reason")}
    if request.method == "POST":
        uploads = _files("photo")
        try:
            inspections.refuse(
                current_user,
                inspection,
                values["signer_name"],
                values["refusal_reason"],
                uploads[0].stream.read(UPLOAD_LIMIT) if uploads else None,
                uploads[0].filename if uploads else "",
            )
        except ServiceError as refused:
            errors, status = getattr(refused, "errors", {"refusal_photo": refused.message}), 400
        else:
            flash(_("已记录现场负责人拒绝签字，记录已定稿。"), "success")
            return redirect(url_for(".edit", inspection_id=inspection.id))
    return render_template(
        "inspections/refuse.html",
        i=inspection,
        values=values,
        errors=errors,
        missing=inspections.missing_for_signature(inspection),
    ), status


@bp.route("/inspections/<int:inspection_id>/delete", methods=["POST"])
@permission_required("inspection.create")
def delete(inspection_id: int):
    inspection = inspections.get(current_user, inspection_id)
    enterprise_id = inspection.enterprise_id
    inspections.delete_draft(current_user, inspection)
    flash(_("草稿已删除。"), "info")
    return redirect(url_for("enterprises.show", enterprise_id=enterprise_id))


@bp.route("/inspections/<int:inspection_id>/supplement", methods=["POST"])
@permission_required("inspection.create")
def supplement(inspection_id: int):
    """Corrections to a final record go into a new record that points at it."""
    original = inspections.get(current_user, inspection_id)
    new = inspections.supplement(current_user, original)
    flash(_("已创建补充记录，原记录保持不变。"), "info")
    return redirect(url_for(".edit", inspection_id=new.id))


@bp.route("/inspections/<int:inspection_id>/print")
@permission_required("inspection.view")
def print_view(inspection_id: int):
    """The A4 record (现场检查记录) with a QR code to the online record."""
    import segno

    inspection = inspections.get(current_user, inspection_id)
    url = url_for(".edit", inspection_id=inspection.id, _external=True)
    qr = segno.make(url, error="m").svg_data_uri(scale=3, border=1)
    return render_template(
        "inspections/print.html",
        i=inspection,
        qr=qr,
        url=url,
        verified=inspections.verify(inspection),
        chain=tamper.row_state(inspection),
        openable=set(),
    )


# --- checklist templates (admins) ---------------------------------------------------


@bp.route("/checklists")
@permission_required("checklist.manage")
def checklist_list():
    return render_template("inspections/checklists.html", templates=checklists.all_templates())


@bp.route("/checklists/new", methods=["GET", "POST"])
@bp.route("/checklists/<int:template_id>", methods=["GET", "POST"])
@permission_required("checklist.manage")
def checklist_edit(template_id: int | None = None):
    """Edit a template as text: one item per line, "category | item | legal basis | findings"."""
    template = checklists.get_template(template_id) if template_id else None
    if template_id and template is None:
        abort(404)
    errors, status = {}, 200
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in ("name", "industry", "lines", "default_parts", "default_content")}
        try:
            template = checklists.save_template(
                current_user,
                template,
                values["name"],
                values["industry"],
                values["lines"],
                request.form.get("active") == "1",
                values["default_parts"],
                values["default_content"],
            )
        except InputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("检查表已保存。"), "success")
            return redirect(url_for(".checklist_list"))
    elif template:
        values = {
            "name": template.name,
            "industry": template.industry or "",
            "lines": checklists.as_lines(template),
            "default_parts": template.default_parts,
            "default_content": template.default_content,
        }
    else:
        values = {"name": "", "industry": "", "lines": "", "default_parts": "", "default_content": ""}
    return render_template(
        "inspections/checklist_edit.html",
        t=template,
        values=values,
        errors=errors,
        industries=codes.options(codes.INDUSTRIES, True),
    ), status
