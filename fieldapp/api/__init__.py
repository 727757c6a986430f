"""/api/v1: JSON for the service worker and scripts. Same scopes as the pages."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.exceptions import ClientDisconnected

from fieldapp import clock, policy
from fieldapp.api import multipart
from fieldapp.errors import InputError
from fieldapp.http.guards import permission_required
from fieldapp.http.params import page_number, without_nul
from fieldapp.i18n import gettext as _
from fieldapp.schemas import EARLIEST, EnterpriseSchema, MeSchema, MeUpdateSchema
from fieldapp.schemas.sync import (
    InspectionUploadSchema,
    MediaKnownSchema,
    MediaManifestItemSchema,
    RecheckUploadSchema,
)
from fieldapp.services import accounts, client_media, datapack, enterprise_search, hazards, ingest, photos

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class _Rejected(Exception):
    """A request body refused before any service runs; carries its response."""

    def __init__(self, response):
        super().__init__()
        self.response = response


#: No request of the app nests deeper than this; Python's parser would recurse until it fails.
MAX_JSON_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def parse_json(text: str):
    """JSON text as Python values, or ValueError: malformed, or nested deeper than MAX_JSON_DEPTH
    (measured before parsing, outside strings, so a hostile body costs one pass and no recursion)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            raise ValueError("too deep")
    return json.loads(text)


