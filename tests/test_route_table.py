"""Every route is declared here with who may reach it; a new route without a line fails.

The full role-by-role authorisation matrix comes with the security issue; this table
already guarantees that nothing new is reachable by accident: what is not public
demands a login (302 to the login page, or 401 for the API) and every write demands
a CSRF token.
"""

import re

import pytest

from tests.helpers import logged_in
from tests.routes import ROUTES, sample_value, urls_of


#: endpoint -> "public" or the policy action (or "login") guarding it
def test_every_route_is_declared(app):
    assert set(app.view_functions) == set(ROUTES)
    from fieldapp import policy

    for action in set(ROUTES.values()) - {"public", "login"}:
        assert action in policy.ACTION_ROLES, action


def test_anything_not_public_needs_a_login(app, client):
    for endpoint, method, url in urls_of(app):
        if ROUTES[endpoint] == "public":
            continue
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, url, response.status_code)
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"], (endpoint, url)
        else:  # a write without a session: refused before anything happens
            assert response.status_code in (302, 400), (endpoint, method, url, response.status_code)


@pytest.mark.parametrize("username", ["insp_a1", "admin_d"])
def test_every_write_needs_a_csrf_token(app, make_client, world, username):
    c = logged_in(make_client(), username)
    for endpoint, method, url in urls_of(app):
        if method in ("GET",) or endpoint == "auth.login":
            continue
        response = c.open(url, method=method, data={"x": "1"})
        assert response.status_code == 400, (endpoint, method, url, response.status_code)
        assert c.get("/").status_code == 200  # and the session is untouched


def test_ids_too_large_for_the_database_are_not_found(app, client, make_client, world):
    """Every route with an id, given one larger than an INTEGER column holds: 404 like any
    unknown id — PostgreSQL refuses such a number in a query outright, which was a 500 (found by
    the API fuzzing) — and the synced record naming such an enterprise is refused as input."""
    logged_in(client, "admin_d")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "<int:" not in rule.rule:
            continue
        url = re.sub(
            r"<int:\w+>",
            "3000000000",
            re.sub(
                r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>",
                lambda m: sample_value(m) if m.group(1) != "int" else m.group(0),
                rule.rule,
            ),
        )
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked > 20
    phone = logged_in(make_client(), "insp_a1")
    token = phone.get("/api/v1/me").get_json()["csrf_token"]
    answer = phone.post(
        "/api/v1/inspections",
        json={
            "uuid": "7f1c0c52-8b0e-4c8e-9d39-1a2b3c4d5e6f",
            "enterprise_id": 3_000_000_000,
            "started_at": "2026-11-22T10:00:00+08:00",
        },
        headers={"X-CSRFToken": token},
    )
    assert 400 <= answer.status_code < 500 and "enterprise_id" in answer.get_data(as_text=True)
