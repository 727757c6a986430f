"""Budgets of the offline PWA, measured in headless Chromium against gunicorn on loopback.

    .venv/bin/python -m bench.offline [--records 50] [--photos 3] [--starts 5]

1. Offline cold start: the browser is closed, the server is down (no signal), the
   browser is started again with its profile; time from navigating to /capture until
   the checklist form is on screen. Target (issue 5): <= 1 s.
2. Sync: N finished inspections with P photos and a signature each, queued in the
   phone's outbox, sent by the app's own sync client (media first, then records).
   Target: 50 x 3 in <= 30 s. The server is then counted: exactly N records.

Never run by the test suite.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo
from playwright.sync_api import sync_playwright

from bench import results
from fieldapp import clock
from fieldapp.services.inspections import summary_lines
from tests.browser.conftest import CHROMIUM_ARGS, PHONE_VIEWPORT, LiveServer, _chromium
from tests.browser.test_phone import log_in
from tests.browser.test_pwa import controlled

INJECT = """async ({record, media}) => {
  const store = window.fieldappStore;
  const db = await store.open(window.fieldappOutbox.uid);
  const tx = db.transaction(["records", "media"], "readwrite");
  tx.objectStore("records").put(record);
  for (const m of media) {
    const bytes = Uint8Array.from(atob(m.base64), c => c.charCodeAt(0));
    tx.objectStore("media").put({uuid: m.uuid, record_uuid: record.uuid, kind: m.kind, sha256: m.sha256,
                                 type: m.type, size: bytes.length, blob: new Blob([bytes], {type: m.type}),
                                 created_at: new Date().toISOString(), uploaded: false});
  }
  await store.done(tx);
}"""


def photo_bases(count: int) -> list[bytes]:
    """Photo-like JPEGs of the size the phone stores (1600 px, a few hundred KB)."""
    out = []
    for _ in range(count):
        small = Image.frombytes("RGB", (200, 150), os.urandom(200 * 150 * 3))
        buf = io.BytesIO()
        small.resize((1600, 1200), Image.Resampling.BICUBIC).save(buf, "JPEG", quality=85)
        out.append(buf.getvalue())
    return out


def unique(jpeg: bytes, tag: str) -> bytes:
    """The same picture made a distinct file (a JPEG comment after SOI)."""
    comment = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def signature(tag: str) -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(40 + i * 12, 100 + (40 if i % 4 < 2 else -40)) for i in range(40)], fill=(17, 17, 17, 255), width=4)
    info = PngInfo()
    info.add_text("n", tag)
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def build(pack: dict, enterprise: dict, n_photos: int, bases: list[bytes], index: int) -> tuple[dict, list[dict]]:
    """One finished record as capture.js stores it, with the summary from the server's contract."""
    template = next(t for t in pack["templates"] if t["id"] == enterprise["template_id"])
    me = pack["me"]
    record_uuid = str(uuid.uuid4())
    now = clock.now().isoformat()
    media = []
    for p in range(n_photos):
        data = unique(bases[p % len(bases)], f"{record_uuid}-{p}")
        media.append({"uuid": str(uuid.uuid4()), "kind": "photo", "type": "image/jpeg", "data": data})
    sig = signature(record_uuid)
    media.append({"uuid": str(uuid.uuid4()), "kind": "signature", "type": "image/png", "data": sig})
    fields = {
        "parts": "生产车间",
        "content": "安全管理",
        "findings": "未发现问题",
        "measures": "无",
        "work_id_number": me["work_id"] or "WZ0001",
        "id_shown": True,
    }
    text = summary_lines(
        record_uuid,
        enterprise["name"],
        enterprise["uscc"],
        me["display_name"],
        fields["work_id_number"],
        fields["parts"],
        fields["findings"],
        fields["measures"],
        [],
        [],
    )
    payload = {
        "uuid": record_uuid,
        "enterprise_id": enterprise["id"],
        "started_at": now,
        "ended_at": now,
        "position": None,
        "fields": fields,
        "results": [
            {"position": i["position"], "result": "pass", "note": "", "text": i["text"]} for i in template["items"]
        ],
        "photos": [{"media_uuid": m["uuid"], "item_position": None, "caption": ""} for m in media[:-1]],
        "hazards": [],
        "finish": {
            "kind": "signed",
            "signer_name": "现场负责人",
            "opinion": "",
            "at": now,
            "signature_media_uuid": media[-1]["uuid"],
            "summary_sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
        "app_version": "bench",
    }
    record = {
        "uuid": record_uuid,
        "kind": "inspection",
        "state": "ready",
        "created_at": now,
        "updated_at": now,
        "started_at": now,
        "finished_at": f"{now}-{index:04d}",
        "enterprise_id": enterprise["id"],
        "enterprise_name": enterprise["name"],
        "photos": payload["photos"],
        "hazards": [],
        "payload": payload,
        "attempts": 0,
        "last_error": "",
    }
    return record, [
        {
            "uuid": m["uuid"],
            "kind": m["kind"],
            "type": m["type"],
            "sha256": hashlib.sha256(m["data"]).hexdigest(),
            "base64": base64.b64encode(m["data"]).decode(),
        }
        for m in media
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="fieldapp-bench-offline-"))
    (root / "instance").mkdir()
    server = LiveServer(root / "instance")
    accounts = {a["username"]: a for a in server.prepare()}
    server.start()
    phone = {
        "viewport": PHONE_VIEWPORT,
        "device_scale_factor": 2.625,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "service_workers": "allow",
    }
    try:
        with sync_playwright() as pw:

            def launch(offline: bool = False):
                return pw.chromium.launch_persistent_context(
                    str(root / "profile"),
                    executable_path=_chromium(),
                    args=CHROMIUM_ARGS,
                    headless=True,
                    offline=offline,
                    **phone,
                )

            context = launch()
            page = context.pages[0] if context.pages else context.new_page()
            log_in(page, server.base, "inspector", accounts["inspector"]["password"])
            page.locator("#pack-status").filter(has_text="家企业").wait_for(timeout=15000)
            controlled(page)
            pack = page.request.get(f"{server.base}/api/v1/pack").json()
            enterprise = next(e for e in pack["enterprises"] if not pack["recused"].get(str(e["id"])))
            context.close()

            server.stop()  # no signal
            starts = []
            for _ in range(args.starts):
                context = launch(offline=True)
                page = context.pages[0] if context.pages else context.new_page()
                began = time.perf_counter()
                page.goto(f"{server.base}/capture?enterprise={enterprise['id']}")
                page.locator("#checklist .check-item").first.wait_for(state="visible")
                starts.append((time.perf_counter() - began) * 1000)
                context.close()
            print(
                f"offline cold start to a usable inspection form: p50 {statistics.median(starts):.0f} ms, "
                f"max {max(starts):.0f} ms over {len(starts)} restarts (target <= 1000 ms)"
            )

            server.start()
            context = launch()
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(f"{server.base}/outbox")
            page.locator("#outbox").wait_for(state="visible")
            bases = photo_bases(3)
            total_bytes = 0
            uuids = []
            for i in range(args.records):
                record, media = build(pack, enterprise, args.photos, bases, i)
                total_bytes += sum(len(m["base64"]) * 3 // 4 for m in media)
                uuids.append(record["uuid"])
                page.evaluate(INJECT, {"record": record, "media": media})
            began = time.perf_counter()
            outcome = page.evaluate("window.fieldappOutbox.sync(true)")
            elapsed = time.perf_counter() - began
            context.close()
    finally:
        server.stop()
    engine = sa.create_engine(f"sqlite:///{root / 'instance' / 'fieldapp.db'}")
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("SELECT count(*) FROM inspections WHERE uuid IN :u").bindparams(sa.bindparam("u", expanding=True)),
            {"u": uuids},
        ).scalar()
        media = conn.execute(sa.text("SELECT count(*) FROM client_media")).scalar()
    results.save(
        "offline",
        [
            {
                "measure": "offline cold start to a usable inspection form",
                "p50_ms": round(statistics.median(starts)),
                "max_ms": round(max(starts)),
                "note": f"{len(starts)} browser restarts, server down",
            },
            {
                "measure": f"sync of {args.records} inspections x {args.photos} photos + signature",
                "seconds": round(elapsed, 1),
                "per_s": round(args.records / elapsed, 1),
                "note": f"{total_bytes / 1048576:.1f} MB; server holds {stored} of {args.records}, {media} media",
            },
        ],
        {"records": args.records, "photos": args.photos},
    )
    print(
        f"sync of {args.records} inspections x {args.photos} photos + signature "
        f"({total_bytes / 1048576:.1f} MB): {elapsed:.1f} s, {args.records / elapsed:.1f} records/s "
        f"(target 50 x 3 <= 30 s); outcome {outcome['result']}, sent {outcome.get('sent')}, "
        f"failed {outcome.get('failed')}; server holds {stored} of them, {media} media"
    )
    return 0 if stored == args.records else 1


if __name__ == "__main__":
    sys.exit(main())
