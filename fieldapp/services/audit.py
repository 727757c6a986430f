"""The audit chain: every change the application writes through its models is appended,
in the same transaction, as an event whose hash covers the previous event's hash.

Why session events and not a call in each service: a change that forgets to log itself
is exactly the hole an audit trail must not have. Before a flush we digest each changed
or deleted row as it was; after it, as it is now; at commit the events are chained under a
lock on the single ``audit_head`` row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
serialises writers itself), so concurrent transactions append one after another.

``verify()`` walks the chain and names the first broken link; ``head()`` is what to print
and stamp daily — a later rewrite of history, even by someone with database access,
no longer leads to the stamped hash.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_sqlalchemy.session import Session as AppSession

from fieldapp import clock
from fieldapp.db import db
from fieldapp.i18n import gettext as _
from fieldapp.i18n import ngettext
from fieldapp.models import (
    AuditEvent,
    AuditHead,
    LoginAttempt,
    Notification,
    OutboundMessage,
    ReadLog,
    User,
    UserSession,
)
from fieldapp.models.audit import GENESIS

#: Not state of the product: sessions and login attempts (their own tables are the record),
#: notifications and the outbox of messages out of the app (derived from audited events; the
#: worker claims outbox rows with plain UPDATEs, many a minute), and the trail itself.
SKIP = (AuditEvent, AuditHead, ReadLog, UserSession, LoginAttempt, Notification, OutboundMessage)
PENDING = "audit_pending"


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value


def _digest(values: dict) -> str:
    text = json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


_UNSET = object()


def _before(original, value):
    # As the attribute history says it: set to an equal value (30 for 30.0) is no change.
    return value if value is not _UNSET and value == original else original


@functools.cache
def _column_keys(mapper) -> tuple[str, ...]:
    # A derived column (``info={"derived": True}``) is kept by the database from audited rows.
    return tuple(attr.key for attr in mapper.column_attrs if not attr.columns[0].info.get("derived"))


def _as_stored(column_type):
    """How a value reads back from the database, so that a row digested as it was written and the
    same row read again later digest alike (30 written into NUMERIC(5,1) reads back as 30.0)."""
    numbers = (int, float, Decimal)
    if isinstance(column_type, sa.Float):
        return lambda v: float(v) if isinstance(v, numbers) else v
    if isinstance(column_type, sa.Numeric):
        step = Decimal(1).scaleb(-column_type.scale) if column_type.scale is not None else None
        return lambda v: (
            str(Decimal(str(v)).quantize(step) if step else Decimal(str(v))) if isinstance(v, numbers) else v
        )
    if isinstance(column_type, sa.Integer):
        return lambda v: int(v) if isinstance(v, numbers) and not isinstance(v, bool) else v
    return None


@functools.cache
def _stored_forms(mapper) -> dict:
    out = {}
    for attr in mapper.column_attrs:
        form = _as_stored(attr.columns[0].type)
        if form is not None:
            out[attr.key] = form
    return out


def _columns(obj, committed: bool) -> dict:
    """The row's column values now, or as they were before this flush (``committed``), as the
    database stores them.

    Read from the instance's own dictionaries, as its attribute history would give them
    (~80 rows per synced record: the history objects cost more than the digests)."""
    state = sa.inspect(obj)
    current, keys = state.dict, _column_keys(state.mapper)
    if committed:  # a changed attribute's value before the change, else the value it has
        before = state.committed_state
        values = {k: _before(before[k], current.get(k, _UNSET)) if k in before else current.get(k) for k in keys}
    else:
        values = {k: current[k] if k in current else state.attrs[k].value for k in keys}
    for key, form in _stored_forms(state.mapper).items():
        if key in values:
            values[key] = form(values[key])
    return values


def digest_of(obj) -> str:
    """The digest the trail keeps of a row as it is now."""
    return _digest(_columns(obj, committed=False))


def _identity(obj) -> str:
    # A row created in this flush has its key only once the flush is finalised, after this event:
    # read its primary key from the object itself (else every created row went unnamed).
    state = sa.inspect(obj)
    return ",".join(str(v) for v in state.identity or state.mapper.primary_key_from_instance(obj))


ACTOR = "audit_actor"


def acting_as(user: User) -> None:
    """Name ``user`` (signed in) as the author of what this request writes: the web layer says so
    when it loads the user of a request. Without it (commands, the public forms) it is the system."""
    db.session.info[ACTOR] = (user.id, user.ordered_roles[0] if user.ordered_roles else "")


def _actor() -> tuple[int | None, str]:
    return db.session.info.get(ACTOR) or (None, "system")


@dataclass
class _Change:
    action: str
    obj: object
    before: str


def _before_flush(session, flush_context, instances) -> None:
    pending = session.info.setdefault(PENDING, [])
    for obj in session.new:
        if not isinstance(obj, SKIP):
            pending.append(_Change("create", obj, ""))
    for obj in session.dirty:
        if not isinstance(obj, SKIP) and session.is_modified(obj, include_collections=False):
            pending.append(_Change("update", obj, _digest(_columns(obj, committed=True))))
    for obj in session.deleted:
        if not isinstance(obj, SKIP):
            pending.append(_Change("delete", obj, _digest(_columns(obj, committed=True))))


def _after_flush(session, flush_context) -> None:
    """Fix each change's identity and after-digest now that the ids exist."""
    done = session.info.setdefault("audit_ready", [])
    for change in session.info.pop(PENDING, []):
        obj = change.obj
        after = "" if change.action == "delete" else _digest(_columns(obj, committed=False))
        done.append((change.action, type(obj).__name__, _identity(obj), change.before, after))


