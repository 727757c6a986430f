"""A clue's whole life in real phones: someone scans the QR code on a grid's poster (decoded
from Chromium's own rendering), sends a clue with a photo, keeps the tracking code; the
officer sees it, handles and answers it; the sender reads the answer with the code."""

from __future__ import annotations

import re
from io import BytesIO

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.session import log_in
from tests.images import jpeg


def test_clue_from_a_poster_to_an_answer(browser, browser_context_args, base_url, accounts, artifacts, tmp_path):
    grid = accounts["inspector"]["grid"]
    desk = browser.new_context(
        **{
            **browser_context_args,
            "viewport": {"width": 1024, "height": 1400},
            "is_mobile": False,
            "device_scale_factor": 1,
        }
    ).new_page()  # the office PC that prints
    desk.goto(f"{base_url}/board/{grid['code']}/poster")
    expect(desk.locator("h1")).to_have_text("安全生产网格员公示")
    expect(desk.locator(".people")).to_contain_text(accounts["inspector"]["display_name"])
    desk.screenshot(path=str(artifacts / "board-poster.png"), full_page=True)
    shot = desk.locator("#qr-clue").screenshot()
    found = zxingcpp.read_barcodes(Image.open(BytesIO(shot)).convert("L"))
    assert [r.text for r in found] == [f"{base_url}/clues/new?grid={grid['code']}"]

    public = browser.new_context(**browser_context_args).new_page()
    public.goto(found[0].text)
    expect(public.locator(".hint").first).to_contain_text(grid["name"])
    assert public.evaluate("document.scrollingElement.scrollWidth") <= 360  # one-handed on a 360 px phone
    public.get_by_label("类别").select_option("hazard")
    public.get_by_label("情况说明").fill("仓库门口堆满纸箱，消防通道被堵住，晚上还有人在里面抽烟。")
    public.get_by_label("地点（可选）").fill("工业园 3 号路东侧仓库")
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg(2400, 1800))
    public.locator("input[name=photos]").set_input_files(str(photo))
    public.wait_for_timeout(3100)  # a person takes a few seconds; a script posting at once is refused
    public.get_by_role("button", name="提交").click()
    expect(public.locator("h1")).to_have_text("已收到，谢谢您")
    code = public.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"XS-\w{5}-\w{5}", code)
    public.screenshot(path=str(artifacts / "clue-receipt.png"), full_page=True)

    officer = browser.new_context(**browser_context_args).new_page()
    log_in(officer, base_url, "officer", accounts["officer"]["password"])
    expect(officer.locator("[data-stat=clues_open]")).not_to_have_text("0")
    officer.goto(f"{base_url}/clues/")
    officer.locator("#clue-list a", has_text=code).click()
    expect(officer.locator("#clue-state")).to_have_text("待分办")
    expect(officer.locator(".thumbs img")).to_have_count(1)
    officer.locator("#act-answer summary").click()
    officer.get_by_role("button", name="答复并办结").click()
    expect(officer.locator("#act-answer .error")).to_contain_text("请填写答复内容")
    officer.get_by_label("答复内容（提交人凭编号可见）").fill(
        "已安排网格员现场核查，责令企业清理通道并加强管理。谢谢您的监督。"
    )
    officer.get_by_role("button", name="答复并办结").click()
    expect(officer.locator("#clue-state")).to_have_text("已答复")

    public.goto(f"{base_url}/clues/track")
    public.get_by_label("查询编号").fill(code.lower().replace("-", " "))
    public.get_by_role("button", name="查询").click()
    expect(public.locator("#clue-state")).to_have_text("已答复")
    expect(public.locator("#clue-answer")).to_contain_text("责令企业清理通道")
    public.get_by_label("查询编号").fill("XS-00000-00000")
    public.get_by_role("button", name="查询").click()
    expect(public.locator("#e-code")).to_contain_text("没有找到该编号的线索")
    # The poster still reads on a phone (the board's link is shared too): nothing runs off the page.
    public.goto(f"{base_url}/board/{grid['code']}/poster")
    assert public.evaluate("document.scrollingElement.scrollWidth") <= 360
    for page in (desk, public, officer):
        page.context.close()
