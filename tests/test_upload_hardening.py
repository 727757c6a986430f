"""Upload hardening (issue 10): a corpus of hostile files through every route that takes a photo
or attachment. Each is refused with a 4xx and a message in Chinese, what was typed is kept,
nothing is stored (no row, no file); files that are real pictures carrying something extra
(huge or odd EXIF, HTML after the image data) are taken only as re-encoded copies and served as
images that browsers must not sniff."""

import hashlib
import io
import struct
import uuid
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from fieldapp.db import db
from fieldapp.models import MediaFile, Photo
from fieldapp.services import hazards, inspections, photos
from tests.factories import GOOD_CLUE, clue_form, complete, confirm_values, interference_values, report
from tests.helpers import csrf_token, logged_in
from tests.images import jpeg, noisy_jpeg


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png(width: int, height: int, idat: bytes = zlib.compress(b"\x00" * 100)) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def _jpeg_claiming(width: int, height: int) -> bytes:
    real = jpeg(16, 16)
    at = real.index(b"\xff\xc0") + 5
    return real[:at] + struct.pack(">HH", height, width) + real[at + 4 :]


def _png_bad_crc() -> bytes:
    good = _png(8, 8, zlib.compress(b"\x00" + b"\x10" * 24 * 8))
    return good[:29] + b"\x00\x00\x00\x00" + good[33:]  # IHDR's CRC zeroed


#: name -> (bytes, file name): every one must be refused
HOSTILE = {
    "empty": (b"", "empty.jpg"),
    "html renamed .jpg": (b"<html><body><script>alert(document.cookie)</script></body></html>", "photo.jpg"),
    "svg with script": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script></svg>",
        "photo.svg",
    ),
    "truncated jpeg": (noisy_jpeg(800, 600)[:5000], "cut.jpg"),
    "corrupt png (bad CRC)": (_png_bad_crc(), "bad.png"),
    "png decompression bomb": (_png(40000, 40000), "bomb.png"),
    "jpeg claiming 200 MP": (_jpeg_claiming(16330, 12250), "bomb.jpg"),
    "gif": (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        "anim.gif",
    ),
    "over 25 MB": (b"\xff\xd8\xff\xe0" + b"\x00" * (photos.MAX_BYTES + 1), "huge.jpg"),
}


#: what each refusal says (the photo pipeline's words, whichever form shows them)
SAYS = {
    "empty": "文件是空的",
    "html renamed .jpg": "这不是照片",
    "svg with script": "这不是照片",
    "truncated jpeg": "照片不完整或已损坏",
    "corrupt png (bad CRC)": "无法识别为图片",
    "png decompression bomb": "图片像素过多",
    "jpeg claiming 200 MP": "图片像素过多",
    "gif": "只接受 JPEG、PNG 或 WebP",
    "over 25 MB": "照片超过 25 MB",
}


