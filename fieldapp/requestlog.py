"""Request ids and access logs as JSON lines, for several instances behind a load balancer.

Every response carries ``X-Request-ID`` (the proxy's, if it sent a sane one, else a new one),
and unhandled errors are logged with it. With ``LOG_JSON`` on, each request is also logged as
one JSON line — time, request id, method, path, status, milliseconds, user, client IP — on the
``fieldapp.access`` logger (stderr under gunicorn), ready for a log shipper. With
``SERVER_TIMING`` on, responses say their server time (``Server-Timing: app;dur=…``) for the
load benchmark; off by default, since precise timings help whoever probes for differences.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access = logging.getLogger("fieldapp.access")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def current_id() -> str:
    return getattr(g, "request_id", "")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start():
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _SANE.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        if not getattr(g, "request_id", ""):  # refused by a check that ran before _start (CSRF)
            _start()
        rid = g.request_id
        if rid:
            response.headers["X-Request-ID"] = rid
        if app.config.get("SERVER_TIMING") and rid:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.request_started) * 1000:.1f}"
        if app.config.get("LOG_JSON") and rid:
            from flask_login import current_user

            user = current_user.id if getattr(current_user, "is_authenticated", False) else None
            access.info(
                "request",
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - g.request_started) * 1000, 1),
                        "user_id": user,
                        # The client's address: behind a proxy, from X-Forwarded-For (PROXY_COUNT hops).
                        "ip": request.remote_addr,
                    }
                },
            )
        return response

    if app.config.get("LOG_JSON") and not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        for logger in (access, app.logger):
            logger.handlers = [handler]
            logger.setLevel(logging.INFO)
            logger.propagate = False
            logger.disabled = False  # a logging.config run earlier (Alembic's) disables existing loggers
