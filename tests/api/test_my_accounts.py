"""GET /v1/accounts ("Minhas contas"): the caller's accounts with the caller's role in each, paginated
with signed cursors, read by a Query on the memberships-by-user index (never a Scan)."""
from chalicelib.api.pagination import encode_cursor
from tests.steps.dynamodb_calls import dynamodb_calls
from tests.support import VALID_BILLING_DATA, make_token

CURSOR_SECRET = "local-cursor-secret"


def invite(client, account_id: str, owner: str, email: str, role: str) -> None:
    response = client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": email, "role": role})
    assert response.status_code == 201, response.data


def verified(user: str, email: str) -> str:
    return make_token(user, email, email_verified=True)


def test_without_a_token_it_is_401_in_the_error_shape(client):
    response = client.call("GET", "/v1/accounts")
    assert response.status_code == 401
    assert set(response.data["error"]) == {"code", "message", "details"}


def test_a_new_user_has_no_accounts(client):
    response = client.call("GET", "/v1/accounts", make_token("nobody"))
    assert response.status_code == 200
    assert response.data == {"items": [], "next_cursor": None}


def test_lists_only_the_callers_accounts_each_with_the_callers_role(client):
    own, owner = client.create_account("ana", "Marcenaria da Ana")
    other, other_owner = client.create_account("bruno", "Loja do Bruno")
    client.create_account("carla", "Conta da Carla")  # not Ana's
    client.call("PUT", f"/v1/accounts/{own}/billing-data", owner, VALID_BILLING_DATA)
    client.call("PUT", f"/v1/accounts/{other}/billing-data", other_owner, VALID_BILLING_DATA)
    invite(client, other, other_owner, "ana@example.com", "member")
    ana = verified("ana", "ana@example.com")
    assert client.call("GET", f"/v1/accounts/{other}", ana).status_code == 200  # accepts the invitation

    response = client.call("GET", "/v1/accounts", ana)

    assert response.status_code == 200
    by_id = {item["id"]: item for item in response.data["items"]}
    assert set(by_id) == {own, other}
    assert (by_id[own]["name"], by_id[own]["role"]) == ("Marcenaria da Ana", "owner")
    assert (by_id[other]["name"], by_id[other]["role"]) == ("Loja do Bruno", "member")
    assert by_id[own]["billing_data"]["document"]  # the owner sees billing data ...
    assert by_id[other]["billing_data"] is None  # ... a plain member does not, as in GET /v1/accounts/{id}


def test_pages_walk_every_account_once_with_signed_cursors(client):
    created = {client.create_account("paula", f"Conta {n}")[0] for n in range(5)}
    token = make_token("paula")
    seen, cursor, pages = [], None, 0
    while True:
        response = client.call("GET", "/v1/accounts?limit=2" + (f"&cursor={cursor}" if cursor else ""), token)
        assert response.status_code == 200, response.data
        assert len(response.data["items"]) <= 2
        seen += [item["id"] for item in response.data["items"]]
        pages += 1
        cursor = response.data["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created) and pages >= 3


def test_a_cursor_of_another_user_or_edited_is_refused(client):
    for n in range(3):
        client.create_account("rita", f"Conta {n}")
    rita = make_token("rita")
    cursor = client.call("GET", "/v1/accounts?limit=1", rita).data["next_cursor"]
    assert cursor
    stolen = client.call("GET", f"/v1/accounts?limit=1&cursor={cursor}", make_token("sofia"))
    assert stolen.status_code == 400 and stolen.data["error"]["code"] == "invalid_cursor"
    forged = encode_cursor("another-secret", "user:rita", "ACCOUNT#acc_x")
    response = client.call("GET", f"/v1/accounts?cursor={forged}", rita)
    assert response.status_code == 400 and response.data["error"]["code"] == "invalid_cursor"
    assert "Cursor" in response.data["error"]["message"]


def test_limit_is_validated_like_every_list(client):
    token = make_token("tiago")
    for limit in ("0", "101", "abc"):
        response = client.call("GET", f"/v1/accounts?limit={limit}", token)
        assert response.status_code in (400, 422), (limit, response.data)
        assert set(response.data["error"]) == {"code", "message", "details"}


def test_an_inactive_membership_is_not_listed(client):
    account_id, owner = client.create_account("olga", "Conta da Olga")
    invite(client, account_id, owner, "vitor@example.com", "finance")
    vitor = verified("vitor", "vitor@example.com")
    assert client.call("GET", f"/v1/accounts/{account_id}", vitor).status_code == 200
    assert [i["role"] for i in client.call("GET", "/v1/accounts", vitor).data["items"]] == ["finance"]
    response = client.call("PATCH", f"/v1/accounts/{account_id}/members/vitor", owner, {"active": False})
    assert response.status_code == 200, response.data
    assert client.call("GET", "/v1/accounts", vitor).data["items"] == []


def test_an_invitation_to_a_verified_email_shows_up_in_my_accounts(client):
    account_id, owner = client.create_account("zeca", "Conta do Zeca")
    invite(client, account_id, owner, "livia@example.com", "admin")

    unverified = client.call("GET", "/v1/accounts", make_token("livia", "livia@example.com", email_verified=False))
    assert unverified.data["items"] == []  # an e-mail the issuer does not vouch for claims nothing

    response = client.call("GET", "/v1/accounts", verified("livia", "livia@example.com"))
    assert [(i["id"], i["role"]) for i in response.data["items"]] == [(account_id, "admin")]
    members = client.call("GET", f"/v1/accounts/{account_id}/members", owner).data["items"]
    assert {m["user_id"] for m in members} == {"zeca", "livia"}  # the same claim as opening the account


def test_it_queries_and_never_scans(client):
    for n in range(3):
        client.create_account("quiteria", f"Conta {n}")
    token = make_token("quiteria")
    with dynamodb_calls() as calls:
        response = client.call("GET", "/v1/accounts", token)
    assert response.status_code == 200 and len(response.data["items"]) == 3
    operations = [operation for operation, _ in calls]
    assert "Scan" not in operations
    assert operations.count("Query") <= 2 and operations.count("BatchGetItem") == 1, operations
