"""Media first: PUT a photo under the phone's UUID with its SHA-256; replays and conflicts."""
import hashlib
import uuid

import sqlalchemy as sa

from fieldapp.models import ClientMedia
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg


def put(client, media_uuid, data, sha=None, token=None, **headers):
    headers = {"X-Content-SHA256": sha if sha is not None else hashlib.sha256(data).hexdigest(),
               "Content-Type": "image/jpeg", **headers}
    if token:
        headers["X-CSRFToken"] = token
    return client.put(f"/api/v1/media/{media_uuid}", data=data, headers=headers)


def test_upload_then_replay_then_conflict(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    media_uuid, data = str(uuid.uuid4()), jpeg()
    first = put(client, media_uuid, data, token=token)
    assert first.status_code == 201 and first.get_json()["sha256"] == hashlib.sha256(data).hexdigest()
    for _ in range(5):  # the same outbox replayed: acknowledged, stored once
        assert put(client, media_uuid, data, token=token).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 1
    other = jpeg(color=(1, 2, 3))
    conflict = put(client, media_uuid, other, token=token)
    assert conflict.status_code == 409 and "不能覆盖" in conflict.get_json()["message"]


def test_a_cut_short_upload_never_passes_for_the_photo(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    data = jpeg(200, 150)
    response = put(client, str(uuid.uuid4()), data[: len(data) // 2], sha=hashlib.sha256(data).hexdigest(),
                   token=token)
    assert response.status_code == 422 and "SHA-256 不一致" in response.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 0


def test_bad_requests_get_clear_messages(client, world):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    cases = [
        (put(client, "not-a-uuid", jpeg(), token=token), 422, "不是有效的 UUID"),
        (put(client, str(uuid.uuid4()), jpeg(), sha="", token=token), 422, "X-Content-SHA256"),
        (put(client, str(uuid.uuid4()), b"<svg onload=alert(1)>", token=token), 422, "这不是照片"),
        (put(client, str(uuid.uuid4()), b"", token=token), 422, "文件是空的"),
        (put(client, str(uuid.uuid4()), jpeg()), 400, None),  # no CSRF header
    ]
    for response, status, message in cases:
        assert response.status_code == status, response.get_json()
        if message:
            assert message in response.get_json()["message"]


def test_only_inspectors_and_never_someone_elses_uuid(make_client, world):
    media_uuid, data = str(uuid.uuid4()), jpeg()
    expired = make_client().put(f"/api/v1/media/{media_uuid}", data=data)  # no session, no CSRF token
    assert expired.status_code == 401 and expired.get_json()["error"] == "unauthorized"
    officer = logged_in(make_client(), "officer_a")
    assert put(officer, media_uuid, data, token=csrf_token(officer, "/")).status_code == 403
    mine = logged_in(make_client(), "insp_a1")
    assert put(mine, media_uuid, data, token=csrf_token(mine, "/")).status_code == 201
    theirs = logged_in(make_client(), "insp_b1")
    assert put(theirs, media_uuid, data, token=csrf_token(theirs, "/")).status_code == 409


def test_the_same_photo_under_several_uuids_at_once_is_stored_once(app, make_client, world, db, monkeypatch):
    """Two phones (or a retried outbox under new ids) send the same photo at the same moment:
    each upload is acknowledged, and the content is filed once — the loser of the race on the
    stored file's row retries and finds the winner's, never a 500."""
    import threading
    import traceback

    from fieldapp.models import MediaFile
    from fieldapp.services import audit, photos

    data, n = jpeg(color=(9, 99, 199)), 4
    clients = [logged_in(make_client(), "insp_a1") for _ in range(n)]
    tokens = [csrf_token(c, "/") for c in clients]
    checked, check, first_round = threading.Barrier(n, timeout=20), photos.check, threading.Semaphore(n)

    def check_then_wait(content):
        # Every upload has looked for the content (not there yet) before any files it; the
        # losers' retries go straight through.
        result = check(content)
        if first_round.acquire(blocking=False):
            checked.wait()
        return result

    monkeypatch.setattr(photos, "check", check_then_wait)
    statuses: list[int] = []
    errors: list[str] = []

    def upload(client, token) -> None:
        with app.app_context():
            try:
                statuses.append(put(client, str(uuid.uuid4()), data, token=token).status_code)
            except Exception:  # noqa: BLE001 - reported below
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    assert statuses == [201] * n
    digest = hashlib.sha256(data).hexdigest()
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.sha256 == digest))
    assert count(MediaFile) == 1 and count(ClientMedia) == n
    assert audit.verify().ok
