"""Migrations carry existing data forward, and go back down cleanly, on both databases."""

from datetime import datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from tests import postgres
from tests.conftest import make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        with postgres.schema_on(request.getfixturevalue("postgres_url")) as url:
            yield url


def test_0002_moves_enterprises_into_their_district(empty_db_url, tmp_path):
    app = make_app(empty_db_url, str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(revision="0001_foundation")
        engine = sa.create_engine(empty_db_url)
        now = datetime(2026, 1, 1)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO org_units (id, code, name, kind, parent_id, path, created_at) VALUES "
                    "(1, 'D', '区', 'district', NULL, '/1/', :t), (2, 'T', '镇', 'town', 1, '/1/2/', :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO grids (id, code, name, org_unit_id, area, created_at) "
                    "VALUES (1, 'G1', '网格', 2, '', :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO enterprises (id, name, uscc, grid_id, status, address, created_at) "
                    "VALUES (1, '甲公司', '91110000600037341L', 1, 'active', '甲路 1 号', :t)"
                ),
                {"t": now},
            )
        flask_migrate.upgrade()
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "SELECT district_id, operating_address, registered_address, "
                    "pending_review, updated_at FROM enterprises"
                )
            ).one()
        assert row[0] == 1 and row[1] == "甲路 1 号" and row[2] == "" and not row[3] and row[4] is not None
        flask_migrate.downgrade(revision="0001_foundation")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT address FROM enterprises")).scalar_one() == "甲路 1 号"
        flask_migrate.upgrade()
        engine.dispose()
