"""The OpenAPI document describes exactly the /api/v1 routes, and responses match it."""

import re

from tests.helpers import logged_in


def _documented(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_every_api_route_is_documented_and_nothing_else(app, client):
    doc = _documented(client)
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    actual = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            actual |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == actual


def test_responses_carry_the_documented_fields(client, world):
    doc = _documented(client)
    logged_in(client, "insp_a1")
    schemas = doc["components"]["schemas"]
    for path, schema in (("/api/v1/me", "Me"), ("/api/v1/pack", "Pack"), ("/api/v1/enterprises", "EnterprisePage")):
        body = client.get(path).get_json()
        assert set(body) == set(schemas[schema]["properties"]), path
    error = client.get("/api/v1/enterprises/999999").get_json()
    assert set(error) <= set(schemas["Error"]["properties"])
