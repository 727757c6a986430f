"""Photo copies made on first view (services.photos.rendition): an upload stores the original
and the watermark's text only; the first request for a copy makes the display copy and the
thumbnail, watermarked as before; later requests, and first requests racing each other, store
nothing twice and keep the audit chain whole."""

import io
import threading
import traceback

import sqlalchemy as sa
from PIL import Image, ImageStat

from fieldapp import clock
from fieldapp.models import MediaFile, Photo
from fieldapp.services import audit, hazards, inspections, photos, storage
from tests.helpers import logged_in
from tests.images import jpeg


def _files() -> int:
    return photos.db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile))


UPLOAD = jpeg(2000, 1500, taken="2026:11:22 10:00:00")


def _photo(world, upload: bytes = UPLOAD) -> tuple[Photo, object]:
    record = inspections.start(world.inspector_a1, world.ent_a1)
    before = _files()
    link = inspections.add_photo(world.inspector_a1, record, upload)
    assert _files() == before + 1  # the original only
    return link.photo, record


def _bottom(image: Image.Image) -> float:
    strip = image.crop((image.width // 2, image.height - 8, image.width, image.height))
    return ImageStat.Stat(strip.convert("L")).mean[0]


def test_the_first_view_makes_both_copies_watermarked(make_client, world, db):
    photo, record = _photo(world)
    assert photo.display_id is None and photo.thumb_id is None
    assert record.number in photo.watermark and f"{clock.day_of(record.started_at):%Y-%m-%d} " in photo.watermark
    before = _files()
    client = logged_in(make_client(), "insp_a1")
    thumb = client.get(f"/photos/{photo.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) == photos.THUMB_SIDE
    assert _files() == before + 2
    display = Image.open(io.BytesIO(client.get(f"/photos/{photo.id}/display").data))
    assert max(display.size) == photos.DISPLAY_SIDE
    # The watermark's dark band, where the same picture without one is plain red.
    plain = Image.open(io.BytesIO(photos.process(UPLOAD).display))
    assert _bottom(display) < _bottom(plain) - 20
    for _ in range(2):
        assert client.get(f"/photos/{photo.id}/display").status_code == 200
    assert _files() == before + 2
    db.session.expire_all()
    stored = db.session.get(Photo, photo.id)
    assert stored.display_id and stored.thumb_id
    assert audit.verify().ok


def test_first_views_at_once_store_the_copies_once(app, make_client, world, db, monkeypatch):
    """Six requests for both copies of a new photo at the same moment (a record page's
    thumbnails and a lightbox, on several devices): all are served the same bytes; two files
    are stored."""
    photo, _ = _photo(world)
    photo_id, before = photo.id, _files()
    clients = [logged_in(make_client(), "insp_a1") for _ in range(6)]  # a draft: its author's devices
    start, made = threading.Barrier(len(clients)), threading.Barrier(len(clients), timeout=20)
    render = photos._render

    def render_then_wait(*args):
        # Every request has made its copies before any stores them: all race to the same rows.
        result = render(*args)
        made.wait()
        return result

    monkeypatch.setattr(photos, "_render", render_then_wait)
    answers: list[tuple[str, int, bytes]] = []
    errors: list[str] = []

    def view(client, variant: str) -> None:
        with app.app_context():  # the suite's client expires this thread's session afterwards
            try:
                start.wait()
                response = client.get(f"/photos/{photo_id}/{variant}")
                answers.append((variant, response.status_code, response.data))
            except Exception:  # noqa: BLE001 - reported below
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=view, args=(c, "display" if i % 2 else "thumb")) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    assert sorted(status for _, status, _ in answers) == [200] * len(clients)
    for variant in ("display", "thumb"):
        assert len({data for v, _, data in answers if v == variant}) == 1, variant
    db.session.expire_all()
    assert _files() == before + 2
    assert audit.verify().ok


def test_the_cron_command_makes_pending_copies_once(app, world, db):
    first, _ = _photo(world)
    second, _ = _photo(world, jpeg(800, 600, color=(40, 160, 90)))
    photos.rendition(first, "display")  # viewed already
    before = _files()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fieldapp", "render-photos"])
    assert result.exit_code == 0 and "1 photos rendered" in result.output
    assert _files() == before + 2
    db.session.expire_all()
    assert db.session.get(Photo, second.id).thumb_id is not None
    again = runner.invoke(args=["fieldapp", "render-photos"])
    assert again.exit_code == 0 and "0 photos rendered" in again.output and _files() == before + 2
    assert audit.verify().ok


def test_a_photo_whose_file_is_missing_is_a_404_not_an_error(make_client, world, db, app):
    """A database restored without its media folder, say: the copies cannot be made; the
    answer is "not found", as for the original."""
    photo, _ = _photo(world)
    path = storage.current().path(photo.original.sha256)
    path.unlink()
    client = logged_in(make_client(), "insp_a1")
    for variant in ("thumb", "display", "original"):
        assert client.get(f"/photos/{photo.id}/{variant}").status_code == 404


def test_two_photos_of_one_picture_viewed_at_once_share_their_copies(app, make_client, world, db, monkeypatch):
    """The same picture attached twice (a rectification's progress and its submission, say) is
    two photos whose copies are the same bytes, hence the same stored files. Their first views
    at the same moment (one page shows both) race to store them: every request is served, and
    the files are stored once."""
    from tests.factories import confirm_values, report

    hazard = report(world)
    hazards.confirm(world.officer_a, hazard, confirm_values())
    hazards.acknowledge(world.company_a1, hazard)
    hazards.progress(world.company_a1, hazard, "已清理一半", [(UPLOAD, "现场.jpg")])
    hazards.submit(world.company_a1, hazard, "已清理", [(UPLOAD, "现场.jpg")])
    first, second = (event.photos[0] for event in hazard.events[-2:])
    assert second.id != first.id and second.original_id == first.original_id and second.watermark == first.watermark
    ids, before = (first.id, second.id), _files()
    clients = [logged_in(make_client(), "officer_a") for _ in range(4)]
    start, made = threading.Barrier(len(clients)), threading.Barrier(len(clients), timeout=20)
    render = photos._render

    def render_then_wait(*args):
        result = render(*args)
        made.wait()  # both photos' copies made before either is stored
        return result

    monkeypatch.setattr(photos, "_render", render_then_wait)
    statuses: list[int] = []
    errors: list[str] = []

    def view(client, photo_id: int) -> None:
        with app.app_context():
            try:
                start.wait()
                statuses.append(client.get(f"/photos/{photo_id}/thumb").status_code)
            except Exception:  # noqa: BLE001 - reported below
                errors.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=view, args=(c, ids[i % 2])) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, "\n".join(errors)
    assert statuses == [200] * len(clients)
    db.session.expire_all()
    assert _files() == before + 2
    stored = [db.session.get(Photo, i) for i in ids]
    assert stored[0].thumb_id == stored[1].thumb_id and stored[0].display_id == stored[1].display_id
    assert audit.verify().ok
