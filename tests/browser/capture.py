"""Driving the phone's capture form as an inspector does: shared by the browser tests and by
bench/patrol.py, which counts the actions. Every step goes through ``Actions``, so the count is
what a person does (a tap, text filled in, a photo given to the camera chooser, a signature
drawn) and nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, expect

from tests.images import jpeg, noisy_jpeg


@dataclass
class Actions:
    """A page, and the count of what a person did on it, by kind."""

    page: Page
    counts: dict[str, int] = field(default_factory=lambda: {"tap": 0, "fill": 0, "upload": 0, "draw": 0})
    log: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def _count(self, kind: str, what: str) -> None:
        self.counts[kind] += 1
        self.log.append(f"{kind}: {what}")

    def tap(self, target: Locator | str, what: str = "") -> None:
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator.click()
        self._count("tap", what or str(target))

    def fill(self, target: Locator | str, text: str, what: str = "") -> None:
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator.fill(text)
        self._count("fill", what or str(target))

    def photo(self, button: Locator | str, files: list[dict], what: str = "photo") -> None:
        """Tap the camera button, then give the picture(s) to the chooser: two actions."""
        locator = self.page.locator(button) if isinstance(button, str) else button
        with self.page.expect_file_chooser() as chooser:
            locator.click()
        self._count("tap", f"camera {what}")
        chooser.value.set_files(files)
        self._count("upload", what)

    def draw(self, what: str = "signature") -> None:
        draw_signature(self.page)
        self._count("draw", what)


def draw_signature(page: Page) -> dict:
    """A zig-zag stroke across the pad with the mouse; returns the pad's box for more strokes."""
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 40):
        page.mouse.move(box["x"] + 30 + step * 7, box["y"] + box["height"] * (0.6 - 0.3 * ((step % 6) / 5)), steps=2)
    page.mouse.up()
    return box


