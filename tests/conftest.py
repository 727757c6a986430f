"""Fixtures: the app on SQLite and on a real PostgreSQL, a test client, factories, logins.

Every test that takes ``app`` (or anything built on it) runs twice: once per
database. Tables are emptied after each test; the schema comes from the
Alembic migrations, so they are tested on both databases too.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

# Settings the app reads at import: keep the suite off the developer's instance folder.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ["FIELDAPP_INSTANCE"] = tempfile.mkdtemp(prefix="fieldapp-instance-")

import flask_migrate  # noqa: E402
import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402

from fieldapp import clock, create_app  # noqa: E402
from fieldapp.db import db as _db  # noqa: E402
from fieldapp.services import checklists  # noqa: E402
from tests import postgres  # noqa: E402
from tests.dates import MOMENTS, Moment  # noqa: E402
from tests.factories import Factory, build_world  # noqa: E402

#: Real scrypt with lighter parameters: the suite hashes many passwords.
TEST_HASH = "scrypt:4096:8:1"


def make_app(db_url: str, tmp_dir: str, **overrides):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "MEDIA_ROOT": os.path.join(tmp_dir, "media"),
        "PASSWORD_HASH_METHOD": TEST_HASH,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


def pytest_configure(config):
    config.addinivalue_line("markers", "dated: runs at each moment of tests/dates.py (the app's clock moved there)")
    config.addinivalue_line(
        "markers",
        "clock(at): runs with the app's clock at ``at`` (ISO 8601 with its offset), "
        "for a scenario written on fixed dates",
    )


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("dated"):
        metafunc.parametrize("moment", MOMENTS, ids=[m.id for m in MOMENTS], indirect=True)


@pytest.fixture(autouse=True)
def moment(request):
    """For a test marked ``dated``: the app's clock at one of tests/dates.py's moments, with that
    moment's holiday calendar loaded. Set up before any other fixture of the test, so the world it
    builds is made at that moment too."""
    chosen = getattr(request, "param", None)
    pinned = request.node.get_closest_marker("clock")
    if pinned is not None:
        chosen = Moment("pinned", datetime.fromisoformat(pinned.args[0]))
    if chosen is None or chosen.at is None:
        yield chosen
        return
    with clock.travel(chosen.at):
        if chosen.calendar:
            from fieldapp.models import Holiday

            request.getfixturevalue("db")
            _db.session.add_all(Holiday(day=day, name=name, workday=workday) for day, name, workday in chosen.calendar)
            _db.session.commit()
        yield chosen


@pytest.fixture(scope="session")
def bare_app(tmp_path_factory):
    """An app for code that needs a request context (translations) but no database."""
    return make_app("sqlite://", str(tmp_path_factory.mktemp("bare")))


@pytest.fixture(scope="session")
def postgres_url():
    with postgres.postgres() as url:
        yield url


@pytest.fixture
def own_postgres_database(postgres_url):
    """A database of its own on the test session's PostgreSQL server, for app processes started
    by a test (gunicorn), which migrate and fill it themselves."""
    with postgres.database_on(postgres_url) as url:
        yield url


def _live_server():
    """tests/browser/conftest.py's LiveServer (a late import: that module is the browser tests' conftest)."""
    from tests.browser.conftest import LiveServer

    return LiveServer


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory) -> tuple:
    """An instance prepared once with the demo data, for tests that copy it (``LiveServer.copied``)."""
    template = tmp_path_factory.mktemp("demo-template")
    return template, _live_server()(template).prepare()


@pytest.fixture(scope="session")
def demo_postgres(tmp_path_factory, postgres_url):
    """The demo district prepared once on the session's PostgreSQL: its instance folder (media,
    keys), its accounts and its database, the template ``own_demo_postgres`` copies. Kept open
    for the session, as the test session's server is."""
    with postgres.database_on(postgres_url) as url:
        instance = tmp_path_factory.mktemp("demo-pg-template")
        accounts = _live_server()(instance, DATABASE_URL=url).prepare()
        yield instance, accounts, sa.engine.make_url(url).database


@pytest.fixture
def own_demo_postgres(postgres_url, demo_postgres, tmp_path):
    """A server of the test's own on a copy of the demo's PostgreSQL database (seconds less than
    ``prepare``'s three Flask commands); yields it (not started) and its database URL."""
    with _live_server().copied_on_postgres(demo_postgres, postgres_url, tmp_path / "instance") as made:
        yield made


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    application = make_app(db_url, str(tmp_path_factory.mktemp("app")))
    with application.app_context():
        flask_migrate.upgrade()
    return application


def _empty_all_tables():
    _db.session.rollback()
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Deleting hazards writes to the tallies (triggers): empty those after them.
            tallies = ("hazard_tallies", "hazard_close_days")
            tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in tallies]
            after = tables.index(_db.metadata.tables["hazards"]) + 1
            tables[after:after] = [_db.metadata.tables[name] for name in tallies]
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    """An app context with empty tables but the reference data (as after `db upgrade` and
    `fieldapp seed`, made at the test's moment); emptied again afterwards."""
    with app.app_context():
        checklists.seed()
        yield _db
        _db.session.rollback()
        _empty_all_tables()
        _db.session.remove()


class Client(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session),
    as on a real server, even though the test holds one open; afterwards the
    test's own session is expired so that it sees what the request committed."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()
        return response


@pytest.fixture
def client(app, db):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def make_client(app, db):
    """More clients (more devices, more users) in one test."""
    app.test_client_class = Client
    return app.test_client


@pytest.fixture
def factory(db):
    return Factory(TEST_HASH)


@pytest.fixture
def world(factory):
    return build_world(factory)


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3-protocol server (moto's server mode) on loopback, for the S3 storage's tests."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