def _nul_in_ids(value, path: str = "") -> str | None:
    """The first identifier (a uuid) that carries a NUL: text is cleaned of NUL, an identifier is not
    guessed at — ``"…\x00"`` must not become another uuid, or the nil one."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and (key == "uuid" or key.endswith(("_uuid", "_uuids"))) and "\x00" in str(inner):
                return f"{path}{key}"
            found = _nul_in_ids(inner, f"{path}{key}.")
            if found:
                return found
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found = _nul_in_ids(inner, f"{path}{index}.")
            if found:
                return found
    return None


def _load_body(schema) -> tuple[dict, dict]:
    """The JSON body, as sent and as loaded by ``schema``; 400 if not an object (or malformed, or
    nested beyond reason), 422 if invalid."""
    not_an_object = _Rejected((jsonify(error="bad_request", message=_("请求内容须为 JSON 对象。")), 400))
    if not request.is_json:
        raise not_an_object
    try:
        raw = parse_json(request.get_data(as_text=True))
    except ValueError:
        raise not_an_object from None
    if not isinstance(raw, dict):
        raise not_an_object
    bad = _nul_in_ids(raw)
    if bad:
        raise _Rejected(
            (
                jsonify(
                    error="validation", message=_("提交的内容有误。"), fields={bad: [_("标识中含有不允许的字符。")]}
                ),
                422,
            )
        )
    raw = without_nul(raw)
    return _loaded(schema, raw), raw


def _loaded(schema, raw):
    try:
        return schema.load(raw)
    except ValidationError as err:
        raise _Rejected(
            (jsonify(error="validation", message=_("提交的内容有误。"), fields=err.messages), 422)
        ) from None


#: A batch's whole photos are stored as they arrive once its body has taken this long: on a weak
#: link each photo is kept the moment it is in (a dropped connection, or a phone that went silent,
#: costs only the photo on the way); a fast batch is one transaction.
STORE_AS_THEY_COME_AFTER = 2.0


def _media_batch() -> tuple[list[dict], bool]:
    """Store a multipart batch — a ``manifest`` field (JSON list of uuid and sha256), then one file
    part per upload, named by its uuid — read as it arrives; the answers in the manifest's order,
    and whether the body came whole. 400 if it is not that shape, 422 if parts are missing or
    unnamed in the manifest. When the connection drops, the parts that arrived whole are kept."""
    bad_shape = _Rejected(
        (
            jsonify(
                error="bad_request",
                message=_(
                    "请以 multipart/form-data 上传：manifest 字段（含 uuid 与 sha256 的 JSON 数组）加上每个文件。"
                ),
            ),
            400,
        )
    )
    boundary = request.mimetype_params.get("boundary", "")
    if request.mimetype != "multipart/form-data" or not boundary:
        raise bad_shape
    items: list[dict] | None = None
    declared: dict[str, str] = {}  # uuid -> sha256, from the manifest
    files: dict[str, list[bytes]] = {}
    answers: dict[str, dict] = {}
    pending: list[client_media.Upload] = []
    began = time.monotonic()

    def store() -> None:
        for answer in client_media.put_many(current_user, pending) if pending else []:
            answers[answer["uuid"]] = answer
        pending.clear()

    received = multipart.parts(
        request.stream, boundary.encode("latin-1"), photos.MAX_BYTES, 2 * client_media.MAX_BATCH + 1
    )
    try:
        with _silence_timeout(current_app.config["MEDIA_BODY_SILENCE_SECONDS"]):
            for name, content in received:
                if name == "manifest" and items is None:
                    items = _manifest(content, bad_shape)
                    client_media.check_count(len(items))  # before a byte of the photos is kept
                    declared = {item["uuid"]: item["sha256"] for item in items}
                    continue
                files.setdefault(name, []).append(content)
                if name in declared and len(files[name]) == 1:
                    pending.append(client_media.Upload(name, content, declared[name]))
                    if time.monotonic() - began > STORE_AS_THEY_COME_AFTER:
                        store()
    except ClientDisconnected:
        if items is None:
            raise
        store()
        return list(answers.values()), False
    if items is None:
        raise bad_shape
    errors = {item["uuid"]: _("缺少该媒体的文件。") for item in items if item["uuid"] not in files}
    errors.update((name, _("清单中没有这个文件。")) for name in files if name not in declared)
    listed = Counter(item["uuid"] for item in items)
    twice = {name for name in declared if len(files.get(name, ())) > 1 or listed[name] > 1}
    errors.update((name, _("同一媒体标识在一次上传中出现了两次。")) for name in twice)
    if errors:
        raise InputError(errors)
    store()
    return [answers[client_media.canonical(item["uuid"])] for item in items], True


@contextmanager
def _silence_timeout(seconds: float):
    """Under gunicorn, a read of the body that waits ``seconds`` for a byte fails (as a dropped
    connection); elsewhere, whatever the server does."""
    sock = request.environ.get("gunicorn.socket")
    before = sock.gettimeout() if sock is not None else None
    if sock is not None:
        sock.settimeout(seconds)
    try:
        yield
    finally:
        if sock is not None:
            with suppress(OSError):
                sock.settimeout(before)


def _manifest(content: bytes, bad_shape: _Rejected) -> list[dict]:
    try:
        raw = parse_json(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad_shape from None
    if not isinstance(raw, list):
        raise bad_shape
    return _loaded(MediaManifestItemSchema(many=True), raw)


@bp.errorhandler(_Rejected)
def _rejected(err: _Rejected):
    return err.response


@bp.errorhandler(InputError)
@bp.errorhandler(photos.PhotoError)
def _invalid(err):
    """A rule refused the input: 422 with the message (and per-field messages). Conflicts
    (409) and everything else go through the app's JSON error handlers."""
    return jsonify(error="validation", message=err.message, fields=getattr(err, "errors", {})), 422


@bp.route("/me")
@login_required
def me():
    """Who is logged in, with roles and grids."""
    return jsonify(MeSchema().dump(current_user))


@bp.route("/me", methods=["PATCH"])
@login_required
def update_me():
    """Change one's own settings (for now the UI language). JSON body; CSRF token in X-CSRFToken."""
    changes, _raw = _load_body(MeUpdateSchema())
    if "locale" in changes:
        accounts.set_language(current_user, changes["locale"])
    return jsonify(MeSchema().dump(current_user))


@bp.route("/enterprises")
@permission_required("enterprise.list")
def enterprises():
    """Enterprises in scope; ``?page=`` for more."""
    per_page = request.args.get("per_page", type=int) or current_app.config["PAGE_SIZE"]
    page = enterprise_search.by_id(current_user, page_number(), max(1, min(per_page, 200)))
    return jsonify(
        items=EnterpriseSchema(many=True).dump(page.items), page=page.page, pages=page.pages, total=page.total
    )


@bp.route("/enterprises/<int:enterprise_id>")
@permission_required("enterprise.view")
def enterprise(enterprise_id: int):
    return jsonify(EnterpriseSchema().dump(policy.get_enterprise(current_user, enterprise_id)))


