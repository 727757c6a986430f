"""Media first: a phone uploads each photo under the UUID it made, with its SHA-256.

The server verifies the hash (an upload cut short never passes for the photo), checks
it is a usable photo, and stores it. The same UUID with the same content is
acknowledged again (a retry); with other content it is a conflict.
"""
from __future__ import annotations

import hashlib
import re
import uuid as uuidlib

import sqlalchemy as sa

from fieldapp import policy
from fieldapp.db import db
from fieldapp.i18n import gettext as _
from fieldapp.models import ClientMedia, MediaFile, User
from fieldapp.services import Conflict, InputError, photos
from fieldapp.services.media import remember as remember_media
from fieldapp.services.media import store_blob

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


#: The upload under this UUID, if any, and the stored file with the declared content, if any:
#: one round trip for both (each is None when absent).
_LOOKUP = (sa.select(ClientMedia, MediaFile).select_from(sa.select(sa.literal(1)).subquery())
           .outerjoin(ClientMedia, ClientMedia.uuid == sa.bindparam("uuid"))
           .outerjoin(MediaFile, MediaFile.sha256 == sa.bindparam("sha256")))


def _answer(row: ClientMedia, media: MediaFile) -> dict:
    """What the phone is told, read before the commit expires the rows (two queries less)."""
    return {"uuid": row.uuid, "sha256": row.sha256, "size": media.size, "content_type": media.content_type}


def put(user: User, client_uuid: str, data: bytes, declared_sha256: str) -> tuple[dict, bool]:
    """Store (or recognise) one upload; returns (what to answer, created)."""
    policy.require(user, "inspection.create")
    try:
        client_uuid = str(uuidlib.UUID(client_uuid))
    except ValueError:
        raise InputError({"uuid": _("媒体标识不是有效的 UUID。")}) from None
    declared = (declared_sha256 or "").strip().lower()
    if not SHA256_RE.match(declared):
        raise InputError({"sha256": _("缺少或无效的 X-Content-SHA256（64 位十六进制）。")})
    existing, stored = db.session.execute(_LOOKUP, {"uuid": client_uuid, "sha256": declared}).one()
    if existing is not None:
        if existing.owner_id == user.id and existing.sha256 == declared:
            return _answer(existing, existing.media), False
        raise Conflict(_("该媒体标识已用于另一份内容，不能覆盖。请为新照片生成新的标识。"))
    actual = hashlib.sha256(data).hexdigest()
    if actual != declared:
        raise InputError({"sha256": _("收到的内容与声明的 SHA-256 不一致（可能上传不完整），请重新上传。")})
    content_type = photos.check(data)
    if stored is not None:
        remember_media([stored])  # store_blob finds it without asking again
    # Not flushed on its own: the file's row goes out with the upload's, in the commit. Content
    # stored by another upload meanwhile fails that commit on its unique SHA-256: retried below.
    media = store_blob(data, content_type, user, f"{client_uuid}", sha256=actual, flush=False,
                       new=stored is None)
    row = ClientMedia(uuid=client_uuid, owner_id=user.id, media=media, sha256=actual)
    db.session.add(row)
    answer = _answer(row, media)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same UUID arrived twice at once (two tabs): one row wins
        db.session.rollback()
        return put(user, client_uuid, data, declared)
    return answer, True
