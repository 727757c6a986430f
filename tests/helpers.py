"""Helpers for driving the app like a browser: CSRF tokens and logins."""

from __future__ import annotations

import hashlib
import re
import socket
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

from fieldapp.db import db

#: Every test account's password.
PASSWORD = "Field2026ok"

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    """A loopback port nothing listens on now (for a stand-in server started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def sync_and_confirm_across(first: str, second: str, accounts: dict) -> None:
    """An inspector's sync and an officer's decision over HTTP, each step's requests alternating
    between two addresses (two instances, or the same proxy twice): a photo uploaded, the record
    that names it sent and replayed, its hazard confirmed from a page read at the other, the
    photo served by both."""
    from tests.factories import log_in_over_http

    inspector = log_in_over_http(first, "inspector")
    me = inspector.get(f"{second}/api/v1/me", timeout=10)  # the session made on A is valid on B
    assert me.status_code == 200 and me.json()["username"] == "inspector"
    headers = {"X-CSRFToken": me.json()["csrf_token"]}
    media_uuid = put_photo(inspector, first, headers, (20, 90, 160))
    enterprise = accounts["company"]["enterprise"]
    record = a_synced_record(enterprise["id"], media_uuid, "two-instances")
    sent = inspector.post(f"{second}/api/v1/inspections", json=record, headers=headers, timeout=30)
    assert sent.status_code == 201, sent.text  # B found the photo A stored
    again = inspector.post(f"{first}/api/v1/inspections", json=record, headers=headers, timeout=30)
    assert again.status_code == 200 and again.json()["id"] == sent.json()["id"]  # replay on A: the same record
    officer = log_in_over_http(second, "officer")
    queue = officer.get(f"{second}/hazards/?tab=to_confirm", timeout=10).text
    hazard_id = int(re.search(r'href="/hazards/(\d+)"', queue).group(1))
    page = officer.get(f"{first}/hazards/{hazard_id}", timeout=10).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    deadline = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    decided = officer.post(
        f"{second}/hazards/{hazard_id}/confirm",
        timeout=10,
        allow_redirects=False,
        data={
            "csrf_token": token,
            "version": version,
            "level": "general",
            "deadline": deadline,
            "required_measures": "清理通道",
            "decision_basis": "《消防法》",
        },
    )
    assert decided.status_code == 302, decided.text[:800]
    assert "已确认" in officer.get(f"{first}/hazards/{hazard_id}", timeout=10).text
    photo_url = re.search(r'src="(/photos/\d+/thumb)"', officer.get(f"{first}/hazards/{hazard_id}").text).group(1)
    assert officer.get(f"{second}{photo_url}", timeout=10).status_code == 200


def a_synced_record(enterprise_id: int, media_uuid: str, app_version: str) -> dict:
    """What a phone's outbox sends for a visit with one photo and one general hazard on it."""
    started = datetime.now(UTC) - timedelta(minutes=30)
    return {
        "uuid": str(uuid.uuid4()),
        "enterprise_id": enterprise_id,
        "started_at": started.isoformat(),
        "ended_at": (started + timedelta(minutes=20)).isoformat(),
        "app_version": app_version,
        "fields": {
            "parts": "仓库",
            "content": "消防",
            "findings": "通道堵塞",
            "measures": "清理",
            "work_id_number": "",
            "id_shown": True,
        },
        "results": [],
        "photos": [{"media_uuid": media_uuid, "item_position": None, "caption": ""}],
        "hazards": [
            {
                "uuid": str(uuid.uuid4()),
                "description": "消防通道堵塞",
                "place": "仓库",
                "level": "general",
                "media_uuids": [media_uuid],
                "item_position": None,
                "legal_basis": "",
            }
        ],
    }


def put_photo(session, base: str, headers: dict, color: tuple[int, int, int]) -> str:
    """A phone's photo upload over HTTP (``PUT /api/v1/media/<uuid>``); its uuid."""
    from tests.images import jpeg

    data = jpeg(640, 480, color=color)
    media = str(uuid.uuid4())
    r = session.put(
        f"{base}/api/v1/media/{media}",
        data=data,
        timeout=30,
        headers={**headers, "X-Content-SHA256": hashlib.sha256(data).hexdigest(), "Content-Type": "image/jpeg"},
    )
    assert r.status_code == 201, r.text
    return media
