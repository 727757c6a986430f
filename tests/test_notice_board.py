"""The public notice board of each grid (seed 002 art. 13) and its printable poster, whose QR
codes are decoded here by an independent reader."""

import base64
import re
from io import BytesIO

import zxingcpp
from PIL import Image

from fieldapp import roles
from fieldapp.db import db
from fieldapp.models import Portrait
from tests.helpers import logged_in, post
from tests.images import jpeg


def _decode_all(html: str) -> dict[str, str]:
    found = {}
    for element_id, data in re.findall(r'id="(qr-\w+)" src="data:image/png;base64,([^"]+)"', html):
        image = Image.open(BytesIO(base64.b64decode(data))).convert("L")
        results = zxingcpp.read_barcodes(image)
        assert len(results) == 1, element_id
        found[element_id] = results[0].text
    return found


def test_board_is_public_and_shows_only_the_grids_active_inspectors(world, factory, client):
    world.inspector_a1.work_id = "320506-2026-0001"
    world.inspector_a1.duties = "负责甲镇一网格内企业的日常巡查"
    db.session.commit()
    gone = factory.user(roles.GRID_INSPECTOR, grids=[world.grid_a1], username="gone", active=False)
    r = client.get(f"/board/{world.grid_a1.code}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert world.inspector_a1.display_name in html and "320506-2026-0001" in html and "13912345601" in html
    assert "负责甲镇一网格内企业的日常巡查" in html
    assert world.inspector_b1.display_name not in html and gone.display_name not in html
    assert world.officer_a.display_name not in html
    assert f"/clues/new?grid={world.grid_a1.code}" in html
    assert client.get("/board/NO-SUCH-GRID").status_code == 404


def test_portraits_are_set_by_admins_and_public_only_on_the_board(world, make_client):
    admin = logged_in(make_client(), "admin_d")
    path = f"/admin/users/{world.inspector_a1.id}"
    r = post(
        admin,
        f"{path}/public-profile",
        {"duties": "巡查", "portrait": (BytesIO(b"not a photo"), "me.jpg")},
        path,
        content_type="multipart/form-data",
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "无法识别为图片" in html and ">巡查<" in html
    r = post(
        admin,
        f"{path}/public-profile",
        {"duties": "网格巡查、隐患上报", "portrait": (BytesIO(jpeg(300, 400)), "me.jpg")},
        path,
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert db.session.get(Portrait, world.inspector_a1.id) is not None
    public = make_client()
    got = public.get(f"/board/{world.grid_a1.code}/people/{world.inspector_a1.id}.jpg")
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert Image.open(BytesIO(got.data)).size[1] <= 320
    # Not through another grid's board, and not for someone who is on no board.
    assert public.get(f"/board/{world.grid_b1.code}/people/{world.inspector_a1.id}.jpg").status_code == 404
    assert public.get(f"/board/{world.grid_a1.code}/people/{world.officer_a.id}.jpg").status_code == 404
    r = post(admin, f"{path}/public-profile", {"duties": "长" * 501}, path)
    assert r.status_code == 400 and "500" in r.get_data(as_text=True)
    outsider = logged_in(make_client(), "admin_a")
    assert (
        post(
            outsider, f"/admin/users/{world.inspector_b1.id}/public-profile", {"duties": "x"}, "/admin/users"
        ).status_code
        == 404
    )


def test_poster_qr_codes_decode_to_the_board_and_the_clue_form(world, app, client, monkeypatch):
    html = client.get(f"/board/{world.grid_a1.code}/poster").get_data(as_text=True)
    codes = _decode_all(html)
    assert codes == {
        "qr-board": f"http://localhost/board/{world.grid_a1.code}",
        "qr-clue": f"http://localhost/clues/new?grid={world.grid_a1.code}",
    }
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://aq.example.gov.cn/")
    codes = _decode_all(client.get(f"/board/{world.grid_a1.code}/poster").get_data(as_text=True))
    assert codes["qr-board"] == f"https://aq.example.gov.cn/board/{world.grid_a1.code}"
    # The decoded link leads to a clue form addressed to this grid.
    form = client.get(codes["qr-clue"].replace("https://aq.example.gov.cn", ""))
    assert form.status_code == 200 and world.grid_a1.name in form.get_data(as_text=True)
