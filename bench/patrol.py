"""The patrol in a minute: actions and seconds of two visits on the phone's capture form.

    .venv/bin/python -m bench.patrol

Debian's headless Chromium at 360×740 against gunicorn on loopback with the demo data, logged in
as the demo inspector, who holds a work ID. Each visit starts by tapping 开始检查 on the patrol list
and ends when the record is final (signed, in the outbox). Actions are what a person does: a tap,
text filled in, a photo given to the camera's chooser, a signature drawn (tests/browser/capture.py
counts them). Targets (issue 28): a clean visit (24 items 合格, 2 photos, signature) ≤ 15 actions
and no typing; a visit with one hazard on an item (its photo, the description from the item's
common findings) plus 3 photos and the signature ≤ 25; the form ≤ 4 screens tall once every item
is answered. Seconds are the machine's, not a person's: they show what the phone makes people wait.
tests/browser/test_capture.py holds the action counts.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"clean": 15, "hazard": 25}
MAX_SCREENS = 4.0


def run(page, base: str) -> list[dict]:
    """Both visits on two enterprises of the patrol list; a row each."""
    from playwright.sync_api import expect

    from tests.browser.capture import Actions, clean_visit, form_screens, hazard_visit, start_from_patrol
    from tests.browser.session import controlled

    page.goto(base + "/")
    expect(page.locator("#pack-status")).to_contain_text("家企业", timeout=15000)  # the offline pack is here
    controlled(page)  # and the phone's form (the worker's shell): 开始检查 opens it
    page.goto(f"{base}/inspections/patrol")
    names = page.locator("#patrol-list li strong").all_inner_texts()[:2]
    rows = []
    for kind, name in zip(("clean", "hazard"), names, strict=True):
        page.goto(f"{base}/inspections/patrol")
        # The inspector stands at the enterprise, and the phone has a fix of just now.
        at = page.evaluate(
            """name => window.fieldappStore.currentUser().then(uid => window.fieldappStore.open(uid))
            .then(db => window.fieldappStore.getAll(db, "enterprises")).then(all => all.find(e => e.name === name))
            .then(e => [e.latitude, e.longitude])""",
            name,
        )
        page.context.set_geolocation({"latitude": at[0] + 0.0002, "longitude": at[1], "accuracy": 20})
        act = Actions(page)
        started = time.perf_counter()
        start_from_patrol(act, name)
        screens: dict[str, float] = {}
        visit = clean_visit if kind == "clean" else hazard_visit
        visit(act, on_answered=lambda seen=screens: seen.setdefault("after_answers", form_screens(page)))
        seconds = time.perf_counter() - started
        rows.append(
            {
                "measure": f"{kind} visit",
                "actions": act.total,
                **act.counts,
                "typed": act.counts["fill"],
                "seconds": round(seconds, 1),
                "screens": round(screens["after_answers"], 2),
                "target_actions": TARGETS[kind],
                "log": act.log,
            }
        )
    return rows


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bench import results
    from tests.browser.conftest import CHROMIUM_ARGS, LiveServer, _chromium
    from tests.browser.test_phone import log_in

    server = LiveServer(Path(tempfile.mkdtemp(prefix="fieldapp-bench-patrol-")))
    accounts = {a["username"]: a for a in server.prepare()}
    server.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 360, "height": 740},
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
                permissions=["geolocation"],
            )
            page = context.new_page()
            log_in(page, server.base, "inspector", accounts["inspector"]["password"])
            rows = run(page, server.base)
            browser.close()
    finally:
        server.stop()
    print(
        f"{'visit':<14}{'actions':>8}{'target':>8}{'typed':>7}{'screens':>9}{'seconds':>9}   taps/fills/uploads/draws"
    )
    for r in rows:
        print(
            f"{r['measure']:<14}{r['actions']:>8}{r['target_actions']:>8}{r['typed']:>7}{r['screens']:>9}"
            f"{r['seconds']:>9}   {r['tap']}/{r['fill']}/{r['upload']}/{r['draw']}"
        )
    results.save("patrol", [{k: v for k, v in r.items() if k != "log"} for r in rows])
    ok = all(r["actions"] <= r["target_actions"] and r["screens"] <= MAX_SCREENS for r in rows)
    ok = ok and rows[0]["typed"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
