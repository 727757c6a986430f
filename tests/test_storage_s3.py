"""The S3 backend against a real S3-protocol server (moto's server mode) started here,
on loopback: photos stored, deduplicated and served exactly as with the local folder."""

import hashlib

import pytest

from fieldapp.models import Photo
from fieldapp.services import inspections, storage
from tests.conftest import make_app
from tests.helpers import logged_in
from tests.images import jpeg


@pytest.fixture
def s3_env(monkeypatch, s3_endpoint):
    # Dummy credentials for the local server; nothing here can reach a real AWS.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fieldapp-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fieldapp-test")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return s3_endpoint


def test_s3_storage_round_trip(s3_env):
    store = storage.S3Storage("roundtrip", "media/", s3_env, "us-east-1")
    store.client.create_bucket(Bucket="roundtrip")
    data = b"evidence bytes"
    key = hashlib.sha256(data).hexdigest()
    assert not store.exists(key)
    store.put(key, data, "application/octet-stream")
    store.put(key, data, "application/octet-stream")  # content-addressed: a second put is a no-op
    assert store.exists(key) and store.get(key) == data
    listed = store.client.list_objects_v2(Bucket="roundtrip")["Contents"]
    assert [o["Key"] for o in listed] == [f"media/{key[:2]}/{key[2:4]}/{key}"]
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_inspection_photos_live_in_the_bucket(s3_env, db_url, tmp_path, world, db):
    app = make_app(
        db_url, str(tmp_path), MEDIA_STORAGE="s3", S3_BUCKET="photos", S3_ENDPOINT_URL=s3_env, S3_REGION="us-east-1"
    )
    with app.app_context():
        store = storage.current()
        assert isinstance(store, storage.S3Storage) and storage.current() is store
        store.client.create_bucket(Bucket="photos")
        record = inspections.start(world.inspector_a1, world.ent_a1)
        link = inspections.add_photo(world.inspector_a1, record, jpeg(taken="2026:11:22 10:00:00"))
        photo_id, original = link.photo_id, link.photo.original.sha256
        assert original in keys(store) and link.photo.display_id is None  # copies come on first view
        client = app.test_client()
        logged_in(client, "insp_a1")
        served = client.get(f"/photos/{photo_id}/original")
        assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == original
        served = client.get(f"/photos/{photo_id}/thumb")
        photo = db.session.get(Photo, photo_id)
        assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == photo.thumb.sha256
        assert {photo.display.sha256, photo.thumb.sha256} <= keys(store)
        assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*"))


def keys(store) -> set[str]:
    return {o["Key"].rsplit("/", 1)[1] for o in store.client.list_objects_v2(Bucket="photos")["Contents"]}


def test_orphans_leave_the_bucket_and_named_files_stay(s3_env, db_url, tmp_path, world, db):
    """`fieldapp prune` on S3: the object of a refused upload goes, the photo a row names stays."""
    from datetime import timedelta

    from fieldapp import clock
    from fieldapp.services import media

    app = make_app(
        db_url, str(tmp_path), MEDIA_STORAGE="s3", S3_BUCKET="prune", S3_ENDPOINT_URL=s3_env, S3_REGION="us-east-1"
    )
    with app.app_context():
        store = storage.current()
        store.client.create_bucket(Bucket="prune")
        named = media.store_blob(jpeg(color=(1, 2, 3)), "image/jpeg", None)
        db.session.commit()
        orphan = b"bytes of an upload that was refused"
        store.put(hashlib.sha256(orphan).hexdigest(), orphan, "image/jpeg")
        assert media.prune_orphans(timedelta(hours=1)) == 0  # too young: maybe a request on its way
        with clock.travel(clock.now() + timedelta(hours=2)):
            assert media.prune_orphans(timedelta(hours=1)) == 1
        assert {k for k, _ in store.keys()} == {named.sha256}
