"""Helpers for driving the app like a browser: CSRF tokens and logins."""

from __future__ import annotations

import re
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient

from fieldapp.db import db

#: Every test account's password.
PASSWORD = "Field2026ok"

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = _TOKEN.search(html) or _META.search(html)
    assert m, f"no CSRF token on {path}"
    return next(g for g in m.groups() if g)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **extra):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"login": username, "password": password, "csrf_token": token}, **extra)


def logged_in(client: FlaskClient, username: str, password: str = PASSWORD) -> FlaskClient:
    response = login(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client


def post(client: FlaskClient, path: str, data: dict | None = None, token_from: str = "/", **kw):  # noqa: S107
    """POST with a valid CSRF token taken from a page the user can open."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, token_from)
    return client.post(path, data=data, **kw)


@contextmanager
def counting():
    """The SQL statements run inside the block (a query budget's count)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def media_batch_body(items: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A batch's multipart body as a phone sends it: the manifest first, then each file."""
    import hashlib
    import io
    import json

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    manifest = json.dumps([{"uuid": u, "sha256": hashlib.sha256(d).hexdigest()} for u, d in items])
    form = MultiDict([("manifest", manifest)])
    for u, d in items:
        form.add(u, FileStorage(io.BytesIO(d), filename=u, content_type="image/jpeg"))
    boundary, body = encode_multipart(form)
    return body, f"multipart/form-data; boundary={boundary}"
