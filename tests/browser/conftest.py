"""A real server and a real phone-sized Chromium.

The server is what `make run` serves — gunicorn with the demo data on SQLite —
started from this checkout on a free loopback port. Chromium is Debian's
(/usr/bin/chromium), driven by Playwright; Playwright never downloads a browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import postgres

ROOT = Path(__file__).resolve().parents[2]
FLASK = (sys.executable, "-m", "flask", "--app", "wsgi")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The narrowest phone we promise to support.
PHONE_VIEWPORT = {"width": 360, "height": 780}


def _chromium() -> str:
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.path.exists(candidate):
            return candidate
    raise RuntimeError("Chromium not found: `make test` installs Debian's chromium package when run as root.")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": _chromium(), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(playwright):
    phone = dict(playwright.devices["Pixel 7"])
    phone.pop("default_browser_type", None)
    phone["viewport"] = PHONE_VIEWPORT
    return {**phone, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "service_workers": "allow"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving wsgi:app from this checkout, on a loopback port, with demo data."""

    def __init__(self, instance: Path, port: int | None = None, **env):
        self.instance, self.port = instance, port or _free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
        self.env.update(FIELDAPP_INSTANCE=str(instance), PYTHONPATH=str(ROOT), **env)
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = None

    def flask(self, *args: str) -> None:
        """A Flask command of the app on this server's instance (``fieldapp demo --with-activity``)."""
        subprocess.run(
            [*FLASK, *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def with_activity(self) -> LiveServer:
        """The demo's day of work on top of the district: records, hazards in every state (one
        waiting for its re-check)."""
        self.flask("fieldapp", "demo", "--with-activity")
        return self

    def prepare(self) -> list[dict]:
        for args in (["db", "upgrade"], ["fieldapp", "demo"]):
            self.flask(*args)
        return json.loads(
            subprocess.run(
                [*FLASK, "fieldapp", "demo-accounts", "--json"],
                cwd=ROOT,
                env=self.env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )

    @classmethod
    def copied(cls, template: tuple[Path, list[dict]], instance: Path, **env) -> LiveServer:
        """A server of its own on a copy of a prepared instance (database, media, keys): what
        ``prepare`` makes, without its three Flask commands (4-8 s a test, longer on a busy machine)."""
        shutil.copytree(template[0], instance)
        server = cls(instance, **env)
        server.accounts = {a["username"]: a for a in template[1]}
        return server

    @classmethod
    @contextlib.contextmanager
    def copied_on_postgres(cls, template: tuple[Path, list[dict], str], server_url: str, instance: Path):
        """``copied``, on a copy of the demo's PostgreSQL database (the ``demo_postgres`` fixture's,
        by CREATE DATABASE … TEMPLATE), dropped afterwards; yields the server (not started) and its
        database URL."""
        prepared, accounts, database = template
        with postgres.database_on(server_url, template=database) as url:
            yield cls.copied((prepared, accounts), instance, DATABASE_URL=url), url

    def start(self, *options: str, **env) -> None:
        """``options`` replace the command line's settings: ``-c deploy/gunicorn.conf.py`` serves as
        a deployment does."""
        self.env.update(env)
        log = (self.instance / "gunicorn.log").open("a")
        options = options or ("--workers", "2", "--worker-class", "gthread", "--threads", "4", "--no-control-socket")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as r:  # noqa: S310 - our loopback
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError(f"gunicorn did not become ready; see {self.instance / 'gunicorn.log'}")
            time.sleep(0.2)

    @contextlib.contextmanager
    def running(self):
        """Serving for the block; ``db`` reads its SQLite database (a copied instance's)."""
        if getattr(self, "db", None) is None:
            self.db = sa.create_engine(f"sqlite:///{self.instance / 'fieldapp.db'}")
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The shared server; yields (base_url, demo accounts by username)."""
    server = LiveServer(tmp_path_factory.mktemp("live-instance"))
    accounts = server.prepare()
    server.start()
    try:
        yield server.base, {a["username"]: a for a in accounts}
    finally:
        server.stop()


@pytest.fixture
def base_url(live_server):
    return live_server[0]


@pytest.fixture
def accounts(live_server):
    return live_server[1]


@pytest.fixture
def console_errors(page):
    """Console errors seen on the page (a CSP violation shows up here)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def server(tmp_path, demo_instance):
    """The demo district served by a live app of its own (a copy of the instance: tests may write)."""
    live = LiveServer.copied(demo_instance, tmp_path / "instance")
    live.start()
    try:
        yield live
    finally:
        live.stop()
