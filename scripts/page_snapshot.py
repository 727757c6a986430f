"""Every page of the demo district as each demo account sees it, fingerprinted: for checking that
a restructuring changed no page. Run it before and after, then compare the two files:

    .venv/bin/python scripts/page_snapshot.py /tmp/before.json
    (change the code)
    .venv/bin/python scripts/page_snapshot.py /tmp/after.json --compare /tmp/before.json

It builds the demo with its day of work in a fresh SQLite database, at a fixed moment, then follows
every link from each account's home page (as the browser crawl in tests/browser does) with Flask's
test client. What differs from run to run by design is masked before hashing: CSRF tokens, fresh
uuids, and content hashes (they cover the seconds at which the demo's records were written).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import sys
import tempfile
from collections import deque
from datetime import datetime
from pathlib import Path

import flask_migrate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from the checkout

from fieldapp import clock, create_app  # noqa: E402 - after the path is set
from tests.crawl import page_kind  # noqa: E402

DUMP: Path | None = None
MOMENT = datetime.fromisoformat("2026-12-04T10:00:00+08:00")  # a Friday, mid-period
SKIP = re.compile(r"\.xlsx|/export|/media/|/photos?/|/download|/logout|/print|\.png|/notice")
MASKS = [
    (re.compile(r'(name="csrf[-_]token" (?:content|value)=")[^"]+'), r"\1CSRF"),
    (re.compile(r'(name="(?:csrf_token|stamp)" type="hidden" value=")[^"]+'), r"\1TOKEN"),
    (re.compile(r'(type="hidden" name="stamp" value=")[^"]+'), r"\1TOKEN"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "UUID"),
    (re.compile(r"\b[0-9a-f]{40,64}\b"), "HASH"),
    (re.compile(r"data:image/svg\+xml[^\"']+"), "QR"),
]


def _crawl(client, username: str, password: str) -> dict[str, str]:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"login": username, "password": password, "csrf_token": token})
    assert answer.status_code == 302, f"{username} could not log in"
    seen, out, queue = set(), {}, deque(["/"])
    while queue:
        path = queue.popleft()
        if SKIP.search(path) or page_kind(path) in seen:
            continue
        seen.add(page_kind(path))
        response = client.get(path)
        if "-v" in sys.argv:
            print(username, path, response.status_code, len(response.get_data()), len(queue), flush=True)
        body = response.get_data(as_text=True)
        for pattern, replacement in MASKS:
            body = pattern.sub(replacement, body)
        out[path] = f"{response.status_code} {hashlib.sha256(body.encode()).hexdigest()[:16]}"
        if DUMP:
            (DUMP / f"{username}{re.sub(r'[^0-9A-Za-z]+', '-', path)}.html").write_text(body, encoding="utf-8")
        if response.status_code == 200 and response.mimetype == "text/html":
            queue.extend(html.unescape(h).split("#")[0] for h in re.findall(r'href="(/[^"]*)"', body))
    return out


def snapshot() -> dict[str, dict[str, str]]:
    from fieldapp.services import demo, demo_activity

    with tempfile.TemporaryDirectory() as tmp, clock.travel(MOMENT):
        app = create_app(
            {
                "TESTING": True,
                "SERVER_NAME": None,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/snapshot.db",
                "MEDIA_ROOT": f"{tmp}/media",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        with app.app_context():
            flask_migrate.upgrade(directory=str(ROOT / "migrations"))
            demo.load(hash_method="pbkdf2:sha256:1000")
            demo_activity.load()
            accounts = demo.accounts()
        return {a["username"]: _crawl(app.test_client(), a["username"], a["password"]) for a in accounts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-v", action="store_true", help="print each page as it is read")
    parser.add_argument("--dump", type=Path, help="also write each page (masked) into this folder, to diff")
    parser.add_argument("--compare", type=Path, help="a snapshot taken before; list the pages that differ")
    args = parser.parse_args()
    global DUMP
    DUMP = args.dump
    if DUMP:
        DUMP.mkdir(parents=True, exist_ok=True)
    pages = snapshot()
    args.out.write_text(json.dumps(pages, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{sum(len(p) for p in pages.values())} pages of {len(pages)} accounts -> {args.out}")
    if not args.compare:
        return 0
    before = json.loads(args.compare.read_text(encoding="utf-8"))
    differ = [
        (who, path)
        for who in sorted(set(before) | set(pages))
        for path in sorted(set(before.get(who, {})) | set(pages.get(who, {})))
        if before.get(who, {}).get(path) != pages.get(who, {}).get(path)
    ]
    for who, path in differ:
        print(f"differs: {who} {path}")
    print("identical" if not differ else f"{len(differ)} pages differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
