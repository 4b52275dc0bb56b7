"""Idempotency-Key (API.md): same key and body replays the first answer; another body is a 409."""
from tests.support import make_token


def post_account(client, token, name, key):
    return client.call("POST", "/v1/accounts", token, {"name": name}, headers={"Idempotency-Key": key})


def test_the_same_key_and_body_replays_the_first_answer_and_creates_once(client):
    token = make_token("alice")
    first = post_account(client, token, "Marcenaria", "key-1")
    second = post_account(client, token, "Marcenaria", "key-1")
    assert first.status_code == second.status_code == 201
    assert second.data == first.data
    assert second.headers.get("Idempotent-Replayed") == "true"
    entries = client.call("GET", f"/v1/accounts/{first.data['id']}/audit", token).data["items"]
    assert [e["action"] for e in entries] == ["account.created"]


def test_the_same_key_with_another_body_is_a_409(client):
    token = make_token("alice")
    assert post_account(client, token, "Marcenaria", "key-2").status_code == 201
    again = post_account(client, token, "Outra", "key-2")
    assert again.status_code == 409
    assert again.data["error"]["code"] == "idempotency_key_reused"


def test_keys_are_scoped_to_the_caller(client):
    alice = post_account(client, make_token("alice"), "A", "shared-key")
    bruno = post_account(client, make_token("bruno"), "A", "shared-key")
    assert bruno.status_code == 201 and bruno.data["id"] != alice.data["id"]


def test_without_a_key_each_request_acts(client):
    token = make_token("alice")
    ids = {client.call("POST", "/v1/accounts", token, {"name": "A"}).data["id"] for _ in range(2)}
    assert len(ids) == 2


def test_a_replayed_invitation_invites_and_emails_once(client):
    account_id, owner = client.create_account("alice")
    path = f"/v1/accounts/{account_id}/members"
    body = {"email": "b@example.com", "role": "admin"}
    first = client.call("POST", path, owner, body, headers={"Idempotency-Key": "invite-1"})
    second = client.call("POST", path, owner, body, headers={"Idempotency-Key": "invite-1"})
    assert first.status_code == second.status_code == 201
    outbox = client.call("GET", "/v1/_dev/outbox").data["items"]
    assert len([m for m in outbox if m["to"] == ["b@example.com"]]) == 1
