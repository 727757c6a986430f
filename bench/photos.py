"""Benchmark: the photo pipeline per image, and the inspection record page with 10 photos.

    .venv/bin/python -m bench.photos [--n 30]

Targets (issue 4): a 12 MP (4000x3000) JPEG <= 120 ms p50/p95 through the pipeline; a
1600 px JPEG <= 30 ms; display copy <= 350 KB; record page <= 40 ms server time at p50
with 10 photos (in-process WSGI, SQLite). Never run by the test suite.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import flask_migrate  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from bench import results  # noqa: E402
from fieldapp import clock, create_app  # noqa: E402
from fieldapp.services import demo, inspections, photos  # noqa: E402
from tests.helpers import logged_in  # noqa: E402


def scene(width: int, height: int, seed: int = 1, orientation: int = 6) -> bytes:
    """A photo-like JPEG: gradients, shapes, texture and camera noise at quality 92, as phones save."""
    import random

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(120):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 20, width // 4), rng.randrange(height // 20, height // 4)
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(base.filter(ImageFilter.GaussianBlur(2)), noise, 0.12)
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
            "MEDIA_ROOT": tmp + "/media",
            "PASSWORD_HASH_METHOD": "scrypt:4096:8:1",
        }
    )
    mark = photos.Watermark(clock.now(), 31.26, 120.5, "WZ2026001", "XJ-20261122-000001")
    print(f"{'measure':<44}{'p50':>9}{'p95':>9}  note")
    rows = []
    with app.test_request_context():
        for label, (w, h, orientation) in (
            ("pipeline: 12 MP JPEG, rotated (EXIF 6)", (4000, 3000, 6)),
            ("pipeline: 1600 px JPEG from the phone", (1600, 1200, 1)),
            ("pipeline: 1600 px JPEG, rotated (EXIF 6)", (1600, 1200, 6)),
        ):
            data = scene(w, h, orientation=orientation)
            photos.process(data, mark)
            samples, sizes = [], []
            for _ in range(args.n):
                start = time.perf_counter()
                result = photos.process(data, mark)
                samples.append((time.perf_counter() - start) * 1000)
                sizes.append(len(result.display))
            note = f"input {len(data) // 1024} KB, display copy {max(sizes) // 1024} KB"
            print(f"{label:<44}{statistics.median(samples):8.1f}ms{pct(samples, 95):8.1f}ms  {note}")
            rows.append(
                {
                    "measure": label,
                    "p50_ms": round(statistics.median(samples), 1),
                    "p95_ms": round(pct(samples, 95), 1),
                    "note": note,
                }
            )
    with app.app_context():
        flask_migrate.upgrade()
        demo.load(hash_method="scrypt:4096:8:1")
        company = next(a for a in demo.accounts() if a["username"] == "company")["enterprise"]["id"]
        import sqlalchemy as sa

        from fieldapp.db import db
        from fieldapp.models import Enterprise, User

        inspector = db.session.scalar(sa.select(User).where(User.username == "inspector"))
        record = inspections.start(inspector, db.session.get(Enterprise, company))
        for i in range(10):
            inspections.add_photo(inspector, record, scene(1600, 1200, seed=i))
        record_id = record.id
    client = logged_in(app.test_client(), "inspector", demo.DEMO_PASSWORD)
    client.get(f"/inspections/{record_id}")
    samples = []
    for _ in range(max(args.n, 50)):
        start = time.perf_counter()
        assert client.get(f"/inspections/{record_id}").status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    print(
        f"{'record page with 10 photos (draft form)':<44}{statistics.median(samples):8.1f}ms"
        f"{pct(samples, 95):8.1f}ms  SQLite, in-process"
    )
    rows.append(
        {
            "measure": "record page with 10 photos (draft form)",
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(pct(samples, 95), 1),
            "note": "SQLite, in-process",
        }
    )
    results.save("photos", rows, {"n": args.n})
    return 0


if __name__ == "__main__":
    sys.exit(main())
