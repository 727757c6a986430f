"""A whole inspection on a 360 px phone: start, photos, a failed item, a hazard, the signature."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.capture import draw_signature
from tests.browser.session import log_in
from tests.images import jpeg, noisy_jpeg


def start_on_server(page: Page) -> None:
    """Start with the server's form (the path without the phone's outbox, e.g. no JavaScript
    storage); with the outbox, the same button opens the phone's form (test_offline)."""
    button = page.get_by_role("button", name="开始现场检查")
    button.evaluate("b => b.form.removeAttribute('data-capture-start')")
    button.click()


def test_inspection_from_start_to_signature(page: Page, base_url, accounts, artifacts, console_errors):
    company = accounts["company"]["enterprise"]
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    page.goto(f"{base_url}/enterprises/{company['id']}")
    start_on_server(page)
    expect(page.locator("h1")).to_have_text("现场检查")

    page.get_by_label("已向现场负责人出示工作证").check()
    page.get_by_label("工作证号").fill("WZ2026001")
    page.get_by_label("检查部位").fill("喷漆车间、危化品仓库、配电房")
    page.get_by_label("检查内容", exact=True).fill("安全管理、消防、用电、危化品")
    page.locator("#checklist input[value=pass]").evaluate_all("els => els.forEach(e => e.click())")
    first = page.locator("#checklist .check-item").first
    first.get_by_text("不合格", exact=True).click()
    first.locator("textarea").fill("安全生产责任制未覆盖新入职员工")
    page.get_by_label("检查情况").fill("责任制不全；其余合格")
    page.get_by_label("处理措施").fill("责令一周内补充完善")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已保存")

    # Two photos: a big one (downscaled on the phone before upload) and a small one.
    page.locator("#photos input[type=file]").first.set_input_files(
        files=[
            {"name": "big.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg(3000, 2000)},
            {"name": "small.jpg", "mimeType": "image/jpeg", "buffer": jpeg(400, 300)},
        ]
    )
    # The phone shrinks a 6 MP photo before sending it: seconds on a slow phone (or a busy CI machine).
    expect(page.get_by_role("status")).to_contain_text("已添加 2 张照片", timeout=20000)
    expect(page.locator("#photos .photo img")).to_have_count(2)

    page.locator("#checklist .check-item").first.get_by_role("link", name="上报隐患").click()
    expect(page.locator("h1")).to_have_text("上报隐患")
    page.get_by_label("隐患描述").fill("安全生产责任制未覆盖新入职员工")
    page.get_by_label("部位").fill("人事与安全管理")
    page.get_by_label("建议等级（由执法人员确认）").select_option("general")
    page.locator("input[name=photos]").set_input_files(
        files=[{"name": "evidence.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600, color=(90, 90, 20))}]
    )
    page.get_by_role("button", name="上报隐患").click()
    expect(page.get_by_role("status")).to_contain_text("隐患已上报")
    expect(page.locator("#hazards")).to_contain_text("人事与安全管理")

    page.get_by_role("button", name="保存并签字").click()
    expect(page.locator("h1")).to_have_text("现场负责人签字")
    summary = page.locator("#summary").inner_text()
    assert "不合格项：1 项" in summary and "上报隐患：1 项" in summary
    page.get_by_label("现场负责人意见").fill("同意，按期整改")
    page.get_by_label("现场负责人姓名").fill("朱春生")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # An empty pad is refused by the server with a message; the name typed is kept.
    page.get_by_role("button", name="确认签字并定稿").click()
    expect(page.locator("#sign-error")).to_contain_text("请在签名框内签字")
    expect(page.get_by_label("现场负责人姓名")).to_have_value("朱春生")
    assert console_errors == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    console_errors.clear()

    pad = page.locator("#signature-pad")
    box = draw_signature(page)
    page.mouse.move(box["x"] + 60, box["y"] + box["height"] * 0.8)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + box["height"] * 0.75, steps=10)
    page.mouse.up()
    pad.screenshot(path=str(artifacts / "signature.png"))
    page.get_by_role("button", name="确认签字并定稿").click()

    expect(page.get_by_role("status")).to_contain_text("现场负责人已签字")
    expect(page.locator("#signature")).to_contain_text("校验一致")
    assert page.locator("#summary-hash").inner_text() == hashlib.sha256(summary.encode()).hexdigest()
    content_hash = page.locator("#content-hash").inner_text()
    assert len(content_hash) == 64
    page.screenshot(path=str(artifacts / "inspection-record.png"), full_page=True)

    signature_url = page.locator("img.signature").get_attribute("src")
    png = page.request.get(f"{base_url}{signature_url}").body()
    alpha = Image.open(io.BytesIO(png)).convert("RGBA").getchannel("A")
    ink = alpha.point(lambda a: 255 if a > 40 else 0)
    assert ink.getbbox() is not None and ink.histogram()[255] > 500

    # The big photo was downscaled on the phone: the stored original is at most 1600 px.
    original = page.locator("#photos .photo a").first.get_attribute("href").replace("/display", "/original")
    stored = Image.open(io.BytesIO(page.request.get(f"{base_url}{original}").body()))
    assert max(stored.size) <= 1600
    assert console_errors == []
    page.get_by_role("link", name="打印记录").click()
    expect(page.locator("h1")).to_have_text("安全生产现场检查记录")
    expect(page.locator("footer")).to_contain_text(content_hash)
    assert page.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml")
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts / "inspection-print.png"), full_page=True)


def test_signature_drawn_with_a_finger(page: Page, base_url, accounts):
    """Real touch input (CDP touch events, as a phone's touchscreen sends them), not a mouse:
    an empty PNG from a touchscreen is a known failure of such apps."""
    company = accounts["company2"]["enterprise"]
    log_in(page, base_url, "inspector2", accounts["inspector2"]["password"])
    page.goto(f"{base_url}/enterprises/{company['id']}")
    start_on_server(page)
    page.get_by_label("已向现场负责人出示工作证").check()
    page.get_by_label("工作证号").fill("WZ2026002")
    page.get_by_label("检查部位").fill("生产车间")
    page.locator("#checklist input[value=pass]").evaluate_all("els => els.forEach(e => e.click())")
    page.get_by_label("检查情况").fill("未发现问题")
    page.get_by_label("处理措施").fill("无")
    page.get_by_role("button", name="保存并签字").click()
    page.get_by_label("现场负责人姓名").fill("顾玉兰")

    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    cdp = page.context.new_cdp_session(page)
    x0, y0 = box["x"] + 25, box["y"] + box["height"] / 2
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, 30):
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": "touchMove", "touchPoints": [{"x": x0 + step * 9, "y": y0 + (25 if step % 4 < 2 else -25)}]},
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert page.locator("#signature").input_value().startswith("data:image/png;base64,")
    page.get_by_role("button", name="确认签字并定稿").click()

    expect(page.get_by_role("status")).to_contain_text("现场负责人已签字")
    signature_url = page.locator("img.signature").get_attribute("src")
    alpha = Image.open(io.BytesIO(page.request.get(f"{base_url}{signature_url}").body())).convert("RGBA")
    ink = alpha.getchannel("A").point(lambda a: 255 if a > 40 else 0)
    left, top, right, bottom = ink.getbbox()
    assert right - left > alpha.width * 0.5 and ink.histogram()[255] > 500
