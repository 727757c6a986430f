"""Rows and files checked against the trail: what was changed outside the application.

The audit chain (services/audit.py) proves its own history was not rewritten; it says nothing of
a row edited, deleted or inserted by hand in the database afterwards. Here every audited row is
compared with the last digest the chain holds of it, and every stored file is hashed again and
compared with the SHA-256 it was stored under. An attacker with database access can recompute a
record's own content hash after editing it; they cannot make the chain — whose head is printed
and stamped daily — hold the digest of their edit.

Not audited, and so not checked: the trail itself, sessions, login attempts, notifications, the
read log, throttles and single-use stamps, and the tallies the database derives by trigger.
Link tables without a class of their own (a hazard's photos, a record's co-inspectors) are
covered where a record's content hash includes them (inspections).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from fieldapp.db import db
from fieldapp.models import AuditEvent, HazardCloseDays, HazardTally, MediaFile, ThrottleHit, UsedToken
from fieldapp.services import audit, storage

#: Written by the database or only through their own connection: not in the chain.
UNAUDITED = (*audit.SKIP, HazardTally, HazardCloseDays, ThrottleHit, UsedToken)


@dataclass(frozen=True)
class Finding:
    #: changed: the row differs from its last digest; deleted: the trail has it, the table does
    #: not; inserted: the table has it, the trail never did (or only as deleted).
    kind: str
    object_type: str
    object_id: str


@dataclass
class RowReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)


def audited_classes() -> list[type]:
    classes = [m.class_ for m in db.Model.registry.mappers if not issubclass(m.class_, UNAUDITED)]
    return sorted(classes, key=lambda c: c.__name__)


def _last_events(session: so.Session, object_type: str) -> dict[str, tuple[str, str]]:
    """Each row's last event in the trail: object id -> (action, digest after)."""
    e = AuditEvent
    ranked = (
        sa.select(
            e.object_id,
            e.action,
            e.after_sha256,
            sa.func.row_number().over(partition_by=e.object_id, order_by=e.seq.desc()).label("n"),
        )
        .where(e.object_type == object_type, e.object_id != "")
        .subquery()
    )
    rows = session.execute(sa.select(ranked.c.object_id, ranked.c.action, ranked.c.after_sha256).where(ranked.c.n == 1))
    return {object_id: (action, after) for object_id, action, after in rows}


def check_rows(progress: Callable[[str, int], None] | None = None, batch: int = 2000) -> RowReport:
    """Every audited row against its last digest in the trail; the differences, named. Read in a
    session of its own, a batch at a time (the district is never in memory at once)."""
    report = RowReport()
    with so.Session(db.engine) as reading:
        for cls in audited_classes():
            name = cls.__name__
            events = _last_events(reading, name)
            seen: set[str] = set()
            result = reading.execute(sa.select(cls).execution_options(yield_per=batch))
            for rows in result.scalars().partitions():
                for obj in rows:
                    object_id = audit._identity(obj)
                    seen.add(object_id)
                    last = events.get(object_id)
                    if last is None or last[0] == "delete":
                        report.findings.append(Finding("inserted", name, object_id))
                    elif audit.digest_of(obj) != last[1]:
                        report.findings.append(Finding("changed", name, object_id))
                report.checked += len(rows)  # the session holds its rows weakly: read ones are let go
            report.findings.extend(
                Finding("deleted", name, object_id)
                for object_id, (action, _after) in sorted(events.items())
                if action != "delete" and object_id not in seen
            )
            if progress:
                progress(name, report.checked)
    return report


def baseline(include_changed: bool = False) -> int:
    """Record in the chain the current state of rows the trail cannot vouch for: rows written
    before the trail named the rows it created, or by a migration; with ``include_changed``, rows
    found changed too — only after a person has looked at each (the acceptance is itself traced)."""
    kinds = {"inserted", "changed"} if include_changed else {"inserted"}
    found = [f for f in check_rows().findings if f.kind in kinds]
    by_class = {c.__name__: c for c in audited_classes()}
    rows = []
    for f in found:
        cls = by_class[f.object_type]
        obj = db.session.get(cls, _key(cls, f.object_id))
        if obj is not None:
            rows.append((f.object_type, f.object_id, audit.digest_of(obj)))
    if rows:
        audit.append(db.session, [("baseline", t, i, "", d) for t, i, d in rows])
        db.session.commit()
    return len(rows)


def _key(cls, object_id: str):
    """A primary key as the trail writes it ("5", "5,3", "2026-01-01") back into its values."""
    columns = sa.inspect(cls).primary_key
    values = []
    for column, text in zip(columns, object_id.split(","), strict=True):
        kind = column.type.python_type
        values.append(date.fromisoformat(text) if kind is date else kind(text))
    return tuple(values) if len(values) > 1 else values[0]


def row_state(obj) -> str:
    """One row against the trail: "matches", "changed" (edited outside the application) or
    "unknown" (the trail holds nothing of it)."""
    e = AuditEvent
    last = db.session.execute(
        sa.select(e.action, e.after_sha256)
        .where(e.object_type == type(obj).__name__, e.object_id == audit._identity(obj))
        .order_by(e.seq.desc())
        .limit(1)
    ).first()
    if last is None or last.action == "delete":
        return "unknown"
    return "matches" if audit.digest_of(obj) == last.after_sha256 else "changed"


# --- stored files --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFinding:
    kind: str  # mismatch: the bytes hash to something else; missing: no file
    media_id: int
    sha256: str


@dataclass
class FileReport:
    checked: int = 0
    bytes: int = 0
    last_id: int = 0
    findings: list[FileFinding] = field(default_factory=list)


def check_files(
    after_id: int = 0,
    limit: int | None = None,
    batch: int = 500,
    progress: Callable[[FileReport], None] | None = None,
    every_s: float = 2.0,
) -> FileReport:
    """Hash every stored file again, in id order from ``after_id`` (to resume a run), at most
    ``limit`` files; ``progress`` is called every ``every_s`` seconds with the report so far."""
    report = FileReport(last_id=after_id)
    store = storage.current()
    shown = time.monotonic()
    for rows in _media_after(after_id, batch):
        for media_id, expected in rows:
            try:
                data = store.get(expected)
            except (FileNotFoundError, OSError):
                report.findings.append(FileFinding("missing", media_id, expected))
            else:
                report.bytes += len(data)
                if hashlib.sha256(data).hexdigest() != expected:
                    report.findings.append(FileFinding("mismatch", media_id, expected))
            report.checked += 1
            report.last_id = media_id
            if limit is not None and report.checked >= limit:
                return report
            if progress and time.monotonic() - shown >= every_s:
                progress(report)
                shown = time.monotonic()
    return report


def _media_after(after_id: int, batch: int) -> Iterator[list[tuple[int, str]]]:
    last = after_id
    while True:
        rows = db.session.execute(
            sa.select(MediaFile.id, MediaFile.sha256).where(MediaFile.id > last).order_by(MediaFile.id).limit(batch)
        ).all()
        if not rows:
            return
        yield [(r.id, r.sha256) for r in rows]
        last = rows[-1].id
