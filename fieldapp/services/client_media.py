"""Media first: a phone uploads each photo under the UUID it made, with its SHA-256 —
a record's photos in one batch, or one at a time on a weak network.

The server verifies the hash (an upload cut short never passes for the photo), checks
it is a usable photo, and stores it. The same UUID with the same content is
acknowledged again (a retry); with other content it is a conflict.
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuidlib
from dataclasses import dataclass

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.db import db, transaction
from fieldapp.errors import Conflict, InputError
from fieldapp.i18n import gettext as _
from fieldapp.models import ClientMedia, MediaFile, User
from fieldapp.services import photos
from fieldapp.services.media import Blob, store_blobs
from fieldapp.services.media import remember as remember_media

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


#: Most uploads one batch may carry: a whole inspection's photos and signature fit, and one
#: lookup's cross product (uploads found × files found, below) stays small.
MAX_BATCH = 12


@dataclass(frozen=True)
class Upload:
    uuid: str
    data: bytes
    declared_sha256: str


#: The uploads under these UUIDs and the stored files with the declared contents: one round trip
#: for both. Outer joins on a single row, so that either side may be empty; the rows are their
#: cross product, at most ``MAX_BATCH`` squared and one per batch in the usual (new) case.
_LOOKUP = (
    sa.select(ClientMedia, MediaFile)
    .select_from(sa.select(sa.literal(1)).subquery())
    .outerjoin(ClientMedia, ClientMedia.uuid.in_(sa.bindparam("uuids", expanding=True)))
    .outerjoin(MediaFile, MediaFile.sha256.in_(sa.bindparam("digests", expanding=True)))
)


def _answer(row: ClientMedia, media: MediaFile, created: bool) -> dict:
    """What the phone is told, read before the commit expires the rows (two queries less)."""
    return {
        "uuid": row.uuid,
        "sha256": row.sha256,
        "size": media.size,
        "content_type": media.content_type,
        "created": created,
    }


def canonical(client_uuid: str) -> str:
    """A phone's UUID as the server keeps it (the answers name it so)."""
    try:
        return str(uuidlib.UUID(client_uuid))
    except ValueError:
        return client_uuid


def _normalised(uploads: list[Upload]) -> list[Upload]:
    """The uploads with canonical UUIDs and lower-case hashes; InputError naming each bad one."""
    errors, seen, out = {}, set(), []
    for upload in uploads:
        try:
            client_uuid = str(uuidlib.UUID(upload.uuid))
        except ValueError:
            errors[upload.uuid or "uuid"] = _("媒体标识不是有效的 UUID。")
            continue
        declared = (upload.declared_sha256 or "").strip().lower()
        if not SHA256_RE.match(declared):
            errors[client_uuid] = _("缺少或无效的 X-Content-SHA256（64 位十六进制）。")
        elif client_uuid in seen:
            errors[client_uuid] = _("同一媒体标识在一次上传中出现了两次。")
        seen.add(client_uuid)
        out.append(Upload(client_uuid, upload.data, declared))
    if errors:
        raise InputError(errors)
    return out


def check_count(n: int) -> None:
    """A batch holds one upload at least, ``MAX_BATCH`` at most: InputError otherwise."""
    if not n:
        raise InputError({"media": _("没有收到任何媒体文件。")})
    if n > MAX_BATCH:
        raise InputError({"media": _("一次最多上传 %(n)d 个媒体文件。", n=MAX_BATCH)})


@transaction
def put_many(user: User, uploads: list[Upload], retry: bool = True) -> list[dict]:
    """Store (or recognise) several uploads in one transaction; what to answer for each, in order.

    All or nothing: a bad one (hash, photo) is an InputError naming it by UUID, a UUID already
    used for other content a Conflict, and nothing of the batch is kept — the phone's record
    cannot go without it anyway, and sends the batch again once the user has dealt with it."""
    policy.require(user, "inspection.create")
    check_count(len(uploads))
    uploads = _normalised(uploads)
    rows = db.session.execute(
        _LOOKUP, {"uuids": [u.uuid for u in uploads], "digests": [u.declared_sha256 for u in uploads]}
    ).all()
    existing = {row.uuid: row for row, _file in rows if row is not None}
    stored = {file.sha256: file for _row, file in rows if file is not None}
    answers, errors, fresh = [], {}, []
    for upload in uploads:
        row = existing.get(upload.uuid)
        if row is not None:
            if row.owner_id != user.id or row.sha256 != upload.declared_sha256:
                raise Conflict(_("该媒体标识已用于另一份内容，不能覆盖。请为新照片生成新的标识。"))
            answers.append(_answer(row, row.media, False))
            continue
        if hashlib.sha256(upload.data).hexdigest() != upload.declared_sha256:
            errors[upload.uuid] = _("收到的内容与声明的 SHA-256 不一致（可能上传不完整），请重新上传。")
            continue
        try:
            content_type = photos.check(upload.data)
        except photos.PhotoError as err:
            errors[upload.uuid] = err.message
            continue
        fresh.append((upload, content_type))
        answers.append(None)
    if errors:
        raise InputError(errors)
    if not fresh:
        return answers
    # Content stored before is linked, not stored again; the rest is new (the lookup asked for
    # every digest, so no second query unless a batch mixes both). Not flushed on its own: the
    # files' rows go out with the uploads', in the commit. Content stored by another upload
    # meanwhile fails that commit on its unique SHA-256: retried below.
    remember_media(stored.values())
    files = store_blobs(
        [Blob(u.data, content_type, u.uuid, sha256=u.declared_sha256) for u, content_type in fresh],
        user,
        flush=False,
        new=all(u.declared_sha256 not in stored for u, _type in fresh),
    )
    made = []
    for (upload, _type), file in zip(fresh, files, strict=True):
        row = ClientMedia(uuid=upload.uuid, owner_id=user.id, media=file, sha256=upload.declared_sha256)
        db.session.add(row)
        made.append(_answer(row, file, True))
    new_answers = iter(made)  # in order, into the places the new ones left
    answers = [answer or next(new_answers) for answer in answers]
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same UUID arrived twice at once (two tabs): one row wins
        db.session.rollback()
        if not retry:
            raise
        return put_many(user, uploads, retry=False)  # now finds the winner's rows
    return answers


def known(user: User, uploads: list[tuple[str, str]]) -> list[str]:
    """Of these (uuid, sha256), the uuids this user has uploaded with that content."""
    policy.require(user, "inspection.create")
    wanted = {u.lower(): h.lower() for u, h in uploads}
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(ClientMedia.uuid, ClientMedia.sha256).where(
            ClientMedia.uuid.in_(wanted), ClientMedia.owner_id == user.id
        )
    ).all()
    return sorted(uuid for uuid, sha in rows if wanted.get(uuid) == sha)


def put(user: User, client_uuid: str, data: bytes, declared_sha256: str) -> tuple[dict, bool]:
    """Store (or recognise) one upload; returns (what to answer, created)."""
    answer = put_many(user, [Upload(client_uuid, data, declared_sha256)])[0]
    return {k: v for k, v in answer.items() if k != "created"}, answer["created"]
