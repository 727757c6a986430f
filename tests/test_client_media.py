"""Media first: PUT a photo under the phone's UUID with its SHA-256; replays and conflicts."""

import hashlib
import uuid

import sqlalchemy as sa

from fieldapp.models import ClientMedia
from tests.helpers import csrf_token, logged_in, media_batch_body
from tests.images import jpeg


def put(client, media_uuid, data, sha=None, token=None, **headers):
    headers = {
        "X-Content-SHA256": sha if sha is not None else hashlib.sha256(data).hexdigest(),
        "Content-Type": "image/jpeg",
        **headers,
    }
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
    response = put(client, str(uuid.uuid4()), data[: len(data) // 2], sha=hashlib.sha256(data).hexdigest(), token=token)
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


def batch(client, items, token, manifest=None):
    """POST /api/v1/media: items are (uuid, bytes) or (uuid, bytes, declared sha256)."""
    import io
    import json

    entries = [{"uuid": i[0], "sha256": i[2] if len(i) > 2 else hashlib.sha256(i[1]).hexdigest()} for i in items]
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("manifest", manifest if manifest is not None else json.dumps(entries))])
    for i in items:  # a MultiDict: a test may send two files under one name
        form.add(i[0], (io.BytesIO(i[1]), f"{i[0]}.jpg", "image/jpeg"))
    return client.post(
        "/api/v1/media", data=form, content_type="multipart/form-data", headers={"X-CSRFToken": token} if token else {}
    )


def test_a_batch_stores_a_whole_record_in_one_go_and_replays(client, world, db):
    from tests.images import png

    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    items = [(str(uuid.uuid4()), jpeg(color=(i * 50, 9, 9))) for i in range(3)] + [(str(uuid.uuid4()), png())]
    first = batch(client, items, token)
    assert first.status_code == 201, first.get_json()
    answers = first.get_json()["media"]
    assert [a["uuid"] for a in answers] == [u for u, _data in items]  # in the manifest's order
    assert [a["content_type"] for a in answers] == ["image/jpeg"] * 3 + ["image/png"]
    assert all(
        a["created"] and a["sha256"] == hashlib.sha256(d).hexdigest() and a["size"] == len(d)
        for a, (_u, d) in zip(answers, items, strict=True)
    )
    again = batch(client, items, token)  # the outbox replayed after a lost answer
    assert again.status_code == 200 and not any(a["created"] for a in again.get_json()["media"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 4
    # One uploaded before by PUT, one new: the old one is recognised, the new one stored.
    old, new = items[0], (str(uuid.uuid4()), jpeg(color=(7, 7, 7)))
    mixed = batch(client, [new, old], token)
    assert mixed.status_code == 201 and [a["created"] for a in mixed.get_json()["media"]] == [True, False]
    # The same bytes under a new uuid, in another batch and twice in one: upload rows, one file.
    twin = batch(client, [(str(uuid.uuid4()), new[1])], token)
    assert twin.status_code == 201
    pair = batch(client, [(str(uuid.uuid4()), jpeg(color=(8, 8, 8))) for _ in range(2)], token)
    assert pair.status_code == 201 and len({a["sha256"] for a in pair.get_json()["media"]}) == 1
    from fieldapp.models import MediaFile

    for data in (new[1], jpeg(color=(8, 8, 8))):
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(MediaFile)
                .where(MediaFile.sha256 == hashlib.sha256(data).hexdigest())
            )
            == 1
        )


