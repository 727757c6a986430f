"""fieldapp: the work-safety grid inspection field tool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from fieldapp.config import BASE_DIR, Config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        static_folder=str(BASE_DIR / "static"),
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(BASE_DIR / "instance"),
    )
    from fieldapp.http.ids import IdConverter
    from fieldapp.http.params import AppRequest

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.request_class = AppRequest
    app.config.update(Config.from_env())
    if config:
        app.config.update(config)
    Path(app.config["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg"):
        # No server-side prepared statements: psycopg prepares a query run five times, and
        # PostgreSQL may then switch it to a generic plan that ignores the values — the median
        # over a district's closures went from 31 ms to 450 ms that way. (Also what a
        # transaction-mode connection pooler needs.) No JIT either: the district's coverage
        # query (~40 ms) spent another 20 ms compiling itself, on every run.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        # Added to the URL's own ``options`` (a search_path, say), which connect_args would replace.
        given = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options") or ()
        given = [given] if isinstance(given, str) else list(given)
        options["connect_args"] = {
            "prepare_threshold": None,
            "options": " ".join([*given, "-c jit=off"]),
            **options.get("connect_args", {}),
        }
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    from fieldapp import extensions, i18n, models  # noqa: F401  (models registers tables)
    from fieldapp.web import security

    extensions.db.init_app(app)
    from fieldapp.services import audit, integrity

    integrity.install()  # interference records are append-only (refused before the audit hook)
    audit.install()  # every change the app writes joins the tamper-evident chain
    extensions.migrate.init_app(app, extensions.db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    app.before_request(security.api_login_before_csrf)  # must run before the CSRF check
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    from fieldapp import api, assets, cli, metrics, requestlog, web

    requestlog.init_app(app)
    metrics.init_app(app)
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    extensions.compress.init_app(app)
    assets.init_app(app)  # last: WhiteNoise goes in front of everything else
    return app