def _exif_heavy() -> bytes:
    """A real photo with a 60 KB EXIF comment and nonsense GPS (degrees as huge rationals)."""
    image = Image.new("RGB", (640, 480), (90, 120, 150))
    exif = Image.Exif()
    exif[0x010E] = "A" * 60000  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (10**9, 1, 0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


#: name -> bytes: real pictures with something extra; taken, never served as anything but images
TOLERATED = {
    "jpeg + appended html (polyglot)": jpeg(640, 480) + b"<html><script>alert(1)</script></html>",
    "huge and odd EXIF": _exif_heavy(),
}


# --- the upload routes: (username, setup(world) -> (path, form fields, file field, typed text)) ------


def _draft(world):
    return inspections.start(world.inspector_a1, world.ent_a1)


def _inspection_photos(world):
    i = _draft(world)
    return f"/inspections/{i.id}/photos", {"caption": "仓库东侧"}, "photos", None


def _hazard_report(world):
    i = _draft(world)
    complete(i, world.inspector_a1)
    return (
        f"/inspections/{i.id}/hazards/new",
        {"description": "消防通道被货物堵死", "level": "general"},
        "photos",
        "消防通道被货物堵死",
    )


def _refusal(world):
    i = _draft(world)
    complete(i, world.inspector_a1)
    return (
        f"/inspections/{i.id}/refuse",
        {"signer_name": "张厂长", "refusal_reason": "不认可检查结论"},
        "photo",
        "不认可检查结论",
    )


def _confirmed(world):
    h = report(world)
    hazards.confirm(world.officer_a, h, confirm_values())
    return h


def _rectification(world):
    h = _confirmed(world)
    hazards.acknowledge(world.company_a1, h)
    return (
        f"/hazards/{h.id}/submit",
        {"description": "已清理通道并设置标识", "version": h.version},
        "photos",
        "已清理通道并设置标识",
    )


def _progress(world):
    h = _confirmed(world)
    hazards.acknowledge(world.company_a1, h)
    return f"/hazards/{h.id}/progress", {"note": "正在调运叉车清理", "version": h.version}, "photos", "正在调运叉车清理"


def _recheck(world):
    h = _confirmed(world)
    hazards.acknowledge(world.company_a1, h)
    hazards.submit(world.company_a1, h, "已整改", [(jpeg(), "after.jpg")])
    return (
        f"/hazards/{h.id}/recheck_pass",
        {"note": "现场复查通道畅通", "version": h.version},
        "photos",
        "现场复查通道畅通",
    )


def _interference(world):
    return "/interference/new", interference_values(), "files", "要求对某企业的隐患从轻处理"


def _portrait(world):
    return (
        f"/admin/users/{world.inspector_a1.id}/public-profile",
        {"duties": "负责甲镇一网格日常巡查"},
        "portrait",
        "负责甲镇一网格日常巡查",
    )


def _clue(world):
    return "/clues/new", GOOD_CLUE | {"org_unit_id": str(world.town_a.id)}, "photos", GOOD_CLUE["content"]


ROUTES = {
    "inspection photos": ("insp_a1", _inspection_photos),
    "hazard report": ("insp_a1", _hazard_report),
    "refusal to sign": ("insp_a1", _refusal),
    "rectification": ("company_a1", _rectification),
    "rectification progress": ("company_a1", _progress),
    "re-check": ("insp_a1", _recheck),
    "interference record": ("officer_a", _interference),
    "notice-board portrait": ("admin_d", _portrait),
    "public clue": (None, _clue),
}


def _files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {p.name for p in root.rglob("*") if p.is_file()}


def _post(app, make_client, world, route: str, data: bytes, name: str):
    username, setup = ROUTES[route]
    path, fields, field, typed = setup(world)
    client = logged_in(make_client(), username) if username else make_client()
    if route == "public clue":
        body = clue_form(client) | fields
    else:
        token_page = (
            path
            if route in ("hazard report", "refusal to sign", "interference record")
            else path.rsplit("/", 1)[0]
            if "/hazards/" in path
            else "/"
        )
        if route == "notice-board portrait":
            token_page = f"/admin/users/{world.inspector_a1.id}"
        body = {"csrf_token": csrf_token(client, token_page), **fields}
    body[field] = (io.BytesIO(data), name)
    before_rows, before_files = db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)), _files(app)
    response = client.post(path, data=body, content_type="multipart/form-data")
    return response, typed, before_rows, before_files


@pytest.fixture
def quick(app, monkeypatch):
    """No minimum fill time for the clue form, and no per-address limit on this many tries."""
    monkeypatch.setitem(app.config, "CLUE_MIN_FILL_SECONDS", 0)
    monkeypatch.setitem(app.config, "CLUE_PUBLIC_LIMIT", 1000)


@pytest.mark.parametrize("route", list(ROUTES))
def test_hostile_files_are_refused_everywhere(app, make_client, world, route, quick):
    for name, (data, filename) in HOSTILE.items():
        db.session.rollback()
        response, typed, rows, files = _post(app, make_client, world, route, data, filename)
        html = response.get_data(as_text=True)
        assert 400 <= response.status_code < 500, (route, name, response.status_code)
        assert SAYS[name] in html, (route, name, response.status_code)  # the reason, in Chinese
        if typed:
            assert typed in html, (route, name)  # what was typed is still there
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)) == rows, (route, name)
        assert _files(app) == files, (route, name)


def test_hostile_media_through_the_sync_api(app, make_client, world):
    client = logged_in(make_client(), "insp_a1")
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    for name, (data, filename) in HOSTILE.items():
        kind = "image/png" if filename.endswith(".png") else "image/jpeg"
        rows, files = db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)), _files(app)
        response = client.put(
            f"/api/v1/media/{uuid.uuid4()}",
            data=data,
            headers={"X-CSRFToken": token, "Content-Type": kind, "X-Content-SHA256": hashlib.sha256(data).hexdigest()},
        )
        assert 400 <= response.status_code < 500, (name, response.status_code)
        body = response.get_json()
        assert body and any("\u4e00" <= ch <= "\u9fff" for ch in str(body)), (name, body)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaFile)) == rows, name
        assert _files(app) == files, name


@pytest.mark.parametrize("name", list(TOLERATED))
def test_pictures_with_extras_are_served_only_as_clean_images(app, make_client, world, name):
    inspection = _draft(world)
    client = logged_in(make_client(), "insp_a1")
    path = f"/inspections/{inspection.id}"
    response = client.post(
        f"{path}/photos",
        data={"csrf_token": csrf_token(client, path), "photos": (io.BytesIO(TOLERATED[name]), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photo = db.session.scalars(sa.select(Photo)).one()
    for variant in ("display", "thumb"):
        served = client.get(f"/photos/{photo.id}/{variant}")
        assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<script" not in served.data and len(served.data) < 400_000
        Image.open(io.BytesIO(served.data)).verify()
