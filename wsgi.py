"""gunicorn entry point: `gunicorn wsgi:app`."""

import gc

from fieldapp import create_app

try:  # gunicorn names itself and its version in every response's Server header: say less
    import gunicorn.http.wsgi as _gunicorn_wsgi

    _gunicorn_wsgi.SERVER = "fieldapp"
except ImportError:  # another WSGI server
    pass

app = create_app()
# Everything built so far (modules, mappers, compiled templates) lives as long as the process:
# keep it out of the collector's full passes, which otherwise walk ~200,000 objects and stall
# a request for 100-200 ms now and then on a small server.
gc.freeze()


def warm() -> None:
    """Compile every template now (~0.7 s), in a master that forks its workers (gunicorn's
    ``preload_app``, deploy/gunicorn.conf.py): each worker, and each one that replaces it, then
    starts with them instead of compiling its own during its first requests (the enterprise
    page's first request ~110 ms against ~9)."""
    env = app.jinja_env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)
    gc.freeze()
