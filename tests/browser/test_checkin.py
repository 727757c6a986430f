"""一企一码 on the phone (issue 34): the admin's A4 poster printed to PDF reads back with an
independent decoder (zxing-cpp); the app scans it from a camera (Chromium's fake capture device
playing the printed poster) without signal, and the inspection it opens keeps the scan — time,
token, position — which the server finds sound at sync. A rotated code and another enterprise's
code are flagged on the phone at once."""

from __future__ import annotations

import json
import re

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.capture import fill_and_sign
from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, _chromium
from tests.browser.session import controlled, log_in

ENTERPRISE = 9  # in the demo's 木渎镇第1网格 (the inspector's)


@pytest.fixture
def site(tmp_path, demo_instance):
    with LiveServer.copied(demo_instance, tmp_path / "instance").running() as live:
        yield live


def printed_poster(browser, site, browser_context_args) -> tuple[Image.Image, str]:
    """The admin's poster as Chromium prints it to PDF, rendered to pixels; and what its code says."""
    desk = browser.new_context(
        **{
            **browser_context_args,
            "viewport": {"width": 1024, "height": 1400},
            "is_mobile": False,
            "device_scale_factor": 1,
        }
    ).new_page()
    log_in(desk, site.base, "admin", site.accounts["admin"]["password"])
    desk.goto(f"{site.base}/enterprises/{ENTERPRISE}/code")
    expect(desk.locator("#qr-checkin")).to_be_visible()
    pdf = desk.pdf(format="A4", print_background=True)
    desk.context.close()
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 1  # one sheet for the gate
    page = document[0].render(scale=150 / 72).to_pil().convert("L")
    found = zxingcpp.read_barcodes(page)
    assert len(found) == 1, [r.text for r in found]
    return page, found[0]


