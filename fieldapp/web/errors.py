"""Every error answered in the user's language: an HTML page, or JSON under /api/."""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fieldapp.db import discard
from fieldapp.errors import ServiceError
from fieldapp.i18n import gettext as _
from fieldapp.requestlog import current_id
from fieldapp.web.security import is_api_request


def _messages() -> dict[int, str]:
    return {
        400: _("请求无效，请检查后重试。"),
        401: _("请先登录。"),
        403: _("您没有权限访问此页面。"),
        404: _("找不到该页面或记录，或您无权查看。"),
        405: _("不支持该请求方式。"),
        413: _("上传的内容过大。"),
        429: _("操作过于频繁，请稍后再试。"),
        500: _("服务器出错了，我们已记录此问题，请稍后重试。"),
    }


def respond(status: int, message: str, code: str):
    if is_api_request():
        return jsonify(error=code, message=message), status
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return render_template("error.html", status=status, message=message, back=back), status


def _code_name(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        429: "too_many_requests",
    }.get(status, "error")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err):
        if request.endpoint == "auth.login" and request.method == "POST":
            from fieldapp.web.auth import login_form_expired

            return login_form_expired()
        return respond(400, _("页面已过期或安全校验失败，请返回刷新页面后重新提交。"), "csrf_failed")

    @app.errorhandler(ServiceError)
    def service_error(err: ServiceError):
        discard()
        return respond(err.status, err.message, _code_name(err.status))

    @app.errorhandler(413)
    def too_large(err):
        # A photo or file over the limit: back to the form the user came from, which the
        # server still holds (drafts are saved), with the reason; the API gets JSON.
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        message = _("上传的内容超过 %(mb)d MB，请压缩后重试或分次上传。", mb=limit)
        back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
        if is_api_request() or back is None:
            return respond(413, message, "too_large")
        flash(message, "error")
        return redirect(back, 303)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        message = _messages().get(status) or err.description
        return respond(status, message, _code_name(status))

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("unhandled error on %s %s (request %s)", request.method, request.path, current_id())
        discard()
        return respond(500, _messages()[500], "server_error")
