"""Requests to the finance team end to end (PRODUCT.md §10)."""
import pytest

from tests.support import VALID_BILLING_DATA, make_token

# Also runs on AWS DynamoDB Local (second pass of `make test`), see docs/reliability.md.
pytestmark = pytest.mark.ddblocal

FINANCE_STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])


def requests_path(account_id: str) -> str:
    return f"/v1/accounts/{account_id}/requests"


def outbox(client) -> list[dict]:
    return client.call("GET", "/v1/_dev/outbox").data["items"]


def join(client, account_id, owner, user, role):
    email = f"{user}@example.com"
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": email, "role": role})
    return make_token(user, email)


def test_a_request_opened_by_the_owner_is_answered_by_finance_and_closed(client):
    account_id, owner = client.create_account("alice", "Marcenaria Alice")
    client.call("PUT", f"/v1/accounts/{account_id}/billing-data", owner, VALID_BILLING_DATA)
    opened = client.call("POST", requests_path(account_id), owner,
                         {"type": "nota_fiscal", "text": "Preciso da nota fiscal de novembro."})
    assert opened.status_code == 201, opened.data
    request_id = opened.data["id"]
    assert (opened.data["status"], opened.data["type"], opened.data["message_count"]) == ("open", "nota_fiscal", 1)
    to_team = outbox(client)[0]
    assert to_team["to"] == ["financeiro@renova.local"]
    assert "Nota fiscal" in to_team["subject"] and "Preciso da nota fiscal" in to_team["text"]

    waiting = client.call("GET", "/v1/admin/requests?status=open", FINANCE_STAFF).data["items"]
    assert request_id in [r["id"] for r in waiting]
    answered = client.call("POST", f"/v1/admin/requests/{request_id}/messages", FINANCE_STAFF,
                           {"text": "Nota emitida, segue no seu e-mail."})
    assert answered.status_code == 201, answered.data
    assert answered.data["request"]["status"] == "answered"
    assert answered.data["message"]["author"] == "finance"
    reply = outbox(client)[0]
    assert reply["subject"].startswith("Sua solicitação foi respondida")
    assert set(reply["to"]) == {"financeiro@exemplo.com.br", "alice@example.com"}  # billing list + owner
    assert request_id not in [r["id"] for r in client.call("GET", "/v1/admin/requests", FINANCE_STAFF).data["items"]]

    follow_up = client.call("POST", f"{requests_path(account_id)}/{request_id}/messages", owner,
                            {"text": "Recebi, obrigado. Pode enviar também a de outubro?"})
    assert follow_up.status_code == 201 and follow_up.data["request"]["status"] == "open"
    assert outbox(client)[0]["to"] == ["financeiro@renova.local"]
    closed = client.call("POST", f"/v1/admin/requests/{request_id}/messages", FINANCE_STAFF,
                         {"text": "Enviada. Encerrando a solicitação.", "close": True})
    assert closed.status_code == 201 and closed.data["request"]["status"] == "closed"
    assert "encerrada" in outbox(client)[0]["subject"]

    thread = client.call("GET", f"{requests_path(account_id)}/{request_id}/messages", owner).data["items"]
    assert [m["author"] for m in thread] == ["customer", "finance", "customer", "finance"]
    assert thread[0]["text"] == "Preciso da nota fiscal de novembro."
    staff_view = client.call("GET", f"/v1/admin/requests/{request_id}/messages", FINANCE_STAFF).data["items"]
    assert [m["id"] for m in staff_view] == [m["id"] for m in thread]
    listed = client.call("GET", requests_path(account_id), owner).data["items"]
    assert [(r["id"], r["status"], r["message_count"]) for r in listed] == [(request_id, "closed", 4)]
    closed_list = client.call("GET", "/v1/admin/requests?status=closed", FINANCE_STAFF).data["items"]
    assert [(r["id"], r["account_id"]) for r in closed_list] == [(request_id, account_id)]

    again = client.call("POST", f"{requests_path(account_id)}/{request_id}/messages", owner, {"text": "Mais uma"})
    assert again.status_code == 409 and again.data["error"]["code"] == "request_closed"
    actions = [e["action"] for e in client.call("GET", f"/v1/accounts/{account_id}/audit", owner).data["items"]]
    assert actions[:4] == ["request.closed", "request.message_added", "request.answered", "request.opened"]


