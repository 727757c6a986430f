"""What ``make run`` serves over a weak link, with no proxy in front: gunicorn as the Makefile starts
it answers pages and JSON compressed (brotli or gzip, as the phone asks), and static files under
content-hashed names, precompressed and cached for good (``immutable``), the module graph included.
"""

from __future__ import annotations

import re

import requests

from tests.browser.conftest import LiveServer
from tests.factories import log_in_over_http

YEAR = 365 * 24 * 3600


def _max_age(response: requests.Response) -> int:
    found = re.search(r"max-age=(\d+)", response.headers.get("Cache-Control", ""))
    return int(found.group(1)) if found else -1


def _assets(html: str) -> list[str]:
    """The scripts and stylesheets a page loads."""
    return re.findall(r'<(?:script[^>]* src|link rel="(?:modulepreload|stylesheet)" href)="([^"]+)"', html)


def test_the_embedded_server_compresses_and_caches_hashed_static_files(tmp_path, demo_instance):
    server = LiveServer.copied(
        demo_instance, tmp_path / "instance", SECRET_KEY="compression-test", MEDIA_ROOT=str(tmp_path / "media")
    )
    server.start()  # the Makefile's `serve` line: gunicorn, gthread workers, no proxy
    try:
        base = server.base
        for asked, said in (("br", "br"), ("gzip", "gzip"), ("br, gzip", "br")):
            page = requests.get(f"{base}/login", headers={"Accept-Encoding": asked}, timeout=10)
            assert page.headers.get("Content-Encoding") == said and "登录" in page.text
            assert "Accept-Encoding" in page.headers.get("Vary", "")
        plain = requests.get(f"{base}/login", headers={"Accept-Encoding": "identity"}, timeout=10)
        assert "Content-Encoding" not in plain.headers and "登录" in plain.text

        statics = re.findall(r'(?:src|href)="(/static/[^"]+)"', plain.text)
        hashed = [url for url in statics if re.search(r"\.[0-9a-f]{12}\.(js|css|svg)$", url)]
        assert any(url.startswith("/static/css/app.") for url in hashed), statics
        assert any(url.startswith("/static/js/app.") for url in hashed), statics
        for url in hashed:
            answer = requests.get(base + url, headers={"Accept-Encoding": "br"}, timeout=10)
            assert answer.status_code == 200 and answer.headers.get("Content-Encoding") == "br", url
            assert "immutable" in answer.headers["Cache-Control"] and _max_age(answer) >= YEAR, url
            assert answer.headers.get("X-Content-Type-Options") == "nosniff"
        # What a module imports is hashed (and so immutable) too: the page never revalidates it.
        app_js = requests.get(base + next(u for u in hashed if u.startswith("/static/js/app.")), timeout=10).text
        assert re.search(r'from "\./photo\.[0-9a-f]{12}\.js"', app_js), app_js[:400]
        # A file under its own name (a page of an older release may ask for it) is asked about every time.
        own_name = requests.get(f"{base}/static/js/store.js", timeout=10)
        assert own_name.status_code == 200 and _max_age(own_name) == 0

        inspector = log_in_over_http(base, "inspector")
        # The login page carries its stylesheet and prefetches what an inspector's first page adds to
        # its own scripts, and that stylesheet, no more.
        home = inspector.get(f"{base}/", timeout=10).text
        prefetched = re.findall(r'<link rel="prefetch" href="([^"]+)"', plain.text)
        assert prefetched and all(re.search(r"\.[0-9a-f]{12}\.(js|css)$", url) for url in prefetched), prefetched
        assert set(prefetched) == set(_assets(home)) - set(_assets(plain.text))
        assert "<style>" in plain.text and any(url.endswith(".css") for url in prefetched)
        pack = inspector.get(f"{base}/api/v1/pack", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert pack.status_code == 200 and pack.headers.get("Content-Encoding") == "gzip"
        assert pack.json()["enterprises"]
        asked = {"Accept-Encoding": "gzip", "If-None-Match": pack.headers["ETag"]}
        again = inspector.get(f"{base}/api/v1/pack", headers=asked, timeout=10)
        assert again.status_code == 304  # the compressed answer's validator still saves the download
    finally:
        server.stop()


def test_the_embedded_server_keeps_the_photos_that_arrived_before_a_cut(tmp_path, demo_instance):
    """A phone's connection drops in the third photo of a batch: gunicorn hands the app what came,
    and the two whole photos are kept (asked for afterwards, as the phone does). A phone whose
    signal goes silent, its connection left open: a slow batch's photos are stored as they arrive,
    and the silent body fails after MEDIA_BODY_SILENCE_SECONDS, freeing its worker thread."""
    import hashlib
    import socket
    import time
    import uuid
    from urllib.parse import urlparse

    from tests.helpers import media_batch_body
    from tests.images import jpeg, noisy_jpeg

    server = LiveServer.copied(
        demo_instance,
        tmp_path / "instance",
        SECRET_KEY="cut-test",
        MEDIA_ROOT=str(tmp_path / "media"),
        MEDIA_BODY_SILENCE_SECONDS="4",
    )
    server.start()
    try:
        inspector = log_in_over_http(server.base, "inspector")
        token = inspector.get(f"{server.base}/api/v1/me", timeout=10).json()["csrf_token"]
        cookie = "; ".join(f"{c.name}={c.value}" for c in inspector.cookies)
        where = urlparse(server.base)

        def head(content_type: str, length: int) -> bytes:
            return (
                f"POST /api/v1/media HTTP/1.1\r\nHost: {where.netloc}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {length}\r\nCookie: {cookie}\r\nX-CSRFToken: {token}\r\n\r\n"
            ).encode()

        def known_within(seconds: float, items) -> list[str]:
            manifest = [{"uuid": u, "sha256": hashlib.sha256(d).hexdigest()} for u, d in items]
            known: list = []
            for _ in range(int(seconds * 10)):
                known = inspector.post(
                    f"{server.base}/api/v1/media/known",
                    json={"media": manifest},
                    headers={"X-CSRFToken": token, "Connection": "close"},  # not one the server let go idle
                ).json()["known"]
                if known:
                    break
                time.sleep(0.1)
            return known

        items = [(str(uuid.uuid4()), jpeg(640, 480, color=(i * 70, 40, 40))) for i in range(3)]
        body, content_type = media_batch_body(items)
        cut = body.index(items[2][1]) + len(items[2][1]) // 2
        with socket.create_connection((where.hostname, where.port), timeout=10) as raw:
            raw.sendall(head(content_type, len(body)) + body[:cut])
            raw.shutdown(socket.SHUT_WR)  # the connection closes
        assert known_within(5, items) == sorted([items[0][0], items[1][0]])

        items = [(str(uuid.uuid4()), noisy_jpeg(400, 300)) for i in range(2)]
        body, content_type = media_batch_body(items)
        first, second = body.index(items[0][1]), body.index(items[1][1])
        with socket.create_connection((where.hostname, where.port), timeout=10) as raw:
            raw.sendall(head(content_type, len(body)) + body[:first])
            time.sleep(2.5)  # a slow link: the batch has taken longer than two seconds
            raw.sendall(body[first : second + 20_000])  # the first photo, and some of the second
            assert known_within(5, items) == [items[0][0]]  # stored as it came, the connection still open
            began = time.monotonic()
            answer = raw.recv(4096)
            assert answer.startswith(b"HTTP/1.1 400") and time.monotonic() - began < 8, answer[:200]
    finally:
        server.stop()
