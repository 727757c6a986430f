"""The reverse proxy proven (issue 33): Debian's nginx runs ``deploy/nginx.conf`` — adapted only
in its ports, its certificate and its upstream addresses — in front of two app instances on one
PostgreSQL and one S3 store. Through it: a login, a synced inspection with a photo and a hazard
confirmed; pages compressed and hashed static files cached for good; the client's address taken
from X-Forwarded-For (in the request log and in the login throttle); and one instance stopped in
the middle of a run of requests without one of them lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.browser.conftest import LiveServer
from tests.factories import csrf_token_of
from tests.helpers import sync_and_confirm_across

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# make test installs nginx (scripts/ensure-system-deps.sh); only a run that bypasses it lacks it.
pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx is installed by make test")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,IP:127.0.0.2", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_conf(folder: Path, upstreams: list[int], http_port: int, https_port: int, cert: Path, key: Path) -> Path:
    """The sample with only its variables changed, inside a main configuration of its own."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for default, port in zip(("127.0.0.1:8000", "127.0.0.1:8001"), upstreams, strict=True):
        site = site.replace(f"server {default} ", f"server 127.0.0.1:{port} ")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};").replace("listen [::]:80;", "")
    site = site.replace("listen 443 ssl http2;", f"listen {https_port} ssl http2;").replace(
        "listen [::]:443 ssl http2;", ""
    )
    site = site.replace("/etc/ssl/fieldapp/fullchain.pem", str(cert)).replace("/etc/ssl/fieldapp/privkey.pem", str(key))
    assert site.count(str(https_port)) == 1 and str(upstreams[1]) in site, "the sample's variables moved"
    (folder / "site.conf").write_text(site)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir()
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{}}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy; fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return main


class FromAddress(HTTPAdapter):
    """Connections from another loopback address: a different client, as nginx sees it."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _browser(base: str) -> requests.Session:
    session = requests.Session()
    session.headers["Referer"] = f"{base}/"  # as a browser sends it (CSRF checks it over https)
    return session


def _login(username: str, token: str, password: str = "Demo2026") -> dict:  # noqa: S107 - the demo accounts
    return {"login": username, "password": password, "csrf_token": token}


def _wait(url: str, **kw) -> None:
    for _ in range(100):
        try:
            requests.get(url, timeout=2, **kw)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers at {url}")


def test_two_instances_behind_the_sample_nginx(own_postgres_database, s3_endpoint, tmp_path, monkeypatch):
    credentials = {"AWS_ACCESS_KEY_ID": "fieldapp-test", "AWS_SECRET_ACCESS_KEY": "fieldapp-test"}
    keys = {k.lower(): v for k, v in credentials.items()}
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **keys).create_bucket(Bucket="behind-nginx")
    env = {
        "DATABASE_URL": own_postgres_database,
        "SECRET_KEY": "nginx-test",
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": "behind-nginx",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": "us-east-1",
        "PROXY_COUNT": "1",
        "LOG_JSON": "1",
        "LOGIN_MAX_FAILURES_PER_IP": "3",
        **credentials,
    }
    servers = [LiveServer(tmp_path / name, **env) for name in ("a", "b")]
    for server in servers:
        server.instance.mkdir()
    accounts = {x["username"]: x for x in servers[0].prepare()}
    for server in servers:
        server.start()
    proxy_dir = tmp_path / "nginx"
    proxy_dir.mkdir()
    cert, key = _certificate(proxy_dir)
    http_port, https_port = _port(), _port()
    conf = _nginx_conf(proxy_dir, [s.port for s in servers], http_port, https_port, cert, key)
    checked = subprocess.run([NGINX, "-t", "-c", conf, "-p", proxy_dir], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", conf, "-p", proxy_dir], stderr=subprocess.PIPE)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    base = f"https://127.0.0.1:{https_port}"
    try:
        _wait(f"{base}/healthz")
        # Plain http is sent to https.
        plain = requests.get(f"http://127.0.0.1:{http_port}/login", allow_redirects=False, timeout=5)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

        # Compressed pages, hashed static files cached for good, the request id passed on.
        login = requests.get(f"{base}/login", headers={"Accept-Encoding": "br, gzip"}, timeout=10)
        assert login.headers.get("Content-Encoding") == "br" and "登录" in login.text
        assert re.fullmatch(r"[0-9a-f]{32}", login.headers["X-Request-ID"])
        css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', login.text).group(1)
        static = requests.get(base + css, headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert "immutable" in static.headers["Cache-Control"] and static.headers.get("Content-Encoding") == "gzip"

        # The field loop through the proxy: a sync with a photo (S3), a hazard confirmed.
        sync_and_confirm_across(base, base, accounts)

        # The client's own address, from X-Forwarded-For: in the request log, and in the throttle
        # (three wrong passwords from 127.0.0.2 stop that client, not the others).
        other = _browser(base)
        other.mount("https://", FromAddress("127.0.0.2"))
        for _ in range(4):
            token = csrf_token_of(other, f"{base}/login")
            refused = other.post(f"{base}/login", data=_login("officer", token, "wrong"), timeout=10)
        assert refused.status_code == 429 or "尝试次数过多" in refused.text, refused.text[:300]
        fine = _browser(base)
        token = csrf_token_of(fine, f"{base}/login")
        answer = fine.post(f"{base}/login", data=_login("inspector", token), allow_redirects=False, timeout=10)
        assert answer.status_code == 302
        logged = [
            json.loads(line)
            for server in servers
            for line in (server.instance / "gunicorn.log").read_text().splitlines()
            if line.startswith("{") and '"request"' in line
        ]
        assert {"127.0.0.2", "127.0.0.1"} <= {line.get("ip") for line in logged if line.get("path") == "/login"}

        # One instance stopped while requests keep coming: nginx sends them to the other; none lost.
        outcomes: list[int] = []
        stop = threading.Event()

        def keep_asking():
            with requests.Session() as client:
                while not stop.is_set():
                    outcomes.append(client.get(f"{base}/login", timeout=10).status_code)

        asking = threading.Thread(target=keep_asking)
        asking.start()
        time.sleep(0.5)
        servers[0].stop()
        time.sleep(1.5)
        stop.set()
        asking.join(20)
        assert len(outcomes) > 10 and set(outcomes) == {200}, outcomes
        inspector = _browser(base)
        token = csrf_token_of(inspector, f"{base}/login")
        after = inspector.post(f"{base}/login", data=_login("inspector", token), allow_redirects=False, timeout=10)
        assert after.status_code == 302  # a POST after the stop reaches the instance still up
    finally:
        nginx.terminate()
        nginx.wait(10)
        for server in servers:
            server.stop()
