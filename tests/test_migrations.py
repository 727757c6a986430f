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


def test_0021_lets_a_city_head_the_tree_and_keeps_other_kinds_out(empty_db_url, tmp_path):
    app = make_app(empty_db_url, str(tmp_path))
    insert = sa.text(
        "INSERT INTO org_units (id, code, name, kind, parent_id, path, created_at) "
        "VALUES (:id, :code, '单位', :kind, :parent, '/', :t)"
    )
    with app.app_context():
        flask_migrate.upgrade(revision="0020_audit_object_index")
        engine = sa.create_engine(empty_db_url)
        with engine.begin() as conn:
            conn.execute(insert, {"id": 2, "code": "D", "kind": "district", "parent": None, "t": datetime(2026, 1, 1)})
            conn.execute(
                sa.text(
                    "INSERT INTO grids (id, code, name, org_unit_id, area, created_at) VALUES (1, 'G', 'g', 2, '', :t)"
                ),
                {"t": datetime(2026, 1, 1)},
            )
        flask_migrate.upgrade()  # SQLite copies org_units, which a grid refers to
        with engine.begin() as conn:
            conn.execute(insert, {"id": 1, "code": "C", "kind": "city", "parent": None, "t": datetime(2026, 1, 1)})
            conn.execute(sa.text("UPDATE org_units SET parent_id = 1 WHERE id = 2"))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(insert, {"id": 3, "code": "X", "kind": "province", "parent": None, "t": datetime(2026, 1, 1)})
        flask_migrate.downgrade(revision="0020_audit_object_index")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, kind FROM org_units ORDER BY id")).all() == [
                (1, "district"),
                (2, "district"),
            ]
            assert conn.execute(sa.text("SELECT org_unit_id FROM grids")).scalar_one() == 2
        flask_migrate.upgrade()
        if empty_db_url.startswith("sqlite"):
            from fieldapp.db import db

            with db.engine.connect() as conn:  # the migrations' connection enforces keys again
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        engine.dispose()
