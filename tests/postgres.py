"""A real PostgreSQL for the test session: a throwaway cluster, or the server you name.

Recipe from shared/TESTING.md: initdb/pg_ctl refuse to run as root, so as root
they run as the ``postgres`` user. A URL given in TEST_DATABASE_URL (or a
PostgreSQL DATABASE_URL) is used instead, inside a schema of its own that is
dropped afterwards, so the suite never touches your data.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from fieldapp.config import normalise_database_url


def _bin_dir() -> Path:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if dirs:
        return Path(dirs[-1])
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    raise RuntimeError(
        "PostgreSQL binaries not found: install Debian's 'postgresql' package "
        "(make test does this when run as root) or set TEST_DATABASE_URL."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], as_postgres: bool) -> None:
    cmd = ["runuser", "-u", "postgres", "--", *args] if as_postgres else args
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@contextmanager
def throwaway_cluster():
    bindir = _bin_dir()
    as_postgres = os.geteuid() == 0
    base = Path(tempfile.mkdtemp(prefix="fieldapp-pg-"))
    sock = base / "sock"
    sock.mkdir()
    if as_postgres:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    data = base / "data"
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "app",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        as_postgres,
    )
    _run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "pg.log"),
            "-o",
            f"-c listen_addresses='' -k {sock} -p {port} -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off",
            "start",
        ],
        as_postgres,
    )
    try:
        _run([str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "app", "appdb"], as_postgres)
        yield f"postgresql+psycopg://app@/appdb?host={sock}&port={port}"
    finally:
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], as_postgres)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def database_on(server_url: str, template: str | None = None):
    """A database of its own on ``server_url``'s server (a copy of ``template``, which no one may be
    connected to), dropped afterwards; yields its URL."""
    name = f"own_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def schema_on(url: str):
    """A fresh schema on a server someone else runs, used through search_path."""
    url = normalise_database_url(url)
    schema = f"fieldapp_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@contextmanager
def postgres():
    given = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if given.startswith(("postgres://", "postgresql")):
        with schema_on(given) as url:
            yield url
    else:
        with throwaway_cluster() as url:
            yield url
