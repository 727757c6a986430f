"""Backup and restore: one archive holding a consistent copy of the database and every stored
file (issue 10).

The archive is a tar file: ``manifest.json`` (format, migration revision, time, row counts and
SHA-256 of every part), ``tables/<name>.jsonl.gz`` (each table's rows in primary-key order, one
JSON object a line) and ``media/<sha256>`` (each stored file, under the hash it is stored by).

Consistency: the rows come from one snapshot — a REPEATABLE READ, read-only transaction on
PostgreSQL, a copy made with SQLite's online backup API on SQLite. Stored files are content-
addressed and never changed or deleted, so every file a row of the snapshot names exists
when it is copied afterwards; each is checked against its hash on the way in and out.

Rows are written as data, not SQL, so an archive restores into either database (SQLite to
PostgreSQL is a migration path). Restore wants an empty database at the same migration
revision, checks every part against the manifest before writing anything, inserts the rows in
one transaction and the files through the configured storage (local or S3). The hazard
tallies are not archived: the database's triggers rebuild them as the hazards go back in.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from fieldapp import clock
from fieldapp.db import db
from fieldapp.services import storage

FORMAT = 1
#: Kept by database triggers (models/tallies.py): rebuilt when the hazards are restored.
DERIVED = {"hazard_tallies", "hazard_close_days"}
BATCH = 2000
#: Rows the migrations themselves put in a new database (the chain's genesis head): replaced.
SEEDED = {"audit_head"}


class BackupError(Exception):
    """An archive that cannot be made or restored; the message says why, in Chinese."""


@dataclass
class Summary:
    tables: dict[str, int]
    media: int
    revision: str

    def describe(self) -> str:
        rows = sum(self.tables.values())
        return f"{rows} 行（{len(self.tables)} 张表），{self.media} 个文件，迁移版本 {self.revision}"


def _tables() -> list[sa.Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in DERIVED]


def _plain(value):
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    return value


def _typed(value):
    if isinstance(value, dict) and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag == "$dt":
            moment = datetime.fromisoformat(raw)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if tag == "$d":
            return date.fromisoformat(raw)
        if tag == "$b":
            return base64.b64decode(raw)
        if tag == "$n":
            return Decimal(raw)
    return value


def _revision(conn) -> str:
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(clock.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _dump(conn, tar: tarfile.TarFile) -> tuple[dict, dict, list[str]]:
    counts, digests = {}, {}
    for table in _tables():
        buf = io.BytesIO()
        n = 0
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as out:
            result = conn.execution_options(yield_per=BATCH).execute(
                sa.select(table).order_by(*table.primary_key.columns)
            )
            for row in result.mappings():
                out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False).encode() + b"\n")
                n += 1
        data = buf.getvalue()
        name = f"tables/{table.name}.jsonl.gz"
        _add(tar, name, data)
        counts[table.name], digests[name] = n, hashlib.sha256(data).hexdigest()
    media = list(conn.execute(sa.text("SELECT sha256 FROM media_files ORDER BY id")).scalars())
    return counts, digests, media


def backup(path: Path) -> Summary:
    """Write the archive to ``path`` (replaced only once complete)."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    store = storage.current()
    try:
        summary = _write(partial, store)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return summary


