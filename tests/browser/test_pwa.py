"""The installable app: manifest, service worker, versioned shell, offline fallback."""

from __future__ import annotations

import io
import json
import re

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.session import controlled


def test_manifest_and_icons(page: Page, base_url):
    manifest = page.request.get(f"{base_url}/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = json.loads(manifest.text())
    assert data["name"] == "安全生产网格巡检" and data["display"] == "standalone" and data["start_url"]
    purposes = {(i["sizes"], i.get("purpose", "any")) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in data["icons"] + data["screenshots"]:
        image = Image.open(io.BytesIO(page.request.get(f"{base_url}{icon['src']}").body()))
        assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"
    assert data["lang"] == "zh-CN" and all(s["form_factor"] == "narrow" and s["label"] for s in data["screenshots"])
    assert [s["url"] for s in data["shortcuts"]] == ["/inspections/patrol", "/outbox"]
    assert [s["name"] for s in data["shortcuts"]] == ["开始巡查", "同步"]
    english = json.loads(page.request.get(f"{base_url}/manifest.webmanifest", headers={"Accept-Language": "en"}).text())
    assert english["lang"] == "en" and english["shortcuts"][0]["name"] != "开始巡查"


def test_chromium_reports_no_installability_errors(
    browser_type, browser_type_launch_args, browser_context_args, base_url, tmp_path
):
    # A persistent profile, like a phone's browser: Chromium never installs from incognito.
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, **browser_context_args
    )
    try:
        page = context.new_page()
        page.goto(f"{base_url}/login")
        controlled(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    finally:
        context.close()


def test_shell_is_precached_under_its_version_and_works_offline(page: Page, base_url, accounts):
    from tests.browser.session import SHELL_SIZE, log_in

    page.goto(f"{base_url}/login")
    controlled(page)
    worker = page.request.get(f"{base_url}/sw.js")
    assert worker.headers["service-worker-allowed"] == "/" and "no-cache" in worker.headers["cache-control"]
    version = re.match(r"const PRECACHE = (\{.*\});", worker.text()).group(1)
    version = json.loads(version)["version"]
    assert page.evaluate("caches.keys()") == [f"fieldapp-shell-{version}"]
    # Nothing of the shell is downloaded before someone signs in: logging in has the link to itself.
    wanted, kept = page.evaluate(SHELL_SIZE)
    assert kept == 0 < wanted
    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    controlled(page)  # signed in: waits until the idle home page has had the whole shell fetched

    page.context.set_offline(True)
    try:
        page.goto(f"{base_url}/enterprises/")
        expect(page.locator("#offline h1")).to_have_text("当前没有网络")
        # The stylesheet came from the phone's cache, not the network.
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == "rgb(11, 79, 138)"
        )
    finally:
        page.context.set_offline(False)
    page.goto(f"{base_url}/")  # back online: the network's pages again
    expect(page.locator("h1")).to_contain_text("您好")


def test_no_update_banner_on_first_install(page: Page, base_url):
    page.goto(f"{base_url}/login")
    controlled(page)
    page.reload()
    expect(page.locator("#update-banner")).to_be_hidden()


def test_data_pack_is_stored_per_user_and_refreshed_by_delta(page: Page, base_url, accounts):
    from tests.browser.session import log_in

    log_in(page, base_url, "inspector", accounts["inspector"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("离线资料：22 家企业", timeout=10000)
    name = page.evaluate("window.fieldappPack.dbName")
    assert re.fullmatch(r"fieldapp-\d+", name)
    stored = page.evaluate(
        """name => new Promise(resolve => {
        const request = indexedDB.open(name);
        request.onsuccess = () => {
          const tx = request.result.transaction(["enterprises", "templates", "meta"]);
          const out = {};
          tx.objectStore("enterprises").getAll().onsuccess = e => out.enterprises = e.target.result;
          tx.objectStore("templates").getAll().onsuccess = e => out.templates = e.target.result;
          tx.objectStore("meta").get("pack").onsuccess = e => out.meta = e.target.result;
          tx.oncomplete = () => resolve(out);
        };
      })""",
        name,
    )
    assert len(stored["enterprises"]) == 22 and all(
        e["grid"] == accounts["inspector"]["grid"]["code"] for e in stored["enterprises"]
    )
    assert stored["templates"] and stored["meta"]["etag"] and stored["meta"]["cursor"]
    # Logging out clears the pack; another user on the same phone gets a database of their own.
    page.get_by_role("link", name="我的", exact=True).click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status")).to_contain_text("您已安全退出")
    left = page.evaluate(
        """name => new Promise(resolve => {
        const request = indexedDB.open(name);
        request.onsuccess = () => {
          const r = request.result.transaction("enterprises").objectStore("enterprises").count();
          r.onsuccess = () => resolve(r.result);
        };
      })""",
        name,
    )
    assert left == 0
    log_in(page, base_url, "inspector2", accounts["inspector2"]["password"])
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=10000)
    assert page.evaluate("window.fieldappPack.dbName") != name
