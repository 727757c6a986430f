"""Server-rendered pages, one blueprint per area."""

from flask import Flask


def init_app(app: Flask) -> None:
    from fieldapp.web import (
        admin,
        alerts,
        auth,
        board,
        campaigns,
        checkin,
        clues,
        corps,
        dashboards,
        declarations,
        enterprises,
        errors,
        hazards,
        health,
        home,
        imports,
        inspections,
        interference,
        labels,
        media,
        nav,
        pwa,
        selfchecks,
        worklog,
    )

    for module in (
        auth,
        home,
        imports,
        enterprises,
        selfchecks,
        inspections,
        hazards,
        admin,
        alerts,
        health,
        pwa,
        declarations,
        interference,
        clues,
        board,
        dashboards,
        corps,
        worklog,
        campaigns,
        checkin,
        media,
    ):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    nav.init_app(app)
    labels.init_app(app)
