"""Records that are appended and never changed: interference records (seed 003), their
supplements and the discipline inspectors' follow-ups; and the audit trail and read log.
Whatever route or script tries to update or delete one through the application's sessions
is refused before it reaches the database (and the audit chain would expose a change made
behind the application's back)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.session import Session as AppSession

from fieldapp.errors import Forbidden
from fieldapp.i18n import gettext as _
from fieldapp.models import AuditEvent, AuditHead, ReadLog
from fieldapp.models.interference import APPEND_ONLY

#: The trail itself is written with Core statements by services.audit; through the ORM it is read-only.
TRAIL = (AuditEvent, AuditHead, ReadLog)


class AppendOnly(Forbidden):
    pass


def _guard(session, flush_context, instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, TRAIL):
            raise AppendOnly(_("留痕记录只能由系统追加，不能修改或删除。"))
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY):
            raise AppendOnly(_("干预记录及其补充、处理情况只能追加，不能删除。"))
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj, include_collections=False):
            raise AppendOnly(_("干预记录及其补充、处理情况只能追加，不能修改。如有新情况，请添加补充说明。"))


def install() -> None:
    if not sa.event.contains(AppSession, "before_flush", _guard):
        sa.event.listen(AppSession, "before_flush", _guard)
