"""CORS: only the configured origins get Access-Control-Allow-Origin, on success and on errors."""
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
