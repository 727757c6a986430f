"""The migrations build exactly the tables the models describe, on both databases."""

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fieldapp.db import db as _db
from fieldapp.models import OrgUnit


def test_migrations_match_models(db):
    with _db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), _db.metadata)
    assert diff == []


def test_naive_datetimes_are_refused(db):
    unit = OrgUnit(code="X1", name="x", kind="district", path="/", created_at=datetime(2026, 1, 1))
    db.session.add(unit)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()


def test_datetimes_come_back_aware_utc(db):
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    db.session.add(OrgUnit(code="X2", name="x", kind="district", path="/", created_at=moment))
    db.session.commit()
    db.session.expire_all()
    assert db.session.query(OrgUnit).one().created_at == moment


def test_postgresql_sessions_plan_each_query_for_its_values_without_jit(postgres_url, tmp_path):
    """Prepared statements drift to generic plans that ignore the values, and JIT compiled
    a 40 ms dashboard query for 20 ms more on every run: both are off for the app. (PostgreSQL
    settings: the test takes the PostgreSQL URL, not the app of both databases.)"""
    from tests.conftest import make_app

    app = make_app(postgres_url, str(tmp_path))
    with app.app_context(), _db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert conn.connection.driver_connection.prepare_threshold is None
        _db.engine.dispose()


def test_a_database_url_keeps_its_own_connection_options(postgres_url, tmp_path):
    """A URL's ``options`` (here a schema on a shared server) still apply beside the app's."""
    from tests import postgres
    from tests.conftest import make_app

    with postgres.schema_on(postgres_url) as url:
        app = make_app(url, str(tmp_path))
        with app.app_context(), _db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW search_path").scalar().startswith("fieldapp_test_")
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
            _db.engine.dispose()
