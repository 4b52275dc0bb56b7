"""Lists page with ?limit and signed ?cursor; a cursor edited or taken from another account is refused."""


def invite(client, account_id, owner, n):
    for i in range(n):
        client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": f"m{i}@example.com", "role": "member"})


def test_members_page_through_with_the_cursor(client):
    account_id, owner = client.create_account("alice")
    invite(client, account_id, owner, 3)
    seen, cursor = [], None
    for _ in range(10):
        query = f"?limit=1&cursor={cursor}" if cursor else "?limit=1"
        page = client.call("GET", f"/v1/accounts/{account_id}/members{query}", owner).data
        seen += [m["email"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(["alice@example.com", "m0@example.com", "m1@example.com", "m2@example.com"])


def test_a_tampered_cursor_is_refused(client):
    account_id, owner = client.create_account("alice")
    invite(client, account_id, owner, 2)
    cursor = client.call("GET", f"/v1/accounts/{account_id}/members?limit=1", owner).data["next_cursor"]
    payload, signature = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    response = client.call("GET", f"/v1/accounts/{account_id}/members?limit=1&cursor={forged}", owner)
    assert response.status_code == 400 and response.data["error"]["code"] == "invalid_cursor"


def test_a_cursor_from_another_account_is_refused(client):
    account_a, owner_a = client.create_account("alice")
    invite(client, account_a, owner_a, 2)
    cursor = client.call("GET", f"/v1/accounts/{account_a}/members?limit=1", owner_a).data["next_cursor"]
    account_b, owner_b = client.create_account("bruno")
    response = client.call("GET", f"/v1/accounts/{account_b}/members?limit=1&cursor={cursor}", owner_b)
    assert response.status_code == 400 and response.data["error"]["code"] == "invalid_cursor"


def test_limit_above_100_is_a_422(client):
    account_id, owner = client.create_account("alice")
    response = client.call("GET", f"/v1/accounts/{account_id}/members?limit=101", owner)
    assert response.status_code == 422


def test_a_list_route_declared_wrong_fails_at_import_not_on_a_request():
    import pytest
    from chalice import Blueprint

    from chalicelib.api.access import Access
    from chalicelib.api.routing import endpoint
    from chalicelib.api.schemas.accounts import MemberList
    from chalicelib.api.schemas.common import Health

    bp = Blueprint(__name__)
    with pytest.raises(TypeError, match="neither path nor query"):
        endpoint(bp, "/v1/x/{account_id}", "GET", access=Access.BILLING, summary="x", response=MemberList,
                 cursor_scope="{account}")
    with pytest.raises(TypeError, match="next_cursor"):
        endpoint(bp, "/v1/x/{account_id}", "GET", access=Access.BILLING, summary="x", response=Health,
                 cursor_scope="{account_id}")


def test_every_route_that_takes_a_cursor_has_the_decorator_sign_it():
    from chalicelib.api.routing import ENDPOINTS
    from tests.security.test_route_walks import IGNORES_CURSOR
    from tests.steps.routes import spec_id

    takes_a_cursor = {spec_id(s) for s in ENDPOINTS if s.query is not None and "cursor" in s.query.model_fields}
    signed = {spec_id(s) for s in ENDPOINTS if s.cursor_scope is not None}
    assert len(signed) >= 13 and signed == takes_a_cursor - set(IGNORES_CURSOR)
