"""Every instant of every answer has one form — ISO 8601, São Paulo offset, whole seconds — and a
POST and a later GET of the same item show the same value, character for character."""
import re

SAO_PAULO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-03:00$")


def test_the_account_created_by_a_post_shows_the_same_instant_on_get(client):
    # a clock just before a second turns: rounding instead of truncating would move the answer
    client.call("PUT", "/v1/_dev/clock", None, {"now": "2026-12-04T14:35:04.999-03:00"})
    _, owner = client.create_account("alice")
    created = client.call("POST", "/v1/accounts", owner, {"name": "Marcenaria"})
    assert created.status_code == 201
    fetched = client.call("GET", f"/v1/accounts/{created.data['id']}", owner)
    assert SAO_PAULO_INSTANT.match(created.data["created_at"]), created.data["created_at"]
    assert fetched.data["created_at"] == created.data["created_at"]


def test_a_request_and_its_message_show_the_same_instants_on_post_and_get(client):
    account_id, owner = client.create_account("alice")
    path = f"/v1/accounts/{account_id}/requests"
    opened = client.call("POST", path, owner, {"type": "other", "text": "Dúvida"}).data
    posted = client.call("POST", f"{path}/{opened['id']}/messages", owner, {"text": "Mais uma"}).data
    listed = client.call("GET", path, owner).data["items"][0]
    thread = client.call("GET", f"{path}/{opened['id']}/messages", owner).data["items"]
    assert listed["created_at"] == opened["created_at"]
    assert posted["message"]["created_at"] in [m["created_at"] for m in thread]
    for value in (opened["created_at"], opened["last_activity_at"], posted["message"]["created_at"],
                  *[m["created_at"] for m in thread], listed["last_activity_at"]):
        assert SAO_PAULO_INSTANT.match(value), value


def test_the_audit_trail_and_the_dev_clock_use_the_same_form(client):
    account_id, owner = client.create_account("alice")
    entries = client.call("GET", f"/v1/accounts/{account_id}/audit", owner).data["items"]
    assert entries and all(SAO_PAULO_INSTANT.match(e["at"]) for e in entries)
    assert SAO_PAULO_INSTANT.match(client.call("GET", "/v1/_dev/clock").data["now"])