def photo_files(seed: int) -> list[dict]:
    return [
        {"name": f"p{seed}-1.jpg", "mimeType": "image/jpeg", "buffer": noisy_jpeg(2400, 1800)},
        {"name": f"p{seed}-2.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600, color=(seed * 40, 90, 20))},
        {"name": f"p{seed}-3.jpg", "mimeType": "image/jpeg", "buffer": jpeg(640, 480, color=(20, seed * 40, 90))},
    ]


def one_photo(seed: int) -> list[dict]:
    return [
        {"name": f"s{seed}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(900, 700, color=(seed * 23 % 256, 60, 120))}
    ]


def item(page: Page, index: int) -> Locator:
    """The index-th checklist item, counted from 0 over the whole list."""
    return page.locator("#c-sections .check-item").nth(index)


def set_field(page: Page, name: str, text: str) -> None:
    """A field of the form, opened first if it shows as one line (filled in already)."""
    box = page.locator(f"#w-{name}")
    if "is-compact" in (box.get_attribute("class") or ""):
        box.locator("[data-edit]").click()
    page.locator(f"#f-{name}").fill(text)


def start_from_offline_list(page: Page, enterprise_name: str) -> None:
    page.locator("#offline-patrol li", has_text=enterprise_name).get_by_role("link", name="开始检查").click()
    expect(page.locator("#c-enterprise")).to_have_text(enterprise_name)


def report_hazard(page: Page, description: str, place: str, level: str, photo_index: int) -> None:
    """A hazard not tied to an item, with one of the record's photos as its evidence."""
    page.locator("#c-hazard-new").click()
    page.locator("#f-description").fill(description)
    page.locator("#f-place").fill(place)
    page.locator("#hazard-panel").get_by_text("一般隐患" if level == "general" else "重大事故隐患", exact=True).click()
    page.locator("#h-photos input[type=checkbox]").nth(photo_index).check()
    page.get_by_role("button", name="保存隐患").click()


def fill_and_sign(page: Page, seed: int) -> None:
    """A full record: two items failed with notes, three photos, two hazards, the signature."""
    page.locator("#f-id_shown").check()
    set_field(page, "work_id_number", f"WZ20260{seed}")
    set_field(page, "parts", "喷漆车间、危化品仓库")
    set_field(page, "content", "安全管理、消防、用电")
    for index, note in ((0, "安全生产责任制未覆盖新员工"), (2, "灭火器过期")):
        item(page, index).get_by_text("不合格", exact=True).click()
        item(page, index).locator("textarea").fill(note)
    page.get_by_role("button", name="其余全部合格").click()
    page.locator("#c-photo-input").set_input_files(files=photo_files(seed))
    expect(page.locator("#c-photos .photo-entry img")).to_have_count(3, timeout=20000)  # shrunk on the phone first
    for index, (place, level) in enumerate((("人事与安全管理", "general"), ("危化品仓库", "major"))):
        report_hazard(page, f"隐患{index + 1}：{place}存在问题", place, level, index)
        expect(page.locator("#c-hazard-count")).to_have_text(f"（{index + 1}）")
    page.locator("#f-findings").fill("责任制不全，灭火器过期")
    page.locator("#f-measures").fill("责令限期整改，已上报执法人员")
    expect(page.locator("#missing li")).to_have_count(0)
    page.locator("#bar-finish").click()
    summary = page.locator("#summary").inner_text()
    assert "不合格项：2 项" in summary and "上报隐患：2 项" in summary and "[重大] 危化品仓库" in summary
    page.locator("#f-signer_name").fill("朱春生")
    draw_signature(page)
    page.get_by_role("button", name="确认签字并定稿").click()
    expect(page.locator("#c-done")).to_be_visible()


def start_from_patrol(act: Actions, enterprise_name: str) -> None:
    """开始检查 on the patrol list: the phone's form opens for that enterprise (it is in the pack)."""
    row = act.page.locator("li", has=act.page.get_by_text(enterprise_name, exact=True))
    act.tap(row.get_by_role("button", name="开始检查").first, "开始检查")
    expect(act.page.locator("#c-enterprise")).to_have_text(enterprise_name, timeout=15000)


def form_screens(page: Page) -> float:
    """How many screens tall the capture form is (the page's height over the window's)."""
    return page.evaluate("document.documentElement.scrollHeight / window.innerHeight")


def clean_visit(act: Actions, photos: int = 2, on_answered=None) -> None:
    """A visit that finds nothing, from the open form to the signature, as few actions as it takes:
    the declaration, the rest of the list 合格, the findings phrase, the photos, the signature.
    ``on_answered`` is called once every item is answered (to measure the form then)."""
    page = act.page
    act.tap("#l-id_shown", "出示证件")
    act.tap("#c-all-pass", "其余全部合格")
    act.tap(page.locator("#p-findings .phrase").first, "未发现问题")
    _photos(act, photos, before=0)
    _sign(act, on_answered)


def _photos(act: Actions, count: int, before: int) -> None:
    """``count`` photos, one at a time as a camera takes them, after ``before`` already there."""
    for n in range(count):
        act.photo("#l-photo-input", one_photo(n), f"photo {n + 1}")
        expect(act.page.locator("#c-photos .photo-entry")).to_have_count(before + n + 1, timeout=20000)


def _sign(act: Actions, on_answered=None) -> None:
    """The form is complete: to the signing view, the manager signs, the record is final."""
    if on_answered:
        on_answered()
    act.tap("#bar-finish", "请负责人签字")
    act.draw()
    act.tap(act.page.get_by_role("button", name="确认签字并定稿"), "确认签字并定稿")
    expect(act.page.locator("#c-done")).to_be_visible()


def hazard_visit(act: Actions, item_index: int = 9, photos: int = 3, on_answered=None) -> None:
    """A visit with one hazard on a checklist item (its photo taken in the panel, the description
    from the item's common findings), more photos, the signature."""
    page = act.page
    act.tap("#l-id_shown", "出示证件")
    target = item(page, item_index)
    act.tap(target.locator(".answer-fail"), "不合格")
    act.tap(target.get_by_role("button", name="上报隐患"), "上报隐患")
    act.tap(page.locator("#hp-phrases .phrase").first, "常见问题")
    act.tap(page.locator("#hazard-panel").get_by_text("一般隐患", exact=True), "一般隐患")
    act.photo("#l-h-photo-input", one_photo(99), "hazard photo")
    expect(page.locator("#h-photos input:checked")).to_have_count(1, timeout=20000)
    act.tap(page.get_by_role("button", name="保存隐患"), "保存隐患")
    expect(target).to_have_class(re.compile(r"\bhas-hazard\b"))
    act.tap("#c-all-pass", "其余全部合格")
    _photos(act, photos, before=1)
    act.tap(page.locator("#p-findings .phrase").first, "发现隐患，已上报")
    _sign(act, on_answered)


def pass_recheck(page: Page) -> None:
    """On the re-check form: 复查通过 with one photo of the site, submitted; saved on the phone."""
    page.get_by_text("复查通过", exact=True).click()
    page.locator("#r-photo-input").set_input_files(
        files=[{"name": "recheck.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 900, color=(30, 150, 70))}]
    )
    expect(page.locator("#r-photos img")).to_have_count(1, timeout=20000)
    page.get_by_role("button", name="提交复查结果").click()
    expect(page.locator("#c-done-state")).to_contain_text("保存在本机")
