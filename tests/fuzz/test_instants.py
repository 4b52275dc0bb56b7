"""Found by the fuzzing run: an instant at the edge of Python's range (`0001-01-01T00:00:00Z`,
`9999-12-31T23:59:59-03:00`) was accepted, then overflowed when converted to São Paulo time or
moved by a period: `PUT /v1/_dev/clock` answered 500 and left a clock that made every later request
that reads it answer 500 too. Instants that people send are now held to the years 2000-2199
(schemas.common.Instant).

Walks every route with a body, so a route added later is covered by itself: each top-level
date-time field answers 422 (never 5xx) to the edges of the range."""
import pytest

from chalicelib.api.routing import ENDPOINTS
from tests.steps.routes import fill, spec_id
from tests.fuzz.test_strict_bodies import coercible_fields
from tests.support import make_token

EDGES = ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z",
         "2200-01-01T00:00:00Z", "9999-12-31T23:59:59-03:00", "9999-12-31T23:59:59.999999-23:59"]
WITH_INSTANTS = sorted((s for s in ENDPOINTS if s.body is not None
                        and "date-time" in coercible_fields(s.body).values()), key=lambda s: (s.path, s.method))


def instant_fields(spec) -> list[str]:
    return [name for name, kind in coercible_fields(spec.body).items() if kind == "date-time"]


def test_the_dev_clock_is_among_the_routes_walked():
    assert "PUT /v1/_dev/clock" in [spec_id(s) for s in WITH_INSTANTS]


@pytest.mark.parametrize("spec", WITH_INSTANTS, ids=spec_id)
def test_instants_out_of_range_are_refused_with_422(client, spec):
    account_id, _ = client.create_account("owner-user")
    token = make_token("owner-user", groups=["finance"])
    path = fill(spec.path, account_id=account_id, user_id="owner-user")
    for name in instant_fields(spec):
        for edge in EDGES:
            response = client.call(spec.method, path, token, {name: edge},
                                   headers={"X-Internal-Token": "local-internal-token"})
            assert response.status_code == 422, (name, edge, response.status_code, response.data)
            flagged = {item["field"] for item in response.data["error"]["details"]["fields"]}
            assert name in flagged, (name, edge, flagged)


def test_a_refused_clock_leaves_the_clock_and_every_route_working(client):
    token = make_token("owner-user")
    assert client.call("PUT", "/v1/_dev/clock", token, {"now": "2026-12-01T09:00:00-03:00"}).status_code == 200
    for edge in EDGES:
        assert client.call("PUT", "/v1/_dev/clock", token, {"now": edge}).status_code == 422
    clock = client.call("GET", "/v1/_dev/clock", token)
    assert clock.status_code == 200 and clock.data["today"] == "2026-12-01"
    assert client.call("POST", "/v1/accounts", token, {"name": "Conta depois do relógio"}).status_code == 201
    # The edges of the accepted range still work.
    for accepted in ("2000-01-01T00:00:00Z", "2199-12-31T20:59:59-03:00"):
        assert client.call("PUT", "/v1/_dev/clock", token, {"now": accepted}).status_code == 200
        assert client.call("POST", "/v1/accounts", token, {"name": "Conta no limite"}).status_code == 201
