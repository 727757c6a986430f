"""Budget: the inspector's app shell (HTML + CSS + JS, gzip-compressed) on first load.

    .venv/bin/python -m bench.shell

Target (issue 5): <= 80 KB compressed. Never run by the test suite.
"""
from __future__ import annotations

import gzip
import os
import re
import sys
import tempfile

os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("FIELDAPP_INSTANCE", tempfile.mkdtemp(prefix="fieldapp-bench-"))

import flask_migrate  # noqa: E402

from fieldapp import create_app  # noqa: E402
from fieldapp.services import demo  # noqa: E402
from tests.helpers import logged_in  # noqa: E402


def main() -> int:
    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "MEDIA_ROOT": tmp,
                      "PASSWORD_HASH_METHOD": "scrypt:4096:8:1"})
    with app.app_context():
        flask_migrate.upgrade()
        demo.load(hash_method="scrypt:4096:8:1")
    client = logged_in(app.test_client(), "inspector", demo.DEMO_PASSWORD)
    total_raw = total_gz = 0
    print(f"{'page or asset':<44}{'bytes':>9}{'gzip':>9}")
    for page in ("/", "/inspections/patrol", "/enterprises/", "/capture", "/outbox", "/offline"):
        html = client.get(page).data
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
        for name, body in [(page, html)] + [(a.decode(), client.get(a.decode()).data) for a in assets]:
            gz = len(gzip.compress(body, 6))
            print(f"{name:<44}{len(body):>9}{gz:>9}")
        first = len(gzip.compress(html, 6)) + sum(len(gzip.compress(client.get(a.decode()).data, 6))
                                                   for a in assets)
        total_gz = max(total_gz, first)
        total_raw = max(total_raw, len(html) + sum(len(client.get(a.decode()).data) for a in assets))
    print(f"{'largest first load (page + its CSS/JS)':<44}{total_raw:>9}{total_gz:>9}  target <= 81920 gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
