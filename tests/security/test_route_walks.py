"""Matrices over the whole route table (a route added later is covered by itself):

- every list route that takes a `?cursor=` refuses a cursor that is garbage, signed with another
  key, signed for another account, or edited after signing (400 `invalid_cursor`);
- every route answers CORS only to the configured origins, on success and on every error;
- every `/v1/_dev/*` route answers 404 outside the local stage (tests/api/test_auth.py walks them)."""
import pytest

from chalicelib.api.pagination import encode_cursor
from chalicelib.api.routing import ENDPOINTS
from tests.steps.routes import fill, spec_id
from tests.support import make_token

ALLOWED_ORIGIN = "http://localhost:3000"  # settings.cors_origins default of the local stage
FOREIGN_ORIGINS = ["https://evil.example", "http://localhost:3001", "http://localhost:3000.evil.example", "null"]
CURSOR_SECRET = "local-cursor-secret"
SPECS = sorted(ENDPOINTS, key=lambda s: (s.path, s.method))
WITH_CURSOR = [s for s in SPECS if s.query is not None and "cursor" in s.query.model_fields]
# Routes whose `cursor` is accepted and ignored, and why.
IGNORES_CURSOR = {"GET /v1/_dev/outbox": "local-stage tool: newest e-mails first, `limit` only"}


@pytest.fixture
def world(client):
    account_id, _ = client.create_account("walk-owner")
    token = make_token("walk-owner", groups=["finance"])
    ids = {"account_id": account_id, "user_id": "walk-owner", "job": "issue-invoices"}
    request = client.call("POST", f"/v1/accounts/{account_id}/requests", token,
                          {"type": "other", "text": "Solicitação para as matrizes."})
    if request.status_code == 201:
        ids["request_id"] = request.data["id"]
    batch = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", token,  # a partner batch: its licenses list
                        {"product_id": "conta-azul-mais", "periodicity": "monthly", "quantity": 2,
                         "payment_method": "boleto"})
    if batch.status_code == 201:
        ids["subscription_id"] = batch.data["id"]
    other_account, _ = client.create_account("walk-stranger")
    return ids, token, other_account


def test_the_cursor_walk_finds_the_list_routes():
    walked = {spec_id(s) for s in WITH_CURSOR}
    assert "GET /v1/accounts/{account_id}/members" in walked
    assert set(IGNORES_CURSOR) <= walked


@pytest.mark.parametrize("spec", [s for s in WITH_CURSOR if spec_id(s) not in IGNORES_CURSOR], ids=spec_id)
def test_every_list_route_refuses_forged_and_foreign_cursors(client, world, spec):
    ids, token, other_account = world
    path = fill(spec.path, **ids)
    assert client.call("GET", path, token).status_code == 200, "the route must list without a cursor first"
    account_scope = ids["account_id"]
    genuine = encode_cursor(CURSOR_SECRET, account_scope, "ACCOUNT#x|MEMBER#z")
    payload, signature = genuine.split(".")
    edited = encode_cursor(CURSOR_SECRET, account_scope, "ACCOUNT#y|MEMBER#a").split(".")[0] + "." + signature
    forged = {
        "garbage": "not-a-cursor",
        "empty signature": payload + ".",
        "signed with another key": encode_cursor("another-secret", account_scope, "ACCOUNT#x"),
        "signed for another account": encode_cursor(CURSOR_SECRET, other_account, "ACCOUNT#x"),
        "edited after signing": edited,
        "bad base64": "%%%.###",
    }
    for case, cursor in forged.items():
        response = client.call("GET", f"{path}?cursor={cursor}", token)
        assert response.status_code == 400, (case, response.status_code, response.data)
        assert response.data["error"]["code"] == "invalid_cursor", (case, response.data)


@pytest.mark.parametrize("spec", SPECS, ids=spec_id)
def test_cors_answers_only_the_configured_origins_on_every_route(client, world, spec):
    ids, token, _ = world
    path = fill(spec.path, **ids)
    body = {} if spec.body is not None else None
    for credentials in (token, None):  # a success or a business answer, and a 401
        response = client.call(spec.method, path, credentials, body, headers={"Origin": ALLOWED_ORIGIN})
        assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN, (response.status_code,)
        assert response.headers.get("Vary") == "Origin"
        for origin in FOREIGN_ORIGINS:
            response = client.call(spec.method, path, credentials, body, headers={"Origin": origin})
            assert "Access-Control-Allow-Origin" not in response.headers, (origin, response.status_code)
            assert "Access-Control-Allow-Credentials" not in response.headers