def bulk_rows(session, action: str, objects) -> None:
    """Chain rows written with Core statements as they now are, whole (``create`` or ``update``):
    read back after the statement, so the trail holds the digest a later check of the row finds."""
    ready = session.info.setdefault("audit_ready", [])
    for obj in objects:
        ready.append((action, type(obj).__name__, _identity(obj), "", digest_of(obj)))


def _before_commit(session) -> None:
    # Flush now, so this commit's own changes are chained in this same transaction.
    session.flush()
    ready = session.info.pop("audit_ready", [])
    if ready:
        append(session, ready)


def _after_rollback(session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop("audit_ready", None)


def event_hash(
    seq: int,
    at: str,
    actor_id,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str,
    after: str,
    prev: str,
) -> str:
    text = json.dumps(
        [seq, at, actor_id, actor_role, action, object_type, object_id, before, after, prev],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def append(session, changes: list[tuple[str, str, str, str, str]]) -> None:
    """Chain ``changes`` (action, type, id, before, after) after the head, under its lock."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        row = conn.execute(_HEAD_LOCKED).first()
    else:
        # SQLite: take the database's write lock before reading the head, so that no other
        # writer can read the same head meanwhile (a read alone would not begin a transaction).
        conn.execute(_LOCK_SQLITE)
        row = conn.execute(_HEAD).first()
    if row is None:  # a database made before the trail existed (or by metadata.create_all)
        conn.execute(sa.insert(AuditHead).values(id=1, seq=0, hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = row
    actor_id, role = _actor()
    at = clock.now()
    stamp = at.isoformat()
    rows = []
    for action, object_type, object_id, before, after in changes:
        seq += 1
        digest = event_hash(seq, stamp, actor_id, role, action, object_type, object_id, before, after, prev)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor_id": actor_id,
                "actor_role": role,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "before_sha256": before,
                "after_sha256": after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    conn.execute(_EVENTS, rows)
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})


#: The chain's statements, built once (every commit that changes something runs them; a synced
#: inspection commits five times).
_HEAD = sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
_HEAD_LOCKED = _HEAD.with_for_update()
_LOCK_SQLITE = sa.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq)
_EVENTS = sa.insert(AuditEvent)
_MOVE_HEAD = (
    sa.update(AuditHead).where(AuditHead.id == 1).values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)


def install() -> None:
    """Hook the trail into every session of the app's (Flask-SQLAlchemy's) session class."""
    if sa.event.contains(AppSession, "before_flush", _before_flush):
        return
    sa.event.listen(AppSession, "before_flush", _before_flush)
    sa.event.listen(AppSession, "after_flush", _after_flush)
    sa.event.listen(AppSession, "before_commit", _before_commit)
    sa.event.listen(AppSession, "after_rollback", _after_rollback)


# --- verification and the stamped head ---------------------------------------------------------


@dataclass
class Verdict:
    ok: bool
    checked: int
    message: str
    seq: int | None = None


def verify(batch: int = 5000) -> Verdict:
    """Walk the chain in order; the first broken link is reported with its position."""
    prev, expected, checked = GENESIS, 1, 0
    while True:
        rows = (
            db.session.execute(
                sa.select(AuditEvent).where(AuditEvent.seq >= expected).order_by(AuditEvent.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for e in rows:
            if e.seq != expected:
                return Verdict(
                    False,
                    checked,
                    _("第 %(n)d 条缺失（下一条是第 %(next)d 条）：记录被删除或改号。", n=expected, next=e.seq),
                    expected,
                )
            if e.prev_hash != prev:
                return Verdict(
                    False, checked, _("第 %(n)d 条与前一条不相连：记录被删除、插入或调换了顺序。", n=e.seq), e.seq
                )
            stamp = e.at.isoformat()
            if (
                event_hash(
                    e.seq,
                    stamp,
                    e.actor_id,
                    e.actor_role,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.before_sha256,
                    e.after_sha256,
                    e.prev_hash,
                )
                != e.hash
            ):
                return Verdict(False, checked, _("第 %(n)d 条的内容与其哈希不符：记录被修改。", n=e.seq), e.seq)
            prev, expected, checked = e.hash, e.seq + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected - 1 or head.hash != prev):
        return Verdict(
            False, checked, _("链尾与记录的链头（第 %(n)d 条）不符：末尾的记录被删除或改动。", n=head.seq), expected
        )
    return Verdict(
        True,
        checked,
        ngettext("完整：共 %(num)d 条，链头 %(hash)s。", "完整：共 %(num)d 条，链头 %(hash)s。", checked, hash=prev),
    )


def head() -> dict:
    """What to print, sign and stamp daily: position and hash of the chain's end."""
    row = db.session.get(AuditHead, 1)
    return {"seq": row.seq if row else 0, "hash": row.hash if row else GENESIS, "at": clock.now().isoformat()}


def contains(seq: int, digest: str) -> bool:
    """Does today's chain still hold a stamped head (position and hash)?"""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.seq == seq, AuditEvent.hash == digest)
        )
        == 1
    )


# --- the read log --------------------------------------------------------------------------


def read(user, object_type: str, object_id: int) -> None:
    """Record that ``user`` opened a case file. On its own connection and transaction: the
    page's session keeps what it loaded (a commit there would expire it all), and the read
    is on record even if rendering fails afterwards. One statement is its own transaction
    (autocommit): no BEGIN and COMMIT round trips on every case file opened."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(_READ, {"user_id": user.id, "object_type": object_type, "object_id": object_id, "at": clock.now()})


#: Built once, the values bound when it runs (a statement built with its values is built and
#: keyed again on every case file opened: ~1 M instructions of a hazard page's 25).
_READ = sa.insert(ReadLog)


def readers(object_type: str, object_id: int, limit: int = 200) -> list[ReadLog]:
    return list(
        db.session.scalars(
            sa.select(ReadLog)
            .where(ReadLog.object_type == object_type, ReadLog.object_id == object_id)
            .options(sa.orm.joinedload(ReadLog.user))
            .order_by(ReadLog.id.desc())
            .limit(limit)
        )
    )
