"""CORS: only the configured origins get Access-Control-Allow-Origin, on success and on errors, and
every path answers the browser's preflight (OPTIONS) for those origins only."""
import pytest

from tests.steps.routes import app_routes, preflight_routes
from tests.support import make_token


def test_an_allowed_origin_is_echoed(client):
    response = client.call("GET", "/v1/catalog", make_token("u1"), headers={"Origin": "http://localhost:3000"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Idempotency-Key" in response.headers["Access-Control-Allow-Headers"]


def test_an_error_answer_carries_the_header_too(client):
    response = client.call("GET", "/v1/catalog", None, headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_another_origin_gets_no_cors_header(client):
    response = client.call("GET", "/v1/catalog", make_token("u1"), headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


# --- the preflight (OPTIONS) every path answers, in the test client (the app's own routes) ---------

LOCAL_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]  # the local stage's default CORS_ORIGINS
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"}


def test_every_path_has_its_preflight_route():
    assert preflight_routes() == sorted({(path, "OPTIONS") for path, _ in app_routes()})


def test_the_local_default_allows_both_names_of_the_portal():
    from chalicelib.settings import Settings

    assert Settings(RENOVA_STAGE="local").allowed_origins == set(LOCAL_ORIGINS)


@pytest.mark.parametrize("origin", LOCAL_ORIGINS)
def test_a_preflight_from_a_configured_origin_is_granted_without_a_token(client, origin):
    response = client.call("OPTIONS", "/v1/accounts/acc_x/subscriptions", None,
                           headers={"Origin": origin, **PREFLIGHT})
    assert response.status_code == 204
    headers = response.headers
    assert headers["Access-Control-Allow-Origin"] == origin
    assert headers["Vary"] == "Origin"
    assert set(headers["Access-Control-Allow-Headers"].split(",")) == {"Authorization", "Content-Type",
                                                                       "Idempotency-Key"}
    assert set(headers["Access-Control-Allow-Methods"].split(",")) == {"GET", "POST", "OPTIONS"}
    assert headers["Access-Control-Expose-Headers"] == "X-Request-Id"
    assert int(headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in headers  # a bearer token, never cookies


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost:3001", "null",
                                    "http://localhost:3000.evil.example", "HTTP://LOCALHOST:3000"])
def test_a_preflight_from_another_origin_gets_no_grant(client, origin):
    response = client.call("OPTIONS", "/v1/accounts", None, headers={"Origin": origin, **PREFLIGHT})
    assert response.status_code == 403
    assert response.data["error"]["code"] == "origin_not_allowed"
    assert not any(name.startswith("Access-Control-") for name in response.headers)


def test_an_options_call_without_origin_lists_the_methods(client):
    response = client.call("OPTIONS", "/v1/accounts", None)
    assert response.status_code == 204
    assert set(response.headers["Allow"].split(",")) == {"GET", "POST", "OPTIONS"}
    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_answer_exposes_its_request_id_to_the_page(client):
    response = client.call("GET", "/v1/catalog", make_token("u1"), headers={"Origin": "http://127.0.0.1:3000"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
    assert response.headers["X-Request-Id"]


def test_outside_the_local_stage_no_origin_is_allowed_unless_configured():
    from chalicelib.settings import Settings

    secrets = {"AUTH_ISSUER": "x", "AUTH_JWKS_URL": "x", "CURSOR_SECRET": "x", "STRIPE_WEBHOOK_SECRET": "x",
               "ASAAS_WEBHOOK_TOKEN": "x"}
    assert Settings(RENOVA_STAGE="prod", **secrets).allowed_origins == set()
    assert Settings(RENOVA_STAGE="prod", CORS_ORIGINS="https://portal.example", **secrets).allowed_origins == {
        "https://portal.example"}
