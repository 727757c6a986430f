"""Clues and feedback: the public form and tracking page (no login), the department's
handling pages, and the enforcement bulletins published to supervisors."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from fieldapp import clock, fields, policy
from fieldapp.errors import InputError, ServiceError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number
from fieldapp.i18n import gettext as _
from fieldapp.services import audit, bulletins, clues, org, throttle
from fieldapp.web.forms import uploads
from fieldapp.web.media import send_photo

bp = Blueprint("clues", __name__, url_prefix="/clues")

#: A person needs a few seconds to write a clue; a script posting at once is refused.
MIN_FILL_SECONDS = 3
FORM_MAX_AGE = 24 * 3600


class _ClockSigner(TimestampSigner):
    """Stamps by the app's clock, as every other time is."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _stamp_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="clue-form", signer=_ClockSigner)


def _address() -> str:
    """Who the form was served to, as the stamp carries it (not the address itself)."""
    return hashlib.sha256(_client_key().encode()).hexdigest()[:16]


def _new_stamp() -> str:
    """A signed stamp for one form: when it was served, to which address, and a nonce that can be
    used once — a stamp copied into a script, or to another address, is refused."""
    return _stamp_serializer().dumps({"n": secrets.token_hex(12), "a": _address()})


def _spam_problem(form) -> str | None:
    """A hidden field people leave empty, and a signed stamp of when and to whom the form was served."""
    refused = _("提交未被接受。如果您是人工填写，请刷新页面后重新提交。")
    if form.get("website"):
        return refused
    try:
        stamp, issued = _stamp_serializer().loads(form.get("stamp", ""), max_age=FORM_MAX_AGE, return_timestamp=True)
    except SignatureExpired:
        return _("页面打开时间过长，请确认内容后再次提交。")
    except BadSignature:
        return refused
    if not isinstance(stamp, dict) or stamp.get("a") != _address() or not isinstance(stamp.get("n"), str):
        return refused
    if (clock.now() - issued).total_seconds() < current_app.config.get("CLUE_MIN_FILL_SECONDS", MIN_FILL_SECONDS):
        return _("提交过快，请确认内容后再次提交。")
    if not throttle.use_once(f"clue:{stamp['n']}"):
        return _("这份表单已经提交过。如需再反映一次，请刷新页面后重新填写。")
    return None