def test_a_batch_is_all_or_nothing_and_names_the_bad_upload(client, world, db):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    good, data = (str(uuid.uuid4()), jpeg()), jpeg(200, 150, color=(1, 200, 1))
    cut = (str(uuid.uuid4()), data[: len(data) // 2], hashlib.sha256(data).hexdigest())
    fake = (str(uuid.uuid4()), b"<svg onload=alert(1)>")
    response = batch(client, [good, cut, fake], token)
    assert response.status_code == 422
    body = response.get_json()
    assert "SHA-256 不一致" in body["fields"][cut[0]] and "这不是照片" in body["fields"][fake[0]]
    assert good[0] not in body["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 0
    # A uuid that holds other content: 409, and nothing else of that batch is kept either.
    assert put(client, good[0], good[1], token=token).status_code == 201
    other = (str(uuid.uuid4()), jpeg(color=(3, 3, 3)))
    conflict = batch(client, [other, (good[0], jpeg(color=(9, 9, 9)))], token)
    assert conflict.status_code == 409 and "不能覆盖" in conflict.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 1


def test_a_batch_of_the_wrong_shape_gets_a_clear_message(client, make_client, world):
    import json

    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    one = (str(uuid.uuid4()), jpeg())
    sha = hashlib.sha256(one[1]).hexdigest()
    extra = (str(uuid.uuid4()), jpeg(color=(5, 5, 5)))
    cases = [
        (
            client.post("/api/v1/media", json=[{"uuid": one[0], "sha256": sha}], headers={"X-CSRFToken": token}),
            400,
            "multipart/form-data",
        ),
        (batch(client, [one], token, manifest="not json"), 400, "manifest"),
        (batch(client, [one], token, manifest=json.dumps({"uuid": one[0]})), 400, "manifest"),
        (batch(client, [one], token, manifest=json.dumps([{"uuid": one[0]}])), 422, "提交的内容有误"),
        (batch(client, [], token, manifest=json.dumps([])), 422, "没有收到任何媒体文件"),
        (batch(client, [], token, manifest=json.dumps([{"uuid": one[0], "sha256": sha}])), 422, "缺少该媒体的文件"),
        (
            batch(client, [one, extra], token, manifest=json.dumps([{"uuid": one[0], "sha256": sha}])),
            422,
            "清单中没有这个文件",
        ),
        (batch(client, [("not-a-uuid", one[1])], token), 422, "不是有效的 UUID"),
        (batch(client, [one], token, manifest=json.dumps([{"uuid": one[0], "sha256": "xyz"}])), 422, "64 位十六进制"),
        (
            batch(
                client,
                [one],
                token,
                manifest=json.dumps([{"uuid": one[0], "sha256": sha}, {"uuid": one[0], "sha256": sha}]),
            ),
            422,
            "出现了两次",
        ),
        (
            batch(
                client,
                [one, (one[0], jpeg(color=(6, 6, 6)))],
                token,
                manifest=json.dumps([{"uuid": one[0], "sha256": sha}]),
            ),
            422,
            "出现了两次",
        ),  # two files under one name
        (batch(client, [(str(uuid.uuid4()), jpeg()) for _ in range(13)], token), 422, "一次最多上传 12 个"),
        (batch(client, [one], None), 400, None),  # no CSRF header
    ]
    for response, status, message in cases:
        assert response.status_code == status, (message, response.get_json())
        if message:
            body = response.get_json()
            assert message in body["message"] + json.dumps(body.get("fields", {}), ensure_ascii=False), body
    assert batch(make_client(), [one], None).status_code == 401  # no session
    officer = logged_in(make_client(), "officer_a")
    assert batch(officer, [one], csrf_token(officer, "/")).status_code == 403


def test_a_batch_costs_the_statements_of_one_upload(client, world, db):
    """One lookup, one transaction and one audit chain for the whole batch: the statements do
    not grow with the number of photos."""
    from tests.helpers import counting

    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    counts = []
    for size in (1, 4):
        items = [(str(uuid.uuid4()), jpeg(color=(size, i, 40))) for i in range(size)]
        with counting() as statements:
            assert batch(client, items, token).status_code == 201
        counts.append(len(statements))
    # PostgreSQL inserts the batch's new files and uploads in one statement each; SQLite's
    # driver cannot return their ids from one, so there a row is a statement (two per photo).
    per_photo = 0 if db.engine.dialect.name == "postgresql" else 2
    assert counts[1] == counts[0] + 3 * per_photo, counts


def _cut(client, body: bytes, content_type: str, at: int, token: str):
    """The body sent as far as ``at`` bytes, its length declared whole: the connection dropped."""
    import io

    return client.post(
        "/api/v1/media",
        input_stream=io.BytesIO(body[:at]),
        headers={"Content-Type": content_type, "Content-Length": str(len(body)), "X-CSRFToken": token},
    )


def test_a_batch_cut_short_keeps_the_photos_that_arrived_whole(client, world, db):
    """A connection that drops in the third photo of three loses that photo only: the two whole
    ones are stored, the phone asks which the server has, and sends just the third again."""
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    items = [(str(uuid.uuid4()), jpeg(320, 240, color=(i * 60, 30, 30))) for i in range(3)]
    body, content_type = media_batch_body(items)
    third = body.index(items[2][1])
    response = _cut(client, body, content_type, third + len(items[2][1]) // 2, token)
    assert response.status_code == 400 and "上传中断" in response.get_json()["message"]
    stored = set(db.session.scalars(sa.select(ClientMedia.uuid)))
    assert stored == {items[0][0], items[1][0]}
    manifest = [{"uuid": u, "sha256": hashlib.sha256(d).hexdigest()} for u, d in items]
    known = client.post("/api/v1/media/known", json={"media": manifest}, headers={"X-CSRFToken": token})
    assert known.status_code == 200 and known.get_json()["known"] == sorted([items[0][0], items[1][0]])
    rest = batch(client, [items[2]], token)
    assert rest.status_code == 201 and db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 3
    # Cut inside the manifest: nothing can be trusted, nothing is kept.
    more = [(str(uuid.uuid4()), jpeg(color=(1, 2, 3)))]
    body, content_type = media_batch_body(more)
    assert _cut(client, body, content_type, 40, token).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClientMedia)) == 3


def test_known_media_tells_only_what_this_user_stored_with_that_content(client, make_client, world):
    logged_in(client, "insp_a1")
    token = csrf_token(client, "/")
    mine = (str(uuid.uuid4()), jpeg(color=(40, 40, 40)))
    assert put(client, mine[0], mine[1], token=token).status_code == 201
    sha = hashlib.sha256(mine[1]).hexdigest()

    def ask(who, media, tok):
        return who.post("/api/v1/media/known", json={"media": media}, headers={"X-CSRFToken": tok} if tok else {})

    assert ask(client, [{"uuid": mine[0], "sha256": sha}], token).get_json() == {"known": [mine[0]]}
    assert ask(client, [{"uuid": mine[0].upper(), "sha256": sha.upper()}], token).get_json() == {"known": [mine[0]]}
    assert ask(client, [{"uuid": mine[0], "sha256": "0" * 64}], token).get_json() == {"known": []}
    other = logged_in(make_client(), "insp_b1")
    assert ask(other, [{"uuid": mine[0], "sha256": sha}], csrf_token(other, "/")).get_json() == {"known": []}
    bad = ask(client, [{"uuid": mine[0]}], token)
    assert bad.status_code == 422 and "提交的内容有误" in bad.get_json()["message"]
    assert ask(client, [{"uuid": "x", "sha256": "y"}] * 501, token).status_code == 422
    assert ask(client, [{"uuid": mine[0], "sha256": sha}], None).status_code == 400  # no CSRF token
