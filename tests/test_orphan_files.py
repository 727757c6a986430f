"""A refused upload leaves no file behind, and `fieldapp prune` removes the files no row names —
never a file a row names (issue 29, item 5)."""

import hashlib
import io
import os
import time
from datetime import timedelta

import sqlalchemy as sa

from fieldapp.models import MediaFile
from fieldapp.services import hazards, media, storage
from tests.factories import confirm_values, report
from tests.helpers import logged_in, post
from tests.images import noisy_jpeg


def _stored(digest: str) -> bool:
    return storage.current().exists(digest)


def test_a_refused_form_stores_none_of_its_files(make_client, world, db):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    client = logged_in(make_client(), "company_a1")
    path = f"/hazards/{h.id}"
    assert post(client, f"{path}/acknowledge", {"version": 2}, token_from=path).status_code == 302
    photo = noisy_jpeg(900, 700)  # bytes no other test stores
    digest = hashlib.sha256(photo).hexdigest()
    bad = post(
        client,
        f"{path}/submit",
        {
            "description": "已整改",
            "version": 3,
            "photos": (io.BytesIO(photo), "after.jpg"),
            "documents": (io.BytesIO(b"<html>not a pdf"), "report.pdf"),
        },
        token_from=path,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "不是 PDF" in bad.get_data(as_text=True)
    assert not _stored(digest)
    assert db.session.scalar(sa.select(MediaFile).where(MediaFile.sha256 == digest)) is None


def _age(digest: str, hours: float) -> None:
    path = storage.current().path(digest)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_prune_removes_old_files_no_row_names_and_nothing_else(app, world, db):
    named = media.store_blob(noisy_jpeg(300, 200), "image/jpeg", None)
    db.session.commit()
    orphan, young = noisy_jpeg(310, 200), noisy_jpeg(320, 200)
    orphan_key, young_key = hashlib.sha256(orphan).hexdigest(), hashlib.sha256(young).hexdigest()
    storage.current().put(orphan_key, orphan, "image/jpeg")  # as a refused or abandoned upload left it
    storage.current().put(young_key, young, "image/jpeg")  # a request still on its way to commit
    crashed = storage.current().path(orphan_key).with_name(orphan_key + ".abc123.tmp")
    crashed.write_bytes(b"half a photo")
    for key in (named.sha256, orphan_key):
        _age(key, 48)
    os.utime(crashed, (time.time() - 48 * 3600,) * 2)
    _age(young_key, 1)
    assert orphan_key in media.orphans(timedelta(hours=24)) and named.sha256 not in media.orphans(timedelta(0))
    result = app.test_cli_runner().invoke(args=["fieldapp", "prune"])
    assert result.exit_code == 0 and "files no record names" in result.output
    assert _stored(named.sha256) and _stored(young_key) and not _stored(orphan_key) and not crashed.exists()
    # Even with no age limit, a file a row names stays.
    media.prune_orphans(timedelta(0))
    assert _stored(named.sha256)
