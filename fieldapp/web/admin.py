"""Department admin: accounts of the admin's jurisdiction."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp import clock, fields, policy, roles
from fieldapp.errors import InputError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.schemas import commands
from fieldapp.schemas.commands.accounts import PasswordResetSchema
from fieldapp.services import audit, notice_board, org, users, workdays
from fieldapp.web.auth import hash_method
from fieldapp.web.forms import post, uploads
from fieldapp.web.media import send_photo

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_choices() -> dict[str, list[tuple]]:
    """The new-account form's options: every role, and the departments and grids within reach."""
    return {
        "roles": [(r, roles.label(r)) for r in roles.ALL],
        "units": [(u.id, u.name + _("（%(text)s）", text=u.kind_label)) for u in org.units_in_scope(current_user)],
        "grids": [(g.id, f"{g.code} {g.name}") for g in org.grids_in_scope(current_user)],
    }


@bp.route("/users")
@permission_required("user.manage")
def user_list():
    """Accounts managed by this admin's departments, searchable by name, username or mobile."""
    q = (request.args.get("q") or "").strip()[:64]
    page = users.search(current_user, q, page_number(), current_app.config["PAGE_SIZE"])
    return render_template("admin/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required("user.manage")
def user_new():
    """Create an account; what was typed is kept when something is refused."""
    values = {**request.form.to_dict(), "roles": request.form.getlist("roles")}
    values["grid_ids"] = request.form.getlist("grid_ids")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            user = users.create_user(current_user, values, hash_method=hash_method())
        except InputError as refused:
            errors, status = refused.errors, 400
        else:
            flash(_("账号 %(name)s 已创建。", name=user.username), "success")
            return redirect(url_for("admin.user_show", user_id=user.id))
    values.pop("password", None)  # never sent back
    return render_template("admin/user_new.html", values=values, choices=_user_choices(), errors=errors), status


@bp.route("/users/<int:user_id>")
@permission_required("user.manage")
def user_show(user_id: int, profile_errors=None, profile_values=None, status=200):
    target = policy.get_managed_user(current_user, user_id)
    return render_template(
        "admin/user_show.html",
        target=target,
        portrait=notice_board.portrait(target),
        profile_errors=profile_errors or {},
        profile_values=profile_values or {},
        may_manage=policy.can(current_user, "user.manage", target),
    ), status


@bp.route("/users/<int:user_id>/public-profile", methods=["POST"])
@permission_required("user.manage")
def user_public_profile(user_id: int):
    """Duties and portrait shown on the grid's public notice board (seed 002 art. 13)."""
    target = policy.get_managed_user(current_user, user_id)
    photo = next(iter(uploads("portrait")), None)
    try:
        notice_board.set_public_profile(current_user, target, request.form.get("duties", ""), photo)
    except InputError as refused:
        return user_show(user_id, refused.errors, request.form, 400)
    flash(_("公示信息已保存。"), "success")
    return redirect(url_for("admin.user_show", user_id=user_id))


@bp.route("/users/<int:user_id>/portrait.jpg")
@permission_required("user.manage")
def user_portrait(user_id: int):
    target = policy.get_managed_user(current_user, user_id)
    portrait = notice_board.portrait(target)
    if portrait is None:
        abort(404)
    return send_photo(portrait.photo, "thumb")


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permission_required("user.manage")
def user_set_active(user_id: int):
    """Disable (sessions end at once) or re-enable an account."""
    target = policy.get_managed_user(current_user, user_id)
    active = request.form.get("active") == "1"
    users.set_active(current_user, target, active)
    flash(_("账号已启用。") if active else _("账号已停用，其所有登录已失效。"), "success")
    return redirect(url_for("admin.user_show", user_id=target.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permission_required("user.manage")
def user_reset_password(user_id: int):
    target = policy.get_managed_user(current_user, user_id)
    try:
        given = commands.load(PasswordResetSchema(), request.form)
        users.reset_password(current_user, target, given["password"], hash_method=hash_method())
    except InputError as refused:
        flash(refused.message, "error")
    else:
        flash(_("密码已重置，该账号的所有登录已失效。"), "success")
    return redirect(url_for("admin.user_show", user_id=target.id))


@bp.route("/audit", methods=["GET", "POST"])
@permission_required("admin.overview")
def audit_trail():
    """The chain's head, to print, sign and stamp daily; a POST verifies the whole chain."""
    verdict = audit.verify() if request.method == "POST" else None
    return render_template("admin/audit.html", head=audit.head(), verdict=verdict)


@bp.route("/holidays", methods=["GET", "POST"])
@permission_required("holiday.manage")
def holidays():
    """The working-day calendar: public holidays and working weekend days (for limits counted
    in working days, such as the three days of seed 003 art. 9)."""
    year = request.args.get("year", type=fields.year) or clock.today().year
    form = post(workdays.set_day)
    if form.done:
        flash(_("已保存 %(day)s。", day=form.result.day.isoformat()), "success")
        return redirect(url_for("admin.holidays", year=form.result.day.year))
    return render_template(
        "admin/holidays.html", rows=workdays.holidays(year), year=year, values=form.values, errors=form.errors
    ), form.status


@bp.route("/holidays/<day>/delete", methods=["POST"])
@permission_required("holiday.manage")
def holiday_delete(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    workdays.remove_day(parsed)
    flash(_("已删除 %(day)s。", day=parsed.isoformat()), "success")
    return redirect(url_for("admin.holidays", year=parsed.year))
