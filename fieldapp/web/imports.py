"""Import enterprises from a spreadsheet (preview, then commit) and export lists to Excel."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock
from fieldapp.http.guards import permission_required
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.services import enterprise_import
from fieldapp.services.enterprise_search import Filters, search
from fieldapp.web.exports import send_xlsx

bp = Blueprint("imports", __name__, url_prefix="/enterprises")


def _xlsx_response(data: bytes, filename: str):
    return send_xlsx(BytesIO(data), filename, "enterprises.xlsx")


@bp.route("/export.xlsx")
@permission_required("enterprise.export")
def export():
    """The current filtered list, as an Excel file with Chinese headers."""
    data = enterprise_import.export(current_user, search(current_user, Filters.from_args(request.args)))
    return _xlsx_response(data, f"企业名单-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx")


@bp.route("/import/template.xlsx")
@permission_required("enterprise.import")
def template():
    return _xlsx_response(enterprise_import.template(current_user), "企业导入模板.xlsx")


@bp.route("/import", methods=["GET", "POST"])
@permission_required("enterprise.import")
def upload():
    """Upload a spreadsheet; the next page shows every row's problems before anything is written."""
    error, status = None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error, status = _("请选择要导入的文件。"), 400
        else:
            try:
                data = upload.stream.read(enterprise_import.MAX_BYTES + 1)
                batch = enterprise_import.preview(current_user, upload.filename, data)
            except enterprise_import.ImportError_ as refused:
                error, status = refused.message, 400
            else:
                return redirect(url_for(".preview", token=batch.token))
    return render_template("imports/upload.html", error=error, max_rows=enterprise_import.MAX_ROWS), status


@bp.route("/import/<token>")
@permission_required("enterprise.import")
def preview(token: str):
    batch = enterprise_import.get_batch(current_user, token)
    show = request.args.get("show", "problems")
    rows = [r for r in batch.rows if r["errors"]] if show == "problems" else batch.rows
    limit = 500  # a phone cannot show 20,000 rows; the counts say the rest
    return render_template(
        "imports/preview.html",
        batch=batch,
        rows=rows[:limit],
        hidden=max(0, len(rows) - limit),
        show=show,
        columns=enterprise_import.COLUMNS,
    )


@bp.route("/import/<token>", methods=["POST"])
@permission_required("enterprise.import")
def commit(token: str):
    batch = enterprise_import.get_batch(current_user, token)
    if request.form.get("action") == "discard":
        enterprise_import.discard(current_user, batch)
        flash(_("已放弃本次导入，未写入任何数据。"), "info")
        return redirect(url_for(".upload"))
    try:
        count = enterprise_import.apply(current_user, batch, request.form.get("mode", ""))
    except enterprise_import.ServiceError as refused:
        flash(refused.message, "error")
        return redirect(url_for(".preview", token=batch.token))
    current_app.logger.info("import %s: %d enterprises by %s", batch.token, count, current_user.username)
    flash(ngettext("已导入 %(num)d 家企业。", "已导入 %(num)d 家企业。", count), "success")
    return redirect(url_for("enterprises.index"))
