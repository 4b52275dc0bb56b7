"""Free text refuses control characters and bidi controls (they reach e-mail subjects, PDFs and the
finance console), names the field in a pt-BR message, and keeps ordinary Unicode as sent."""
import pytest

from tests.support import VALID_BILLING_DATA


def refused_field(response) -> dict:
    assert response.status_code == 422, response.data
    assert set(response.data["error"]) == {"code", "message", "details"}
    [field] = response.data["error"]["details"]["fields"]
    assert field["code"] == "forbidden_character"
    assert field["field"] in field["message"]
    return field


@pytest.mark.parametrize("name, shown", [
    ("Conta\x00oculta", "U+0000"),
    ("Fatura \u202eanf.exe", "U+202E"),
    ("Isolada \u2066x\u2069", "U+2066"),
    ("Duas\nlinhas", "U+000A"),
    ("Tab\tno nome", "U+0009"),
    ("C1 \x85 control", "U+0085"),
])
def test_a_name_with_a_control_or_bidi_character_is_a_422_naming_the_field(client, name, shown):
    account_id, owner = client.create_account("alice")
    field = refused_field(client.call("POST", "/v1/accounts", owner, {"name": name}))
    assert field["field"] == "name" and shown in field["message"]
    assert "Valor inválido" not in field["message"]


def test_a_nested_single_line_field_is_named_by_its_path(client):
    account_id, owner = client.create_account("alice")
    data = {**VALID_BILLING_DATA, "address": {**VALID_BILLING_DATA["address"], "street": "Rua \u202eA"}}
    field = refused_field(client.call("PUT", f"/v1/accounts/{account_id}/billing-data", owner, data))
    assert field["field"] == "address.street"


def test_a_message_keeps_line_breaks_and_tabs_but_refuses_nul_and_bidi_overrides(client):
    account_id, owner = client.create_account("alice")
    path = f"/v1/accounts/{account_id}/requests"
    opened = client.call("POST", path, owner, {"type": "other", "text": "Linha 1\nLinha 2\r\n\tfim"})
    assert opened.status_code == 201, opened.data
    assert opened.data["text"] == "Linha 1\nLinha 2\r\n\tfim"
    for text, shown in (("antes\x00depois", "U+0000"), ("pague \u202e0001 R$", "U+202E"), ("sino \x07", "U+0007")):
        field = refused_field(client.call("POST", path, owner, {"type": "other", "text": text}))
        assert field["field"] == "text" and shown in field["message"]
    messages = f"{path}/{opened.data['id']}/messages"
    field = refused_field(client.call("POST", messages, owner, {"text": "ok\u2067?"}))
    assert field["field"] == "text"
    assert client.call("POST", messages, owner, {"text": "Obrigado!\nAté logo."}).status_code == 201


def test_accents_and_emoji_are_kept_as_sent(client):
    account_id, owner = client.create_account("alice")
    name = "Açaí & Café São João — ñ ü 😀 👨\u200d👩\u200d👧 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
    created = client.call("POST", "/v1/accounts", owner, {"name": name})
    assert created.status_code == 201, created.data
    assert client.call("GET", f"/v1/accounts/{created.data['id']}", owner).data["name"] == name
    opened = client.call("POST", f"/v1/accounts/{account_id}/requests", owner,
                         {"type": "other", "text": "Olá! Pode emitir a nota? 🙏 Obrigada, Conceição"})
    assert opened.status_code == 201, opened.data
