"""A day without signal: inspections recorded offline on the phone, kept across a browser
restart, delivered exactly once when the network returns — also when the server or the
connection fails halfway, and when the session expires.

Each test runs its own server (so it can count what arrived) and, where the browser is
closed and reopened, a persistent Chromium profile, as a phone keeps its storage.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import re
import time

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.capture import fill_and_sign, set_field, start_from_offline_list
from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, _chromium
from tests.browser.session import controlled, log_in, phone_state


@pytest.fixture
def phone(playwright, browser_context_args, tmp_path):
    """Opens a persistent-profile phone browser (closed and reopened like a real one)."""
    opened: list[BrowserContext] = []

    def launch(offline: bool = False) -> BrowserContext:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=_chromium(),
            args=CHROMIUM_ARGS,
            headless=True,
            offline=offline,
            **browser_context_args,
        )
        opened.append(context)
        return context

    yield launch
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


def engine(server: LiveServer) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{server.instance / 'fieldapp.db'}")


def record_inspection(page: Page, enterprise_name: str, seed: int) -> None:
    """On the offline patrol list: start, fill everything, 3 photos, 2 hazards, signature."""
    start_from_offline_list(page, enterprise_name)
    fill_and_sign(page, seed)


def go_offline_to_patrol(page: Page, server: LiveServer) -> None:
    """No signal: the page is offline, and so is the server (Chromium's offline emulation
    does not cover the service worker, whose Background Sync would otherwise send)."""
    server.stop()
    page.context.set_offline(True)
    page.goto(f"{server.base}/inspections/patrol")
    expect(page.locator("#offline-work h1")).to_have_text("巡查清单")  # the work, not an error page
    expect(page.locator("#offline")).to_be_hidden()
    expect(page.locator("#offline-patrol li").first).to_be_visible()
    # The grid's shared address prefix is said once above the list, not on every row.
    expect(page.locator("#offline-area")).to_have_text(re.compile("^地址均在.+镇$"))
    area = page.locator("#offline-area").inner_text()[len("地址均在") :]
    assert area not in page.locator("#offline-patrol").inner_text()


def server_records(server: LiveServer, uuids: list[str]) -> list[dict]:
    with engine(server).connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, uuid, state, signature_id FROM inspections WHERE uuid IN :uuids").bindparams(
                sa.bindparam("uuids", expanding=True)
            ),
            {"uuids": uuids},
        ).all()
        out = []
        for row in rows:
            photos = (
                conn.execute(
                    sa.text(
                        "SELECT m.sha256 FROM inspection_photos ip JOIN photos p ON p.id = ip.photo_id "
                        "JOIN media_files m ON m.id = p.original_id WHERE ip.inspection_id = :i"
                    ),
                    {"i": row.id},
                )
                .scalars()
                .all()
            )
            hazards = conn.execute(
                sa.text("SELECT count(*) FROM hazards WHERE inspection_id = :i"), {"i": row.id}
            ).scalar()
            signature = conn.execute(
                sa.text("SELECT sha256 FROM media_files WHERE id = :i"), {"i": row.signature_id}
            ).one()
            out.append(
                {
                    "uuid": row.uuid,
                    "state": row.state,
                    "photos": sorted(photos),
                    "hazards": hazards,
                    "signature": signature,
                }
            )
    return out


def ink_pixels(server: LiveServer, sha256: str) -> int:
    blob = next((server.instance / "media").rglob(sha256))
    alpha = Image.open(io.BytesIO(blob.read_bytes())).convert("RGBA").getchannel("A")
    return alpha.point(lambda a: 255 if a > 40 else 0).histogram()[255]


def test_a_day_offline_survives_a_browser_restart_and_syncs_exactly_once(server, phone, artifacts):
    context = phone()
    page = context.pages[0] if context.pages else context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, server.base, "inspector", server.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    controlled(page)

    go_offline_to_patrol(page, server)
    names = page.locator("#offline-patrol li strong").all_inner_texts()[:2]
    for seed, name in enumerate(names, start=1):
        record_inspection(page, name, seed)
        expect(page.locator("#c-done-state")).to_contain_text("保存在本机")
        page.goto(f"{server.base}/offline")
    expect(page.locator("[data-pending]")).to_have_text("本机有 2 条未同步 — 仅存于本机")
    page.screenshot(path=str(artifacts / "offline-patrol.png"), full_page=True)
    before = phone_state(page)
    assert [r["state"] for r in before["records"]] == ["ready", "ready"]
    assert all(r["photos"] == 3 and r["hazards"] == 2 for r in before["records"])
    context.close()

    # The phone is switched off and on again, still without signal: everything is there.
    context = phone(offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{server.base}/outbox")
    expect(page.locator("#outbox-list li[data-state=ready]")).to_have_count(2)
    expect(page.locator("[data-pending]")).to_have_text("本机有 2 条未同步 — 仅存于本机")
    assert phone_state(page) == before
    page.screenshot(path=str(artifacts / "outbox-pending.png"), full_page=True)

    server.start()
    media_requests: list[str] = []  # the worker's requests too: Chromium reports them to the context
    context.on(
        "request",
        lambda r: (
            media_requests.append(f"{r.method} {r.url.split('/api/v1/')[-1]}") if "/api/v1/media" in r.url else None
        ),
    )
    context.set_offline(False)
    # The button, or the worker's Background Sync woken by the network coming back: one sends.
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("[data-pending]")).to_be_hidden(timeout=30000)
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(2)
    # Replaying the outbox changes nothing on the server.
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#sync-status")).to_contain_text("全部已同步")

    # A good network: each record's three photos and signature went in one request.
    assert media_requests == ["POST media", "POST media"], media_requests
    uuids = [r["uuid"] for r in before["records"]]
    stored = server_records(server, uuids)
    assert len(stored) == 2 and {r["state"] for r in stored} == {"signed"}
    for record in stored:
        own = [m for m in before["media"] if m["record"] == record["uuid"]]
        captured = sorted(m["sha256"] for m in own if m["kind"] == "photo")
        assert record["photos"] == captured and record["hazards"] == 2
        signature = next(m for m in own if m["kind"] == "signature")
        assert record["signature"].sha256 == signature["sha256"]
        assert ink_pixels(server, signature["sha256"]) > 300
    # The photos were downscaled on the phone before they were stored there.
    with engine(server).connect() as conn:
        widest = conn.execute(sa.text("SELECT max(max(width, height)) FROM photos")).scalar()
    assert widest <= 1600
    assert errors == []


def test_faults_mid_sync_lose_nothing_and_duplicate_nothing(server, browser, browser_context_args, artifacts):
    """The server answers 500 to the batch of photos; the phone then sends them one by one, and
    the connection drops mid-upload; then the session expires: the record waits on the phone
    each time, and after logging in again arrives once, with each photo once."""
    # No service worker here: its Background Sync is outside request interception.
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    page = context.new_page()
    log_in(page, server.base, "inspector", server.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    enterprise = server.accounts["company"]["enterprise"]

    faults = {"batch": ["500"], "PUT": ["drop"]}
    seen = {"batch": 0, "PUT": 0}

    def batch_fault(route):
        seen["batch"] += 1
        if faults["batch"]:
            faults["batch"].pop(0)
            route.fulfill(status=500, body="boom")
        else:
            route.continue_()

    def put_fault(route):
        if route.request.method != "PUT":  # the question what the server holds (/media/known)
            route.continue_()
            return
        seen["PUT"] += 1
        if seen["PUT"] == 2 and faults["PUT"]:
            faults["PUT"].pop(0)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/media", batch_fault)
    page.route("**/api/v1/media/*", put_fault)
    lost = []

    def lose_the_answer(route):
        """The server stores the record but its answer never reaches the phone."""
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/inspections", lose_the_answer)
    page.goto(f"{server.base}/capture?enterprise={enterprise['id']}")
    expect(page.locator("#c-enterprise")).to_have_text(enterprise["name"])
    fill_and_sign(page, 1)

    def state() -> dict:
        return phone_state(page)

    # 500 to the batch: the record stays, and none of its photos counts as uploaded.
    for _ in range(100):
        if state()["records"][0]["error"]:
            break
        page.wait_for_timeout(100)
    first = state()
    assert first["records"][0]["state"] == "ready" and "500" in first["records"][0]["error"]
    assert sum(m["uploaded"] for m in first["media"]) == 0 and seen == {"batch": 1, "PUT": 0}
    # The retry goes one photo at a time; the connection drops on the second: the first stays
    # acknowledged.
    page.goto(f"{server.base}/outbox")
    page.get_by_role("button", name="立即同步").click()
    # The phone has a network; the connection to the server broke: the outbox says which.
    expect(page.locator("#outbox-list li .error")).to_contain_text("手机有网络，但连接不上服务器")
    assert not faults["PUT"] and seen == {"batch": 1, "PUT": 2}
    assert sum(m["uploaded"] for m in state()["media"]) == 1
    # The outbox counts what arrived: one photo of the four files.
    expect(page.locator("#outbox-list li").first).to_contain_text("已上传 1/4")
    page.screenshot(path=str(artifacts / "outbox-partly-uploaded.png"), full_page=True)

    # The session expires before the next attempt: sync pauses and asks for a login.
    context.clear_cookies()
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#sync-status")).to_contain_text("登录已过期")
    expect(page.get_by_role("link", name="重新登录", exact=True)).to_be_visible()
    expect(page.locator("[data-pending]")).to_contain_text("请重新登录")
    assert state()["records"][0]["state"] == "ready"

    page.get_by_role("link", name="重新登录", exact=True).click()
    page.get_by_label("用户名").fill("inspector")
    page.get_by_label("密码").fill(server.accounts["inspector"]["password"])
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=30000)
    expect(page.locator("[data-pending]")).to_be_hidden()
    assert lost == [201]  # the first delivery was stored; the retry was recognised, not doubled
    assert seen == {"batch": 1, "PUT": 5}  # after the failures, the other three photos one by one

    uuid = first["records"][0]["uuid"]
    stored = server_records(server, [uuid])
    assert len(stored) == 1 and len(stored[0]["photos"]) == 3
    with engine(server).connect() as conn:
        media = conn.execute(sa.text("SELECT count(*), count(DISTINCT uuid) FROM client_media")).one()
    assert tuple(media) == (4, 4)  # three photos and the signature, each once

    # Two tabs syncing at once, and the same record replayed many times (acknowledgements
    # lost): still one record on the server.
    second = context.new_page()
    second.goto(f"{server.base}/outbox")
    replay = """n => window.fieldappStore.open(window.fieldappOutbox.uid).then(async db => {
        const outcomes = [];
        for (let i = 0; i < n; i++) {
          const [record] = await window.fieldappStore.getAll(db, "records");
          record.state = "ready";
          await window.fieldappStore.put(db, "records", record);
          outcomes.push((await window.fieldappOutbox.sync(true)).result);
        }
        return outcomes;
      })"""
    both = [page.evaluate_handle(replay, 10), second.evaluate_handle(replay, 10)]
    outcomes = [h.json_value() for h in both]
    assert all(set(o) <= {"done", "busy", "idle"} for o in outcomes) and "done" in outcomes[0] + outcomes[1]
    with engine(server).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM inspections")).scalar() == 1
    context.close()


def test_the_outbox_deletes_only_after_confirmation_and_exports_everything(server, browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "service_workers": "block", "accept_downloads": True})
    page = context.new_page()
    log_in(page, server.base, "inspector", server.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    enterprise = server.accounts["company"]["enterprise"]
    page.goto(f"{server.base}/capture?enterprise={enterprise['id']}")
    page.route("**/api/v1/**", lambda route: route.abort("internetdisconnected"))  # sync keeps failing
    fill_and_sign(page, 2)
    expect(page.locator("#c-done-state")).to_contain_text("保存在本机")
    page.goto(f"{server.base}/capture?record=" + phone_state(page)["records"][0]["uuid"])
    expect(page.locator("#c-done")).to_be_visible()  # a finished record is never a form again
    page.locator("#c-done a", has_text="查看待同步").click()
    expect(page.locator("#outbox-list li[data-state=ready]")).to_have_count(1)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出未同步记录（备用）").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["format"] == "fieldapp-outbox/1" and len(exported["records"]) == 1
    assert len(exported["media"]) == 4
    for item in exported["media"]:
        assert hashlib.sha256(base64.b64decode(item["base64"])).hexdigest() == item["sha256"]
    assert exported["records"][0]["payload"]["finish"]["kind"] == "signed"

    row = page.locator("#outbox-list li[data-state=ready]")
    row.get_by_role("button", name="删除").click()
    expect(row.get_by_role("button", name="确认删除：这条记录和照片将从本机永久删除，无法恢复")).to_be_visible()
    row.get_by_role("button", name="取消").click()
    expect(page.locator("#outbox-list li[data-state=ready]")).to_have_count(1)
    row.get_by_role("button", name="删除").click()
    row.get_by_role("button", name="确认删除：这条记录和照片将从本机永久删除，无法恢复").click()
    expect(page.locator("#outbox-list li")).to_have_count(0)
    expect(page.locator("#outbox-empty")).to_be_visible()
    assert phone_state(page) == {"records": [], "media": []}
    context.close()


def test_a_new_release_keeps_the_half_filled_form_and_the_pending_records(page: Page, tmp_path, demo_instance):
    """Deploy a new release while a record waits to be sent and another is half filled: the
    page is not reloaded under the user, the banner offers the update; after it, the form
    comes back with what was typed and the waiting record is sent."""
    server = LiveServer.copied(demo_instance, tmp_path / "instance", RELEASE="r1")
    accounts = server.accounts
    server.start()
    try:
        log_in(page, server.base, "inspector", accounts["inspector"]["password"])
        expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
        controlled(page)
        old_keys = page.evaluate("caches.keys()")

        server.stop()  # no signal
        page.goto(f"{server.base}/inspections/patrol")
        expect(page.locator("#offline-patrol li").first).to_be_visible()
        names = page.locator("#offline-patrol li strong").all_inner_texts()[:2]
        record_inspection(page, names[0], 1)
        page.goto(f"{server.base}/offline")
        start_from_offline_list(page, names[1])
        set_field(page, "parts", "喷漆车间（尚未定稿）")

        server.start(RELEASE="r2")  # signal again, and a new release on the server
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        expect(page.locator("#update-banner")).to_be_visible(timeout=15000)
        expect(page.locator("#f-parts")).to_have_value("喷漆车间（尚未定稿）")
        with page.expect_navigation():  # the reload the user asked for
            page.locator("#update-now").click()
        page.wait_for_load_state("load")
        for _ in range(50):
            keys = page.evaluate("caches.keys()")
            if keys != old_keys and len(keys) == 1:
                break
            page.wait_for_timeout(100)
        assert len(keys) == 1 and keys != old_keys
        expect(page.locator("#f-parts")).to_have_value("喷漆车间（尚未定稿）")
        for _ in range(100):
            states = sorted(r["state"] for r in phone_state(page)["records"])
            if states == ["draft", "synced"]:
                break
            page.wait_for_timeout(200)
        assert states == ["draft", "synced"]
        expect(page.locator("[data-pending]")).to_have_text("本机有 1 条未同步 — 仅存于本机")
        with engine(server).connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM inspections")).scalar() == 1
    finally:
        server.stop()


def hold_automatic_runs(page: Page) -> None:
    """Automatic sync runs wait (as after many failures); a manual run starts afresh."""
    page.evaluate("""() => window.fieldappStore.currentUser().then(uid => window.fieldappStore.open(uid))
        .then(db => window.fieldappStore.put(db, "meta",
          {failures: 5, next_at: new Date(Date.now() + 3600e3).toISOString()}, "sync"))""")


def test_a_timeout_and_a_server_restart_mid_sync_lose_nothing(server, browser, browser_context_args):
    """The record's answer comes after the phone stopped waiting (it was stored), then the
    server goes down in the middle of the photos and comes back: one record, each photo once."""
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    context.add_init_script("window.fieldappSyncTimeouts = {media: 20000, record: 1500};")
    page = context.new_page()
    log_in(page, server.base, "inspector", server.accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    enterprise = server.accounts["company"]["enterprise"]
    events: list[str] = []

    def slow_answer(route):
        """Stored on the server, but answered only after the phone gave up (1.5 s)."""
        if not events:
            response = route.fetch()
            events.append(f"stored {response.status}")
            time.sleep(2.5)
            try:
                route.fulfill(response=response)
            except Exception:  # noqa: BLE001 - the phone already aborted: what a timeout is
                events.append("too late")
        else:
            route.continue_()

    page.route("**/api/v1/inspections", slow_answer)
    page.goto(f"{server.base}/capture?enterprise={enterprise['id']}")
    fill_and_sign(page, 7)
    first = None
    for _ in range(100):
        first = phone_state(page)["records"][0]
        if first["error"]:
            hold_automatic_runs(page)  # its retry comes in ~2 s: the manual run below sends it
            break
        page.wait_for_timeout(100)
    assert events[0] == "stored 201" and first["state"] != "synced" and first["error"] in ("timeout", "unreachable")

    # A second record; the server stops while its photos are on the way, then comes back.
    requests = []

    def stop_on_the_batch(route):
        requests.append(route.request.method)
        if len(requests) == 1:
            server.stop()
        route.continue_()

    page.route("**/api/v1/media", stop_on_the_batch)
    page.route(
        "**/api/v1/media/*",  # the photos one by one; not the question what the server holds
        lambda route: (route.request.method == "PUT" and requests.append("PUT")) or route.continue_(),
    )
    # Automatic runs still wait; otherwise the run kicked by signing could stop the server while
    # the page is leaving for the outbox.
    hold_automatic_runs(page)
    page.goto(f"{server.base}/capture?enterprise={enterprise['id']}")
    fill_and_sign(page, 8)
    assert requests == []
    page.goto(f"{server.base}/outbox")
    page.get_by_role("button", name="立即同步").click()
    for _ in range(150):
        waiting = [r for r in phone_state(page)["records"] if r["state"] == "ready"]
        if requests and waiting and all(r["error"] for r in waiting):
            break
        page.wait_for_timeout(100)
    assert requests == ["POST"] and [r["state"] for r in phone_state(page)["records"]].count("ready") >= 1
    server.start()
    page.goto(f"{server.base}/outbox")
    page.get_by_role("button", name="立即同步").click()
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(2, timeout=30000)
    # The batch failed on the way: the retries sent the photos and the signature one by one (an
    # automatic one may have tried a first photo while the server was down).
    assert requests[0] == "POST" and set(requests[1:]) == {"PUT"} and len(requests) >= 5, requests
    uuids = [r["uuid"] for r in phone_state(page)["records"]]
    stored = server_records(server, uuids)
    assert len(stored) == 2 and all(len(r["photos"]) == 3 for r in stored)
    with engine(server).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM inspections")).scalar() == 2
        media = conn.execute(sa.text("SELECT count(*), count(DISTINCT uuid) FROM client_media")).one()
    assert tuple(media) == (8, 8)  # two records: three photos and a signature each, each once
    context.close()