@bp.route("/pack")
@permission_required("inspection.create")
def pack():
    """The offline data pack for the inspector's phone; ``?since=<cursor>`` for a delta.

    Answers 304 when the phone's ETag still matches. A ``since`` that is not an ISO
    time, or lies in the future (a phone clock days ahead), is refused with 422.
    """
    tag = datapack.etag(current_user)
    since_raw = request.args.get("since")
    if request.if_none_match.contains(tag):
        return "", 304, {"ETag": f'"{tag}"', "Cache-Control": "no-store"}
    since = None
    if since_raw:
        try:
            since = datetime.fromisoformat(since_raw)
            if since.tzinfo is None:
                raise ValueError
            since = since.astimezone(UTC)  # year 1 at +14:00 does not exist in UTC: OverflowError
        except (ValueError, OverflowError):
            return jsonify(error="validation", message=_("since 须为带时区的 ISO 8601 时间。")), 422
        if since < EARLIEST:
            return jsonify(error="validation", message=_("since 早于 2000 年，请重新全量下载。")), 422
        if since > clock.now():
            return jsonify(error="validation", message=_("since 晚于服务器时间，请检查手机时钟或重新全量下载。")), 422
    response = jsonify(datapack.build(current_user, since))
    response.headers["ETag"] = f'"{tag}"'
    return response


@bp.route("/media/<client_uuid>", methods=["PUT"])
@permission_required("inspection.create")
def put_media(client_uuid: str):
    """Upload a photo under the phone's UUID; body = the bytes, X-Content-SHA256 = their hash."""
    answer, created = client_media.put(
        current_user, client_uuid, request.get_data(cache=False), request.headers.get("X-Content-SHA256", "")
    )
    return jsonify(answer), (201 if created else 200)


@bp.route("/media", methods=["POST"])
@permission_required("inspection.create")
def post_media():
    """Upload several photos at once: what a phone sends instead of one PUT per photo (one round
    trip, and on a good connection one transaction, all or none, for a whole record). A batch
    that takes longer keeps each photo as it arrives, so a weak link loses at most the one on the
    way."""
    answers, whole = _media_batch()
    if not whole:
        # The phone is gone; what it delivered whole is kept, and it asks (/media/known) before
        # sending the rest, so a cut costs at most the photo it fell in.
        return jsonify(error="incomplete", message=_("上传中断：已完整收到的照片已保存，请重新同步其余照片。")), 400
    return jsonify(media=answers), (201 if any(a["created"] for a in answers) else 200)


@bp.route("/media/known", methods=["POST"])
@permission_required("inspection.create")
def known_media():
    """Which of these uploads (uuid and sha256) the server holds already: a phone asks after a
    failed upload, and sends only the rest."""
    data, _raw = _load_body(MediaKnownSchema())
    return jsonify(known=client_media.known(current_user, [(m["uuid"], m["sha256"]) for m in data["media"]]))


@bp.route("/inspections", methods=["POST"])
@permission_required("inspection.create")
def post_inspection():
    """Sync one inspection recorded offline (media already uploaded under their uuids)."""
    data, raw = _load_body(InspectionUploadSchema())
    record, created = ingest.ingest(current_user, data, raw)
    return jsonify(
        uuid=record.uuid,
        id=record.id,
        number=record.number,
        state=record.state,
        content_hash=record.content_hash,
        created=created,
    ), (201 if created else 200)


@bp.route("/hazards/<int:hazard_id>/rechecks", methods=["POST"])
@permission_required("inspection.create")
def post_recheck(hazard_id: int):
    """Sync one re-check recorded on site (photos uploaded first under their uuids)."""
    hazards.get(current_user, hazard_id)  # out of scope or missing: the same 404, before the body is read
    data, _raw = _load_body(RecheckUploadSchema())
    event, created = ingest.ingest_recheck(current_user, hazard_id, data)
    return jsonify(
        uuid=event.client_uuid,
        hazard_id=event.hazard_id,
        event_id=event.id,
        status=event.hazard.status,
        created=created,
    ), (201 if created else 200)


@bp.route("/openapi.json")
def openapi_document():
    """The OpenAPI 3 description of this API (public: it holds no data)."""
    from fieldapp.api import openapi

    return jsonify(openapi.build())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