def test_a_member_cannot_see_requests_and_another_account_gets_404(client):
    account_id, owner = client.create_account("alice")
    request_id = client.call("POST", requests_path(account_id), owner, {"type": "licenses", "text": "Mais 3"}).data["id"]
    member = join(client, account_id, owner, "marcos", "member")
    for method, path, body in (("GET", requests_path(account_id), None),
                               ("GET", f"{requests_path(account_id)}/{request_id}/messages", None),
                               ("POST", f"{requests_path(account_id)}/{request_id}/messages", {"text": "oi"})):
        response = client.call(method, path, member, body)
        assert response.status_code == 403, (path, response.data)
    _, intruder = client.create_account("mallory")
    for method, path, body in (("GET", requests_path(account_id), None),
                               ("GET", f"{requests_path(account_id)}/{request_id}/messages", None)):
        response = client.call(method, path, intruder, body)
        assert response.status_code == 404 and response.data["error"]["code"] == "account_not_found"
    finance = join(client, account_id, owner, "fabio", "finance")
    assert client.call("GET", requests_path(account_id), finance).status_code == 200


def test_a_request_of_another_account_is_not_found_through_this_one(client):
    account_a, owner_a = client.create_account("alice")
    account_b, owner_b = client.create_account("bia")
    request_b = client.call("POST", requests_path(account_b), owner_b, {"type": "other", "text": "Dúvida"}).data["id"]
    response = client.call("GET", f"{requests_path(account_a)}/{request_b}/messages", owner_a)
    assert response.status_code == 404 and response.data["error"]["code"] == "request_not_found"


def test_admin_routes_are_for_the_finance_team_only(client):
    account_id, owner = client.create_account("alice")
    request_id = client.call("POST", requests_path(account_id), owner, {"type": "other", "text": "?"}).data["id"]
    for method, path, body in (("GET", "/v1/admin/requests", None),
                               ("POST", f"/v1/admin/requests/{request_id}/messages", {"text": "x"}),
                               ("POST", f"/v1/admin/accounts/{account_id}/credits", {"amount_cents": 1, "reason": "teste"})):
        response = client.call(method, path, owner, body)
        assert response.status_code == 403 and response.data["error"]["code"] == "finance_only"
    missing = client.call("POST", "/v1/admin/requests/req_nope/messages", FINANCE_STAFF, {"text": "x"})
    assert missing.status_code == 404


def test_the_admin_list_pages_with_signed_cursors(client):
    ids = set()
    for user in ("u1", "u2", "u3"):
        account_id, owner = client.create_account(user)
        ids.add(client.call("POST", requests_path(account_id), owner, {"type": "other", "text": user}).data["id"])
    first = client.call("GET", "/v1/admin/requests?limit=2", FINANCE_STAFF).data
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.call("GET", f"/v1/admin/requests?limit=2&cursor={first['next_cursor']}", FINANCE_STAFF).data
    assert {r["id"] for r in first["items"] + second["items"]} == ids
    forged = client.call("GET", f"/v1/admin/requests?status=closed&cursor={first['next_cursor']}", FINANCE_STAFF)
    assert forged.status_code == 400 and forged.data["error"]["code"] == "invalid_cursor"


def test_finance_staff_grant_a_credit_with_a_reason(client):
    account_id, owner = client.create_account("alice")
    granted = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", FINANCE_STAFF,
                          {"amount_cents": 2550, "reason": "Compensação por indisponibilidade"})
    assert granted.status_code == 201, granted.data
    assert (granted.data["credit_cents"], granted.data["granted_cents"]) == (2550, 2550)
    client.call("POST", f"/v1/admin/accounts/{account_id}/credits", FINANCE_STAFF, {"amount_cents": 450, "reason": "Ajuste"})
    assert client.call("GET", f"/v1/accounts/{account_id}", owner).data["credit_cents"] == 3000
    entry = client.call("GET", f"/v1/accounts/{account_id}/audit", owner).data["items"][0]
    assert (entry["action"], entry["actor"], entry["reason"]) == ("credit.granted", "fin-1", "Ajuste")
    assert entry["before"] == {"credit_cents": 2550} and entry["after"]["credit_cents"] == 3000
    for bad in ({"amount_cents": 0, "reason": "x" * 5}, {"amount_cents": -10, "reason": "negativo"},
                {"amount_cents": 10.5, "reason": "fração"}, {"amount_cents": "100", "reason": "texto"},
                {"amount_cents": 100}):
        response = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", FINANCE_STAFF, bad)
        assert response.status_code == 422, (bad, response.data)
    unknown = client.call("POST", "/v1/admin/accounts/acc_nope/credits", FINANCE_STAFF, {"amount_cents": 1, "reason": "abc"})
    assert unknown.status_code == 404
