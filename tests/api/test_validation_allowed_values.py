"""A value outside a closed set (enum or literal) is a 422 whose field entry lists what is allowed,
in `details` and in the message; the entry keeps its field, code and message."""


def only_field(response) -> dict:
    assert response.status_code == 422, response.data
    [field] = response.data["error"]["details"]["fields"]
    assert {"field", "code", "message", "allowed"} <= set(field)
    return field


def test_an_integer_literal_and_a_string_enum_list_their_allowed_values(client):
    account_id, owner = client.create_account("alice")
    path = f"/v1/accounts/{account_id}/billing-settings"
    day = only_field(client.call("PUT", path, owner, {"due_day": 10}))
    assert (day["field"], day["code"], day["allowed"]) == ("due_day", "literal_error", [8, 15, 22])
    assert day["message"] == "Valor não permitido. Use um destes: 8, 15, 22."
    method = only_field(client.call("PUT", path, owner, {"default_payment_method": "cash"}))
    assert (method["field"], method["code"]) == ("default_payment_method", "enum")
    assert method["allowed"] == ["card", "boleto", "pix"]
    assert "card, boleto, pix" in method["message"]


def test_request_bodies_and_query_strings_alike(client):
    account_id, owner = client.create_account("alice")
    subscribe = client.call("POST", f"/v1/accounts/{account_id}/subscriptions", owner,
                            {"product_id": "x", "periodicity": "weekly"})
    assert only_field(subscribe)["allowed"] == ["monthly", "quarterly", "semiannual", "annual"]
    listed = client.call("GET", f"/v1/accounts/{account_id}/invoices?status=late", owner)
    assert only_field(listed)["allowed"] == ["open", "paid", "all"]
    invited = client.call("POST", f"/v1/accounts/{account_id}/members", owner,
                          {"email": "b@example.com", "role": "owner"})
    assert only_field(invited)["allowed"] == ["admin", "finance", "member"]