def fake_camera(tmp_path, page: Image.Image, found) -> str:
    """A Y4M clip of the poster's code held up to a phone camera (640×480, a margin of the sheet)."""
    pos = found.position
    xs = [p.x for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    ys = [p.y for p in (pos.top_left, pos.top_right, pos.bottom_left, pos.bottom_right)]
    side = max(xs) - min(xs)
    box = (min(xs) - side // 3, min(ys) - side // 3, max(xs) + side // 3, max(ys) + side // 3)
    code = page.crop(box).convert("RGB")
    code.thumbnail((440, 440))
    frame = Image.new("RGB", (640, 480), (200, 200, 190))
    frame.paste(code, ((640 - code.width) // 2, (480 - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    planes = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    path = tmp_path / "poster.y4m"
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + planes)
    return str(path)


def phone_with_camera(playwright, browser_context_args, clip: str, geolocation: dict) -> Page:
    browser = playwright.chromium.launch(
        executable_path=_chromium(),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}",
        ],
    )
    context = browser.new_context(
        **browser_context_args, permissions=["camera", "geolocation"], geolocation=geolocation
    )
    return context.new_page()


def record_of(page: Page, uuid: str) -> dict:
    return page.evaluate(
        """(uuid) => window.fieldappStore.currentUser().then(uid => window.fieldappStore.open(uid))
             .then(db => window.fieldappStore.get(db, "records", uuid))""",
        uuid,
    )


def test_the_poster_printed_scanned_offline_and_proven_at_sync(
    site, browser, playwright, browser_context_args, tmp_path, artifacts
):
    sheet, found = printed_poster(browser, site, browser_context_args)
    token = found.text.rsplit("/q/", 1)[1]
    assert found.text == f"{site.base}/q/{token}" and token.startswith(f"{ENTERPRISE}.1.")
    sheet.save(artifacts / "checkin-poster.png")
    with site.db.connect() as conn:
        lat, lng, name = conn.execute(
            sa.text("SELECT latitude, longitude, name FROM enterprises WHERE id = :i"), {"i": ENTERPRISE}
        ).one()
    page = phone_with_camera(
        playwright,
        browser_context_args,
        fake_camera(tmp_path, sheet, found),
        {"latitude": lat + 0.0002, "longitude": lng, "accuracy": 20},
    )
    log_in(page, site.base, "inspector", site.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=15000)
    controlled(page)

    # No signal at the gate: 扫码签到 from the home page's plan card; the camera reads the poster.
    page.context.set_offline(True)
    page.goto(f"{site.base}/scan")
    expect(page).to_have_url(re.compile(r"/capture\?record="), timeout=20000)
    expect(page.locator("#c-enterprise")).to_have_text(name)
    expect(page.locator("#c-checkin")).to_have_attribute("data-state", "ok")
    expect(page.locator("#c-checkin-text")).to_contain_text("已扫码签到")
    uuid = page.url.split("record=")[1]
    # The scan takes the form's first fix, which a loaded machine may give a moment later.
    for _ in range(100):
        kept = record_of(page, uuid)
        if kept["checkin"]["position"]:
            break
        page.wait_for_timeout(100)
    assert kept["checkin"]["token"] == token and kept["checkin"]["warnings"] == []
    assert abs(kept["checkin"]["position"]["latitude"] - (lat + 0.0002)) < 1e-6  # the form's fix, seconds later
    page.screenshot(path=str(artifacts / "checkin-capture.png"))

    # Finished offline, sent when the signal is back: the server verified the code and the place.
    fill_and_sign(page, 3)
    page.context.set_offline(False)
    page.goto(f"{site.base}/outbox")
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=30000)
    with site.db.connect() as conn:
        stored = conn.execute(sa.text("SELECT id, checkin FROM inspections WHERE uuid = :u"), {"u": uuid}).one()
    scan = stored.checkin if isinstance(stored.checkin, dict) else json.loads(stored.checkin)
    assert scan["token"] == token and scan["flags"] == [] and scan["distance_m"] < 50
    page.goto(f"{site.base}/inspections/{stored.id}")
    expect(page.locator("#checkin")).to_contain_text("扫描企业码于")

    # The admin voids the poster (lost, copied): the phone, with the new pack, flags the old one at once.
    admin = browser.new_context(**browser_context_args).new_page()
    log_in(admin, site.base, "admin", site.accounts["admin"]["password"])
    admin.goto(f"{site.base}/enterprises/{ENTERPRISE}/code")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="作废旧码，生成新码").click()
    expect(admin.locator(".flash")).to_contain_text("第 2 版")
    admin.context.close()
    page.goto(f"{site.base}/")
    page.evaluate("window.fieldappPack.refresh()")
    page.goto(f"{site.base}/scan")
    expect(page).to_have_url(re.compile(r"/capture\?record="), timeout=20000)
    expect(page.locator("#c-checkin")).to_have_attribute("data-state", "warn")
    expect(page.locator("#c-checkin-text")).to_contain_text("扫描的是已作废的旧二维码")

    # From another enterprise's record, 扫码签到 reads this poster: flagged as another enterprise's.
    page.goto(f"{site.base}/capture?enterprise=12")
    expect(page.locator("#c-checkin-text")).to_have_text("未扫码签到")
    page.locator("#c-checkin-scan").click()
    expect(page).to_have_url(re.compile(r"/capture\?record="), timeout=20000)
    expect(page.locator("#c-enterprise")).not_to_have_text(name)
    expect(page.locator("#c-checkin-text")).to_contain_text("扫描的是另一家企业的二维码")
    page.context.browser.close()


def test_without_a_camera_the_credit_code_opens_the_enterprise(site, browser, browser_context_args):
    """Camera refused: the page says so and the typed credit code opens the inspection (no scan kept)."""
    context = browser.new_context(**browser_context_args)  # no camera permission granted
    page = context.new_page()
    log_in(page, site.base, "inspector", site.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=15000)
    with site.db.connect() as conn:
        uscc = conn.execute(sa.text("SELECT uscc FROM enterprises WHERE id = :i"), {"i": ENTERPRISE}).scalar()
    page.goto(f"{site.base}/scan")
    expect(page.locator("#scan-status")).to_contain_text("输入统一社会信用代码", timeout=15000)
    page.get_by_role("button", name="打开这家企业").click()
    expect(page.locator("#scan-uscc-error")).to_have_text("请输入统一社会信用代码。")
    page.locator("#scan-uscc").fill("91320500MA1XXXXXXX")
    page.get_by_role("button", name="打开这家企业").click()
    expect(page.locator("#scan-uscc-error")).to_contain_text("没有这个信用代码")
    page.locator("#scan-uscc").fill(uscc.lower())
    page.get_by_role("button", name="打开这家企业").click()
    expect(page.locator("#c-checkin-text")).to_have_text("未扫码签到", timeout=15000)
    context.close()
