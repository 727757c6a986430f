"""/healthz and /readyz."""

import flask_migrate

from tests.conftest import make_app


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "head"}


def test_readyz_when_migrations_are_behind(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", str(tmp_path), READYZ_TOKEN="deploy-token")
    client = app.test_client()
    # Which revision runs is said to this machine and to whoever brings the token, nobody else.
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    response = client.get("/readyz", environ_base=outside)
    assert response.status_code == 503 and response.get_json() == {
        "status": "unavailable",
        "database": "ok",
        "migrations": "behind",
    }
    assert "head" not in client.get("/readyz", environ_base=outside, headers={"X-Readyz-Token": "wrong"}).get_json()
    assert "head" in client.get("/readyz", environ_base=outside, headers={"X-Readyz-Token": "deploy-token"}).get_json()
    response = client.get("/readyz", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_json()["migrations"] == "behind" and response.get_json()["head"]
    with app.app_context():
        flask_migrate.upgrade()
    assert client.get("/readyz").status_code == 200


def test_readyz_when_database_is_unreachable(tmp_path):
    app = make_app("postgresql+psycopg://nobody@/nothing?host=/nonexistent&port=1", str(tmp_path))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"
