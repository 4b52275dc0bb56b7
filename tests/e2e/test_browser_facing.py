"""`make run`'s API over real HTTP as a browser meets it: CORS preflights, the CORS grant on answers,
and what `chalice local` answers on its own (unknown paths and methods) in the error shape, never
repeating the caller's token."""
import http.client
import json
import urllib.parse

import pytest

from tests.fuzz.stack import LocalStack

pytestmark = pytest.mark.stack

PORTAL_ORIGINS = ["http://localhost:3000", "http://127.0.0.1:3000"]
TOKEN_MARK = "tok3n-that-must-never-come-back"


@pytest.fixture(scope="module")
def stack():
    with LocalStack() as running:
        yield running


def raw(stack, method: str, path: str, headers: dict) -> tuple[int, dict, bytes]:
    """One request with exactly these headers (urllib would add its own)."""
    url = urllib.parse.urlsplit(stack.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def assert_error_shape(body: bytes, code: str) -> None:
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code


@pytest.mark.parametrize("origin", PORTAL_ORIGINS)
def test_the_subscriptions_preflight_is_granted_to_the_portal(stack, origin):
    path = f"/v1/accounts/{stack.ready['demo_account_id']}/subscriptions"
    status, headers, _ = raw(stack, "OPTIONS", path, {
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,idempotency-key"})
    assert status == 204
    assert headers["access-control-allow-origin"] == origin
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= set(headers["access-control-allow-headers"].split(","))
    assert {"GET", "POST"} <= set(headers["access-control-allow-methods"].split(","))
    assert headers["access-control-expose-headers"] == "X-Request-Id"


def test_a_preflight_from_another_origin_gets_no_grant(stack):
    status, headers, body = raw(stack, "OPTIONS", "/v1/accounts", {
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert status == 403
    assert "access-control-allow-origin" not in headers
    assert_error_shape(body, "origin_not_allowed")


def test_an_authenticated_answer_carries_the_grant_and_lists_my_accounts(stack):
    status, headers, body = raw(stack, "GET", "/v1/accounts", {
        "Origin": PORTAL_ORIGINS[0], "Authorization": f"Bearer {stack.ready['dev_token']}"})
    assert status == 200
    assert headers["access-control-allow-origin"] == PORTAL_ORIGINS[0]
    assert headers["x-request-id"]
    items = json.loads(body)["items"]
    assert [(item["id"], item["role"]) for item in items] == [(stack.ready["demo_account_id"], "owner")]


@pytest.mark.parametrize("path", ["/v1/nope", "/", "/v1/accounts/acc_x/unknown"])
def test_an_unknown_path_is_404_in_the_error_shape_and_never_echoes_the_token(stack, path):
    status, headers, body = raw(stack, "GET", path, {"Authorization": f"Bearer {TOKEN_MARK}",
                                                     "Origin": PORTAL_ORIGINS[0]})
    assert status == 404
    assert_error_shape(body, "route_not_found")
    assert headers["access-control-allow-origin"] == PORTAL_ORIGINS[0]
    assert TOKEN_MARK not in body.decode() + json.dumps(headers)


@pytest.mark.parametrize("method, status, code", [
    ("DELETE", 405, "method_not_allowed"), ("PUT", 405, "method_not_allowed"),
    ("TRACE", 405, "method_not_allowed"), ("PROPFIND", 405, "method_not_allowed"),
])
def test_an_unknown_method_answers_in_the_error_shape(stack, method, status, code):
    got, headers, body = raw(stack, method, "/v1/accounts", {"Authorization": f"Bearer {TOKEN_MARK}"})
    assert got == status
    assert headers["content-type"].startswith("application/json")
    assert_error_shape(body, code)
    assert TOKEN_MARK not in body.decode() + json.dumps(headers)


def test_nothing_answered_500(stack):
    assert stack.server_errors() == []
