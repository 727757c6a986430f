"""Backup and restore (issue 10): an archive of the database and every stored file restores into
a fresh database — of the other kind too — with the same rows, the same files byte for byte, the
audit chain verifying green and the hazard tallies rebuilt; damaged archives and non-empty
targets are refused before anything is written."""

import hashlib
import io
import tarfile

import flask_migrate
import pytest
import sqlalchemy as sa

from fieldapp.db import db
from fieldapp.models import HazardCloseDays, HazardTally, MediaFile, Photo
from fieldapp.services import audit, backup, photos, storage
from tests import postgres
from tests.conftest import make_app
from tests.factories import tallies, world_of_hazards


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in backup._tables()}


def _files() -> dict[str, str]:
    store = storage.current()
    return {sha: hashlib.sha256(store.get(sha)).hexdigest() for sha in db.session.scalars(sa.select(MediaFile.sha256))}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request, tmp_path):
    """A new app on an empty, migrated database of either kind, with its own media store."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        schema = None
    else:
        schema = postgres.schema_on(request.getfixturevalue("postgres_url"))
        url = schema.__enter__()
    app = make_app(url, str(tmp_path / "restored"))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    if schema is not None:
        schema.__exit__(None, None, None)


def test_backup_restores_everything_and_the_chain_verifies(world, app, fresh, tmp_path):
    world_of_hazards(world)  # inspections with photos, hazards through their loop, audit events
    first = db.session.scalars(sa.select(Photo).order_by(Photo.id)).first()
    photos.rendition(first, "thumb")  # one photo viewed (its copies made), the others not yet
    archive = tmp_path / "fieldapp.tar"
    summary = backup.backup(archive)
    counts, files, tally = _counts(), _files(), tallies()
    assert counts["audit_events"] > 10 and len(files) >= 4 and summary.media == len(files)
    assert audit.verify().ok
    with fresh.app_context():
        restored = backup.restore(archive)
        assert restored.tables == counts
        assert _counts() == counts
        assert _files() == files  # every file back, byte for byte
        assert tallies() == tally  # rebuilt by the triggers as the hazards went back in
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HazardTally)) > 0
        verdict = audit.verify()
        assert verdict.ok, verdict.message
        # The app goes on writing after a restore: new rows get new ids (sequences moved on).
        from tests.factories import report

        world.inspector_a1 = db.session.merge(world.inspector_a1)
        world.ent_a1 = db.session.merge(world.ent_a1)
        report(world)
        assert audit.verify().ok


def test_damaged_archives_and_full_databases_are_refused(world, fresh, tmp_path):
    world_of_hazards(world)
    archive = tmp_path / "fieldapp.tar"
    backup.backup(archive)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 1])  # one bit flipped in a stored file
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with fresh.app_context():
        with pytest.raises(backup.BackupError, match="与其哈希不符"):
            backup.restore(damaged)
        with pytest.raises(backup.BackupError, match="不是本系统的备份文件|无法打开"):
            (tmp_path / "junk.tar").write_bytes(b"not a tar file at all")
            backup.restore(tmp_path / "junk.tar")
        assert sum(n for name, n in _counts().items() if name not in backup.SEEDED) == 0  # nothing written
        backup.restore(archive)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HazardCloseDays)) == 1
        with pytest.raises(backup.BackupError, match="不是空的"):
            backup.restore(archive)


def test_cli_backup_and_check(world, app, tmp_path):
    world_of_hazards(world)
    archive = tmp_path / "cli.tar"
    runner = app.test_cli_runner()
    made = runner.invoke(args=["fieldapp", "backup", str(archive)])
    assert made.exit_code == 0 and "备份完成" in made.output, made.output
    checked = runner.invoke(args=["fieldapp", "restore", "--check-only", str(archive)])
    assert checked.exit_code == 0 and "备份完整" in checked.output, checked.output
    refused = runner.invoke(args=["fieldapp", "restore", str(archive)])  # this database is not empty
    assert refused.exit_code != 0 and "不是空的" in refused.output


def test_the_scheduled_backup_keeps_its_days_and_the_drill_restores_it(world, app, tmp_path):
    """``backup --into`` names the archive by the time and removes those past ``--keep-days``;
    ``restore-drill`` restores it into a scratch database (not this one) and verifies the chain."""
    import os
    import time

    world_of_hazards(world)
    folder = tmp_path / "backups"
    folder.mkdir()
    old, recent = folder / "fieldapp-20260101-013000.tar", folder / "fieldapp-20261130-013000.tar"
    for path, age_days in ((old, 30), (recent, 6)):
        path.write_bytes(b"an earlier archive")
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    before = _counts()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["fieldapp", "backup", "--into", str(folder), "--keep-days", "14"])
    assert made.exit_code == 0 and "备份完成" in made.output and f"已删除过期备份：{old}" in made.output, made.output
    new = sorted(set(folder.glob("fieldapp-*.tar")) - {recent})
    assert not old.exists() and recent.exists() and len(new) == 1, sorted(folder.iterdir())

    drilled = runner.invoke(args=["fieldapp", "restore-drill", str(new[0])])
    assert drilled.exit_code == 0 and "恢复完成" in drilled.output and "恢复演练通过" in drilled.output, drilled.output
    assert _counts() == before  # the live database untouched

    damaged = runner.invoke(args=["fieldapp", "restore-drill", str(recent)])
    assert damaged.exit_code == 1 and "无法打开备份文件" in damaged.output, damaged.output
    confused = runner.invoke(args=["fieldapp", "backup", str(tmp_path / "x.tar"), "--into", str(folder)])
    assert confused.exit_code == 2 and "PATH" in confused.output
