"""Liveness and readiness for load balancers and deploy scripts."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from fieldapp.config import BASE_DIR
from fieldapp.db import db

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
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any failure to reach the database means not ready
        current_app.logger.warning("readyz: database unreachable: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    heads = migration_heads()
    if current != heads:
        return jsonify(status="unavailable", database="ok", migrations="behind",
                       current=sorted(current), head=sorted(heads)), 503
    return jsonify(status="ok", database="ok", migrations="head")
