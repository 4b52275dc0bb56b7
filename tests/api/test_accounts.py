import pytest

from tests.support import VALID_BILLING_DATA, make_token

# Also runs on AWS DynamoDB Local (second pass of `make test`), see docs/reliability.md.
pytestmark = pytest.mark.ddblocal


def test_creating_an_account_makes_the_caller_its_owner(client):
    account_id, token = client.create_account("alice", "Marcenaria Alice")
    response = client.call("GET", f"/v1/accounts/{account_id}", token)
    assert response.status_code == 200
    assert response.data["name"] == "Marcenaria Alice"
    assert response.data["role"] == "owner"
    members = client.call("GET", f"/v1/accounts/{account_id}/members", token).data["items"]
    assert [(m["user_id"], m["role"]) for m in members] == [("alice", "owner")]


def test_billing_data_is_validated_and_normalised(client):
    account_id, token = client.create_account("alice")
    response = client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA)
    assert response.status_code == 200, response.data
    billing = response.data["billing_data"]
    assert billing["document"] == "11222333000181"
    assert billing["document_type"] == "cnpj"
    assert billing["address"]["cep"] == "95700000"


def test_a_cpf_with_a_wrong_check_digit_is_refused_in_portuguese(client):
    account_id, token = client.create_account("alice")
    data = {**VALID_BILLING_DATA, "document": "529.982.247-24"}
    response = client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, data)
    assert response.status_code == 422
    fields = response.data["error"]["details"]["fields"]
    assert fields[0]["field"] == "document"
    assert "dígitos verificadores" in fields[0]["message"]


def test_due_day_only_accepts_8_15_or_22(client):
    account_id, token = client.create_account("alice")
    ok = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 22})
    assert ok.status_code == 200 and ok.data["due_day"] == 22
    bad = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token, {"due_day": 10})
    assert bad.status_code == 422


def test_an_invited_member_joins_on_first_request_with_the_invited_email(client):
    account_id, owner = client.create_account("alice")
    invite = client.call("POST", f"/v1/accounts/{account_id}/members", owner,
                         {"email": "bruno@example.com", "role": "finance"})
    assert invite.status_code == 201 and invite.data["invited"] is True
    bruno = make_token("bruno", "bruno@example.com")
    assert client.call("GET", f"/v1/accounts/{account_id}", bruno).data["role"] == "finance"
    members = {m["user_id"]: m for m in client.call("GET", f"/v1/accounts/{account_id}/members", owner).data["items"]}
    assert members["bruno"]["invited"] is False and len(members) == 2
    outbox = client.call("GET", "/v1/_dev/outbox").data["items"]
    assert outbox[0]["to"] == ["bruno@example.com"]
    assert "convidado" in outbox[0]["subject"]


def test_the_owner_cannot_be_demoted_or_deactivated(client):
    account_id, owner = client.create_account("alice")
    response = client.call("PATCH", f"/v1/accounts/{account_id}/members/alice", owner, {"active": False})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "owner_is_unique"


def test_nobody_can_be_made_a_second_owner(client):
    account_id, owner = client.create_account("alice")
    response = client.call("POST", f"/v1/accounts/{account_id}/members", owner,
                           {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 422


def test_a_deactivated_member_loses_access(client):
    account_id, owner = client.create_account("alice")
    client.call("POST", f"/v1/accounts/{account_id}/members", owner, {"email": "c@example.com", "role": "admin"})
    carla = make_token("carla", "c@example.com")
    assert client.call("GET", f"/v1/accounts/{account_id}", carla).status_code == 200
    patch = client.call("PATCH", f"/v1/accounts/{account_id}/members/carla", owner, {"active": False})
    assert patch.status_code == 200
    response = client.call("GET", f"/v1/accounts/{account_id}", carla)
    assert response.status_code == 403 and response.data["error"]["code"] == "member_inactive"


def test_every_mutation_leaves_an_audit_entry(client):
    account_id, owner = client.create_account("alice")
    client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", owner, {"due_day": 15})
    entries = client.call("GET", f"/v1/accounts/{account_id}/audit", owner).data["items"]
    assert [e["action"] for e in entries] == ["account.billing_settings_updated", "account.created"]
    assert entries[0]["after"] == {"due_day": 15} and entries[0]["actor"] == "alice"
    assert entries[0]["request_id"]


def test_catalog_lists_the_nine_demo_products(client):
    token = make_token("anyone")
    products = client.call("GET", "/v1/catalog", token).data["items"]
    assert {p["contract"] for p in products} == {"mandatory", "optional", "fixed_term"}
    conecta = next(p for p in products if p["id"] == "conecta-app")
    assert conecta["boleto_periodicities"] == ["annual"]
    assert len(products) == 9
    assert [p["id"] for p in products if p.get("trial_days")] == ["operand-start"]
    batch = next(p for p in products if p["id"] == "conta-azul-mais")
    assert batch["kind"] == "batch" and batch["license_product"] == "conta-azul-pro"


def test_dev_clock_is_settable_and_read_back(client):
    response = client.call("PUT", "/v1/_dev/clock", json_body={"now": "2026-12-01T09:00:00-03:00"})
    assert response.status_code == 200
    assert response.data["today"] == "2026-12-01"
    assert client.call("GET", "/v1/_dev/clock").data["now"].startswith("2026-12-01T09:00")
