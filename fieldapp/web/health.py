"""Liveness and readiness for load balancers and deploy scripts."""

from __future__ import annotations

import hmac

from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify, request

from fieldapp import metrics as observed
from fieldapp.config import BASE_DIR
from fieldapp.db import schema_heads

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """The process is up. Touches nothing else."""
    return jsonify(status="ok")


def migration_heads() -> set[str]:
    script = ScriptDirectory(str(BASE_DIR / "migrations"))
    return set(script.get_heads())


@bp.route("/readyz")
def readyz():
    """The database answers and its schema is at the newest migration."""
    try:
        current = schema_heads()
    except Exception as exc:  # any failure to reach the database means not ready
        current_app.logger.warning("readyz: database unreachable: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    heads = migration_heads()
    if current != heads:
        if not _may_see_details():
            return jsonify(status="unavailable", database="ok", migrations="behind"), 503
        return jsonify(
            status="unavailable", database="ok", migrations="behind", current=sorted(current), head=sorted(heads)
        ), 503
    return jsonify(status="ok", database="ok", migrations="head")


def _may_see_details() -> bool:
    """Which revisions a database is at tells an attacker which release runs: said only to this
    machine (a deploy script) or to whoever brings ``READYZ_TOKEN``."""
    return _here_or_holding(request.headers.get("X-Readyz-Token", ""), current_app.config.get("READYZ_TOKEN"))


def _here_or_holding(offered: str, token: str | None) -> bool:
    """This machine asks, or the caller offers the configured token (none configured: none works)."""
    if token and hmac.compare_digest(offered, token):
        return True
    return request.remote_addr in ("127.0.0.1", "::1")


@bp.route("/metrics")
def metrics():
    """Prometheus' text format, to this machine or with METRICS_TOKEN (fieldapp/metrics.py)."""
    authorization = request.headers.get("Authorization", "")
    bearer = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
    if not _here_or_holding(bearer, current_app.config.get("METRICS_TOKEN")):
        return Response("metrics: this machine or METRICS_TOKEN only\n", 403, mimetype="text/plain")
    answer = Response(observed.exposition(), content_type=observed.CONTENT_TYPE_LATEST)
    answer.headers["Cache-Control"] = "no-store"
    return answer