def _write(partial: Path, store) -> Summary:
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(partial, "w") as tar:
        if db.engine.dialect.name == "sqlite":
            snapshot = Path(tmp) / "snapshot.db"
            source = db.engine.raw_connection()
            try:
                with sqlite3.connect(snapshot) as target:
                    source.driver_connection.backup(target)
            finally:
                source.close()
            engine = sa.create_engine(f"sqlite:///{snapshot}")
            conn = engine.connect()
        else:
            engine = None
            conn = db.engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        try:
            with conn.begin():
                revision = _revision(conn)
                counts, digests, media = _dump(conn, tar)
        finally:
            conn.close()
            if engine is not None:
                engine.dispose()
        for sha in media:
            data = store.get(sha)
            if hashlib.sha256(data).hexdigest() != sha:
                raise BackupError(f"存储的文件 {sha} 与其哈希不符：存储已损坏，备份中止。")
            _add(tar, f"media/{sha}", data)
        manifest = {
            "format": FORMAT,
            "revision": revision,
            "created_at": clock.now().isoformat(),
            "dialect": db.engine.dialect.name,
            "tables": counts,
            "parts": digests,
            "media": media,
        }
        _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return Summary(counts, len(media), revision)


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError("不是本系统的备份文件（缺少或无法读取 manifest.json）。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 无法恢复（本版本为 {FORMAT}）。")
    return manifest


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        return tar.extractfile(name).read()
    except (KeyError, AttributeError) as exc:
        raise BackupError(f"备份缺少 {name}：文件不完整。") from exc


def check(path: Path) -> dict:
    """Every part present and matching the manifest; the manifest, or BackupError."""
    try:
        tar = tarfile.open(path, "r")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法打开备份文件：{exc}") from exc
    with tar:
        manifest = _read_manifest(tar)
        for name, digest in manifest["parts"].items():
            if hashlib.sha256(_member(tar, name)).hexdigest() != digest:
                raise BackupError(f"备份中的 {name} 与清单不符：文件已损坏或被改动。")
        for sha in manifest["media"]:
            if hashlib.sha256(_member(tar, f"media/{sha}")).hexdigest() != sha:
                raise BackupError(f"备份中的文件 {sha} 与其哈希不符：文件已损坏或被改动。")
    return manifest


def restore(path: Path) -> Summary:
    """Restore the archive into this app's empty database and storage."""
    manifest = check(path)
    with db.engine.connect() as conn:
        here = _revision(conn)
        if here != manifest["revision"]:
            raise BackupError(f"数据库迁移版本为 {here}，备份为 {manifest['revision']}：请先迁移到同一版本。")
        for table in _tables():
            if table.name not in SEEDED and conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                raise BackupError(f"目标数据库不是空的（{table.name} 表已有数据）：只能恢复到新建的空数据库。")
    store = storage.current()
    with tarfile.open(path, "r") as tar:
        # Files first: content-addressed, so one already there is the same file, and a restore
        # stopped halfway leaves only files no row names yet.
        types = _media_types(tar)
        for sha in manifest["media"]:
            if not store.exists(sha):
                store.put(sha, _member(tar, f"media/{sha}"), types.get(sha, "application/octet-stream"))
        with db.engine.begin() as conn:
            for name in SEEDED:
                conn.execute(db.metadata.tables[name].delete())
            for table in _tables():
                name = f"tables/{table.name}.jsonl.gz"
                if name not in manifest["parts"]:
                    continue
                rows = []
                with gzip.GzipFile(fileobj=io.BytesIO(_member(tar, name))) as lines:
                    for line in lines:
                        rows.append({k: _typed(v) for k, v in json.loads(line).items()})
                        if len(rows) >= BATCH:
                            conn.execute(table.insert(), rows)
                            rows = []
                if rows:
                    conn.execute(table.insert(), rows)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
    db.session.expire_all()
    return Summary(manifest["tables"], len(manifest["media"]), manifest["revision"])


def _media_types(tar: tarfile.TarFile) -> dict[str, str]:
    with gzip.GzipFile(fileobj=io.BytesIO(_member(tar, "tables/media_files.jsonl.gz"))) as lines:
        return {row["sha256"]: row["content_type"] for row in map(json.loads, lines)}


def _reset_sequences(conn) -> None:
    """Rows came back with their ids: move each id sequence past the largest."""
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, sa.Integer):
            sequence = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
            ).scalar()
            if sequence:
                top = conn.execute(sa.select(sa.func.max(pk[0]))).scalar() or 0
                conn.execute(sa.text("SELECT setval(CAST(:s AS regclass), :v, false)"), {"s": sequence, "v": top + 1})
