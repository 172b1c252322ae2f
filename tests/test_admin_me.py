"""GET /admin/api/v1/me: the calling token's name, role, department and the bots it may edit."""

from __future__ import annotations

import pytest

from tests.conftest import bearer

API = "/admin/api/v1"
ALL_BOTS = ["consumer", "covid_general", "covid_sticker", "covid_tracing", "inquiry", "tax"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (
            "strategy",
            {"name": "test strategy", "role": "strategy", "department": None, "editable_bots": ALL_BOTS},
        ),
        ("viewer", {"name": "test viewer", "role": "viewer", "department": None, "editable_bots": []}),
        (
            "fumin",
            {
                "name": "test 府民文化",
                "role": "department",
                "department": "府民文化",
                "editable_bots": ["consumer", "inquiry"],
            },
        ),
        (
            "zaimu",
            {
                "name": "test 財務・税務",
                "role": "department",
                "department": "財務・税務",
                "editable_bots": ["tax"],
            },
        ),
    ],
)
def test_should_describe_the_calling_token(client, tokens, token: str, expected: dict) -> None:
    # Given a token of each role, When it asks who it is
    response = client.get(f"{API}/me", headers=bearer(tokens[token]))
    # Then it gets its own name, role, department and editable bots, and nothing else
    assert response.status_code == 200, response.text
    assert response.json() == expected


def test_should_list_exactly_the_bots_the_pack_api_lets_the_token_change(client, tokens) -> None:
    # Given every bot, and a pack version that does not exist (so nothing can change)
    for token in ("strategy", "viewer", "fumin", "zaimu"):
        editable = set(client.get(f"{API}/me", headers=bearer(tokens[token])).json()["editable_bots"])
        for bot in ALL_BOTS:
            # When the token tries to activate it
            response = client.post(f"{API}/bots/{bot}/packs/999999/activate", headers=bearer(tokens[token]))
            # Then a bot listed as editable gets past the role and department checks (404 for the
            # version), and every other bot is refused (403)
            expected = ("version_not_found", 404) if bot in editable else ("forbidden", 403)
            assert (response.json()["error"]["code"], response.status_code) == expected, (token, bot)


def test_should_refuse_a_missing_or_unknown_token(client) -> None:
    for headers in ({}, bearer("mdg_not-a-token")):
        response = client.get(f"{API}/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"


def test_should_document_me_with_its_error_responses(client) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"][f"{API}/me"]["get"]
    assert set(operation["responses"]) == {"200", "401", "422", "503"}
    for status in ("401", "422", "503"):  # the body the error handlers send, not FastAPI's default
        assert operation["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorOut"
        )
    body = schema["components"]["schemas"]["MeOut"]
    assert set(body["required"]) == {"name", "role", "department", "editable_bots"}
    assert body["properties"]["role"]["enum"] == ["strategy", "department", "viewer"]
