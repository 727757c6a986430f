"""Backups as an operator schedules them: a dated archive in a folder with the older ones
removed, and a drill that restores an archive into a scratch database to prove it restores.

The drill runs the app's own commands in a child process whose environment points at a
temporary folder (SQLite, local files): the live database and storage are never touched, and
the archive's portability between SQLite and PostgreSQL (services/backup.py) makes the scratch
database a faithful test of a PostgreSQL backup.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fieldapp import clock
from fieldapp.config import BASE_DIR
from fieldapp.services import backup

PATTERN = "fieldapp-*.tar"


def archive_name() -> str:
    """Dated in China's time, to the second: two runs a day never collide."""
    return f"fieldapp-{clock.local(clock.now()):%Y%m%d-%H%M%S}.tar"


def backup_into(folder: Path, keep_days: int) -> tuple[Path, backup.Summary, list[Path]]:
    """A new archive in ``folder``; then the archives older than ``keep_days`` removed — never the
    new one, so a wrong clock cannot leave the folder empty."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / archive_name()
    summary = backup.backup(path)
    horizon = clock.now().timestamp() - timedelta(days=keep_days).total_seconds()
    removed = []
    for old in sorted(folder.glob(PATTERN)):
        if old != path and old.stat().st_mtime < horizon:
            old.unlink()
            removed.append(old)
    return path, summary, removed


@dataclass
class Drill:
    ok: bool
    output: str


def drill(archive: Path) -> Drill:
    """Restore ``archive`` into a new scratch database migrated to its revision, and verify the
    audit chain there (``fieldapp restore`` exits 1 when it does not hold)."""
    manifest = backup.check(archive)  # BackupError for a damaged archive, before any work
    with tempfile.TemporaryDirectory(prefix="fieldapp-drill-") as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
        env.update(
            DATABASE_URL=f"sqlite:///{Path(scratch) / 'drill.db'}",
            FIELDAPP_INSTANCE=scratch,
            MEDIA_STORAGE="local",
            MEDIA_ROOT=str(Path(scratch) / "media"),
        )
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        steps = [
            [*flask, "db", "upgrade", manifest["revision"]],
            [*flask, "fieldapp", "restore", str(Path(archive).resolve())],
        ]
        output = []
        for step in steps:
            run = subprocess.run(step, cwd=BASE_DIR, env=env, capture_output=True, text=True)  # noqa: S603
            output.append((run.stdout + run.stderr).strip())
            if run.returncode != 0:
                return Drill(False, "\n".join(output))
    return Drill(True, "\n".join(output))
