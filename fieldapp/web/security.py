"""Strict response headers, the session cookie, and Flask-Login wiring."""

from __future__ import annotations

import functools

from flask import Flask, g, has_request_context, jsonify, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldapp.extensions import login_manager
from fieldapp.i18n import lazy_gettext as _l
from fieldapp.services import audit, sessions


@functools.cache  # one string per set of inline styles, not one per response
def csp(inline_styles: tuple[str, ...] = ()) -> str:
    """No inline script, no eval, nothing from another origin; no inline style but the stylesheets a
    page carries itself (assets.inline_stylesheet), each allowed by its hash."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            " ".join(["style-src 'self'", *inline_styles]),
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            # blob: the QR decoder's worker (static/vendor/qr-scanner) is made from a Blob by our own script.
            "worker-src 'self' blob:",
            "manifest-src 'self'",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SessionInterface(SecureCookieSessionInterface):
    """Secure cookies exactly when the request came over https, unless configured."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        if configured is None:
            return bool(has_request_context() and request.is_secure)
        return bool(configured)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", csp(g.get("inline_styles", ())))
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "same-origin"
    h["Permissions-Policy"] = "geolocation=(self), camera=(self), microphone=(), payment=()"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Pages carry personal and case data: never keep them in shared caches.
    if response.mimetype in ("text/html", "application/json") and "Cache-Control" not in h:
        h["Cache-Control"] = "no-store"
    return response


def _load_user(token: str):
    from flask import current_app

    user = sessions.load_user(token, max_age=current_app.permanent_session_lifetime)
    if user is not None:
        audit.acting_as(user)
    return user


def _unauthorized():
    if is_api_request():
        return jsonify(error="unauthorized", message=str(_l("请先登录。"))), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def api_login_before_csrf():
    """An expired session on a state-changing API call is a 401, not a CSRF failure:
    the phone's sync must tell "log in again" (keep the outbox) from a real error."""
    from flask_login import current_user

    if is_api_request() and request.method not in ("GET", "HEAD", "OPTIONS") and not current_user.is_authenticated:
        return _unauthorized()
    return None


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("PROXY_COUNT"):
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.after_request(_headers)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    # Flask-Login's own "protection" rotates on IP/UA changes, which phones do
    # all day when switching between mobile data and Wi-Fi; our sessions are
    # server-side and revocable instead.
    login_manager.session_protection = None
