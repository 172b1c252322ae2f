"""Every admin endpoint refuses an anonymous caller (401) and a wrong token (401), whatever it is."""

from __future__ import annotations

import re


def admin_routes(client) -> list[tuple[str, str]]:
    """Every admin operation, read from the OpenAPI schema the service publishes."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/admin/api/v1")
        for method in operations
    ]


def concrete(path: str) -> str:
    """Fill path parameters with plausible values so the request reaches the auth check."""
    return re.sub(r"\{[^}]+\}", lambda m: "tax" if "bot" in m.group(0) else "1", path)


def test_should_have_admin_routes(client) -> None:
    routes = admin_routes(client)
    assert len(routes) >= 4
    # the writes residents' questions reach (the matrix below covers whatever the schema lists)
    assert ("POST", "/admin/api/v1/bots/{bot_id}/examples") in routes
    assert ("POST", "/admin/api/v1/bots/{bot_id}/unanswered/{question_id}/not-covered") in routes


def test_should_refuse_anonymous_and_wrong_tokens_on_every_admin_endpoint(client) -> None:
    for method, path in admin_routes(client):
        for headers in ({}, {"Authorization": "Bearer mdg_not-a-token"}):
            response = client.request(method, concrete(path), headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.status_code)
            assert response.json()["error"]["code"] == "unauthorized"
