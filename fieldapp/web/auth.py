"""Login, logout, own password and language."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from fieldapp.errors import InputError, ServiceError
from fieldapp.i18n import LANG_COOKIE, supported
from fieldapp.i18n import gettext as _
from fieldapp.schemas import commands
from fieldapp.schemas.commands.accounts import LoginSchema, PasswordChangeSchema
from fieldapp.services import accounts, sessions

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect after login is a phishing gift.

    Judged after what a browser does to a Location before following it — it drops tabs and
    newlines, reads a backslash as a slash — and after percent-decoding, so that neither
    ``/<TAB>/evil.example`` nor ``/%2F/evil.example`` becomes ``//evil.example``. Anything with a
    control character is refused outright (a newline in a header is a 500, not a redirect)."""
    if not target or len(target) > 2000 or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    for seen in (target, unquote(target)):
        browser = seen.replace("\\", "/")
        browser = "".join(c for c in browser if c not in "\t\r\n")
        parts = urlsplit(browser)
        if not browser.startswith("/") or browser.startswith("//") or parts.scheme or parts.netloc:
            return None
        if any(ord(c) < 32 or ord(c) == 127 for c in seen):
            return None
    return target


def throttle_policy() -> accounts.ThrottlePolicy:
    c = current_app.config
    return accounts.ThrottlePolicy(
        max_per_account=c["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        max_per_ip=c["LOGIN_MAX_FAILURES_PER_IP"],
        window=c["LOGIN_FAILURE_WINDOW"],
    )


def hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in by username or mobile number."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    error, status = None, 200
    # The password is never echoed back; the login name is.
    typed = request.form.get("login", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            given = commands.load(LoginSchema(), request.form)
            user = accounts.authenticate(
                given["login"],
                given["password"],
                request.remote_addr or "",
                throttle=throttle_policy(),
                hash_method=hash_method(),
            )
        except InputError as refused:
            error, status = refused.message, 400
        except accounts.LoginRefused as refused:
            error, status = refused.message, refused.status
        else:
            session.clear()  # nothing from before the login survives it
            sessions.open_session(user, request.remote_addr or "", request.user_agent.string)
            login_user(user)
            session.permanent = True
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    return render_template("auth/login.html", login=typed, error=error), status


def login_form_expired():
    """The login form came back with a stale or missing CSRF token (a phone that sat
    on the login page overnight): show the form again, fresh token, name kept."""
    typed = (request.form.get("login") or "")[:64]
    return render_template("auth/login.html", login=typed, error=_("页面已过期，请重新输入密码后登录。")), 400


@bp.route("/logout", methods=["POST"])
def logout():
    """End this device's session (POST with CSRF token, so no link can log anyone out)."""
    if current_user.is_authenticated:
        sessions.close_session(current_user.session_token)
        logout_user()
    session.clear()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    """Own account: roles, where one works, language, password, logout."""
    return render_template("auth/account.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other devices are logged out."""
    error, status = None, 200
    if request.method == "POST":
        try:
            given = commands.load(PasswordChangeSchema(), request.form)
            accounts.change_password(
                current_user, given["current"], given["new"], given["confirm"], hash_method=hash_method()
            )
        except ServiceError as refused:  # InputError included
            error, status = refused.message, 400
        else:
            flash(_("密码已修改，其他设备上的登录已退出。"), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", error=error), status


@bp.route("/account/language", methods=["POST"])
def set_language():
    """Switch the UI language; remembered on the account and in a cookie."""
    lang = request.form.get("lang", "")
    if not supported(lang):
        flash(_("不支持该语言。"), "error")
        lang = None
    elif current_user.is_authenticated:
        accounts.set_language(current_user, lang)
    back = safe_next(request.form.get("next")) or url_for("home.index")
    response = redirect(back)
    if lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response
