"""How fast rows and files are checked against the trail (`fieldapp audit verify`, `audit files`).

    .venv/bin/python -m bench.integrity [--photos 1000] [--scale 0.05]

Files: ``--photos`` photos as phones send them (an original of ~0.5 MB, its ~0.25 MB display copy
and ~20 KB thumbnail) stored in a local media folder, then every file hashed again as
``audit files`` does — files/s and MB/s, and what that makes of a district's 600,000 photos.
Rows: the district generator at ``--scale`` on a throwaway PostgreSQL, its rows chained as the
trail keeps them, then every row compared with its last digest as ``audit verify`` does — rows/s,
and the same for a district. Target (issue 29): a district's check fits in a night.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time

DISTRICT_PHOTOS = 600_000


def _drop_caches() -> bool:
    """Empty the kernel's page cache (root only); whether it was done."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as out:
            out.write("3\n")
    except OSError:
        return False
    return True


def files(count: int, media_root: str) -> dict:
    """Store ``count`` photos' worth of files with their rows, then hash them all again."""
    import sqlalchemy as sa

    from fieldapp.db import db
    from fieldapp.models import MediaFile
    from fieldapp.services import storage, tamper

    store = storage.current()
    sizes = (520_000, 250_000, 20_000)
    rows = []
    for n in range(count):
        for k, size in enumerate(sizes):
            data = os.urandom(size)
            digest = hashlib.sha256(data).hexdigest()
            store.put(digest, data, "image/jpeg")
            rows.append({"sha256": digest, "content_type": "image/jpeg", "size": size, "original_name": f"{n}-{k}"})
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(MediaFile), rows[start : start + 2000])
    db.session.commit()
    cold = _drop_caches()  # read from the disk, not from memory, as a night's run over a district would
    started = time.perf_counter()
    report = tamper.check_files()
    seconds = time.perf_counter() - started
    assert report.findings == [] and report.checked == len(rows)
    per_photo = seconds / count
    return {
        "measure": "audit files",
        "cold_cache": cold,
        "files": report.checked,
        "mb": round(report.bytes / 1e6),
        "seconds": round(seconds, 1),
        "files_per_s": round(report.checked / seconds),
        "mb_per_s": round(report.bytes / 1e6 / seconds),
        "district_hours": round(per_photo * DISTRICT_PHOTOS / 3600, 1),
    }


def rows(scale: float) -> dict:
    """The generated district's rows, chained, then compared with the trail."""
    import sqlalchemy as sa

    from bench.generate import generate
    from fieldapp.db import db
    from fieldapp.services import audit, tamper

    generate(scale, log=lambda *_: None)
    # The generator writes with Core and no trail (generated history is nobody's action): chain
    # what it wrote as the application would have, so the check below has a trail to compare with.
    for cls in tamper.audited_classes():
        audit.bulk_rows(db.session, "create", db.session.scalars(sa.select(cls)).all())
        db.session.commit()
        db.session.expunge_all()
    started = time.perf_counter()
    report = tamper.check_rows()
    seconds = time.perf_counter() - started
    assert report.findings == [], report.findings[:5]
    return {
        "measure": "audit verify (rows)",
        "rows": report.checked,
        "seconds": round(seconds, 1),
        "rows_per_s": round(report.checked / seconds),
        "district_hours": round(report.checked / scale / (report.checked / seconds) / 3600, 2),
    }


def run(photos: int, scale: float, url: str | None = None) -> list[dict]:
    from fieldapp import create_app

    instance = tempfile.mkdtemp(prefix="fieldapp-bench-integrity-")
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("FIELDAPP_INSTANCE", instance)
    import flask_migrate

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{instance}/bench.db",
            "MEDIA_ROOT": os.path.join(instance, "media"),
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        out = [files(photos, app.config["MEDIA_ROOT"])]
        out.append(rows(scale))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=0.05)
    args = parser.parse_args()
    from bench import results
    from tests import postgres

    with postgres.throwaway_cluster() as url:
        out = run(args.photos, args.scale, url)
    for row in out:
        print(row)
    results.save("integrity", out, {"photos": args.photos, "scale": args.scale})
    return 0


if __name__ == "__main__":
    sys.exit(main())