def _client_key() -> str:
    return request.remote_addr or "unknown"


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Anyone may send a clue (anonymously, or signed in as a social supervisor)."""
    grid = org.grid_named(request.values.get("grid"))
    values, errors, status = {}, {}, 200
    submitter = current_user if current_user.is_authenticated and policy.can(current_user, "clue.submit") else None
    if request.method == "POST":
        values = request.form.to_dict()
        problem = _spam_problem(request.form)
        try:
            if submitter is None:
                throttle.hit("clue", _client_key(), current_app.config["CLUE_PUBLIC_LIMIT"], timedelta(hours=1))
            if problem:
                raise InputError({"_": problem})
            clue = clues.submit(values, uploads("photos"), submitter, grid)
        except InputError as refused:
            errors, status = refused.errors, 400
        except throttle.TooMany as refused:
            errors, status = {"_": refused.message}, 429
        else:
            session["clue_receipt"] = clue.code
            return redirect(url_for(".receipt"))
    return render_template(
        "clues/new.html",
        values=values,
        errors=errors,
        grid=grid,
        units=[(u.id, u.name) for u in clues.departments()] if grid is None else [],
        kinds=clues.KIND_LABELS,
        stamp=_new_stamp(),
        submitter=submitter,
        max_photos=current_app.config["CLUE_MAX_PHOTOS"],
    ), status


@bp.route("/receipt")
def receipt():
    code = session.get("clue_receipt")
    if not code:
        return redirect(url_for(".track"))
    return render_template(
        "clues/receipt.html", code=clues.show_code(code), days=current_app.config["CLUE_ANSWER_DAYS"]
    )


@bp.route("/track")
def track():
    """Follow a clue by its code. Unknown and malformed codes get the same answer; look-ups
    are throttled, so codes cannot be guessed by trying."""
    raw = (request.args.get("code") or "").strip()[:40]
    clue, message, status = None, None, 200
    if raw:
        try:
            throttle.hit("clue_track", _client_key(), current_app.config["CLUE_LOOKUP_LIMIT"], timedelta(minutes=10))
        except throttle.TooMany:
            message, status = _("查询过于频繁，请 10 分钟后再试。"), 429
        else:
            clue = clues.track(raw)
            if clue is None:
                message, status = _("没有找到该编号的线索，请核对后重试（编号形如 XS-XXXXX-XXXXX）。"), 404
    return render_template(
        "clues/track.html", code=raw, clue=clue, message=message, labels=_labels(), show_code=clues.show_code
    ), status


def _labels() -> dict:
    return {"kind": clues.KIND_LABELS, "status": clues.STATUS_LABELS, "action": clues.ACTION_LABELS}


# --- the department's side -------------------------------------------------------------------


@bp.route("/")
@permission_required("clue.view")
def index():
    handler = policy.can(current_user, "clue.handle")
    tabs = clues.TABS if handler else ("mine",)
    tab = request.args.get("tab") if request.args.get("tab") in tabs else tabs[0]
    page = clues.listing(current_user, tab, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "clues/index.html",
        page=page,
        tab=tab,
        tabs=tabs,
        labels=_labels(),
        today=clock.today(),
        show_code=clues.show_code,
    )


def _render(clue, errors=None, values=None, action=None, status=200):
    allowed = clues.allowed(current_user, clue)
    enterprises = clues.enterprise_choices(current_user, clue) if {"task", "hazard"} & set(allowed) else []
    chosen = fields.ident((values or {}).get("enterprise_id") or clue.task_enterprise_id)
    inspectors = clues.inspector_choices(current_user, chosen) if "task" in allowed else []
    return render_template(
        "clues/show.html",
        c=clue,
        allowed=allowed,
        errors=errors or {},
        values=values or {},
        open_action=action,
        labels=_labels(),
        enterprises=enterprises,
        inspectors=inspectors,
        assignees=[(u.id, u.display_name) for u in clues.assignees(clue)] if "assign" in allowed else [],
        overdue=clues.is_overdue(clue),
        task_done=clues.task_done(clue),
        show_code=clues.show_code,
        readers=audit.readers("clue", clue.id) if policy.can(current_user, "read_log.view") else None,
    ), status


@bp.route("/<int:clue_id>")
@permission_required("clue.view")
def show(clue_id: int):
    clue = clues.get(current_user, clue_id)
    audit.read(current_user, "clue", clue.id)
    return _render(clue)


@bp.route("/<int:clue_id>/<any(assign, task, hazard, note, answer, dismiss):action>", methods=["POST"])
@permission_required("clue.view")
def act(clue_id: int, action: str):
    clue = clues.get(current_user, clue_id)
    try:
        clues.act(current_user, clue, action, request.form.to_dict())
    except InputError as refused:
        return _render(clues.get(current_user, clue_id), refused.errors, request.form, action, 400)
    except ServiceError as refused:
        return _render(clues.get(current_user, clue_id), {"_": refused.message}, request.form, action, refused.status)
    flash(_("已%(action)s。", action=clues.ACTION_LABELS[action]), "success")
    return redirect(url_for(".show", clue_id=clue_id))


@bp.route("/<int:clue_id>/photos/<int:photo_id>/<any(display, thumb, original):variant>")
@permission_required("clue.view")
def photo(clue_id: int, photo_id: int, variant: str):
    clue = clues.get(current_user, clue_id)
    found = next((p for p in clue.photos if p.id == photo_id), None)
    if found is None:
        abort(404)
    return send_photo(found, variant)


# --- bulletins ---------------------------------------------------------------------------------


@bp.route("/bulletins", methods=["GET", "POST"])
@permission_required("bulletin.view")
def bulletins_index():
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        policy.require(current_user, "bulletin.publish")
        values = request.form.to_dict()
        try:
            bulletin = bulletins.publish(current_user, values)
        except InputError as refused:
            errors, status = refused.errors, 400
        except ServiceError as refused:
            errors, status = {"_": refused.message}, refused.status
        else:
            flash(_("通报已发布，社会监督员已收到通知。"), "success")
            return redirect(url_for(".bulletin", bulletin_id=bulletin.id))
    rows = bulletins.recent(current_user)
    units = org.unit_choices(current_user) if policy.can(current_user, "bulletin.publish") else []
    return render_template("clues/bulletins.html", rows=rows, units=units, values=values, errors=errors), status


@bp.route("/bulletins/<int:bulletin_id>")
@permission_required("bulletin.view")
def bulletin(bulletin_id: int):
    row = bulletins.get(current_user, bulletin_id)
    return render_template("clues/bulletin.html", b=row, figures=bulletins.FIGURES)
