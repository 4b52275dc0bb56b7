"""The account's single card: set, replace (card subscriptions follow), remove (refused while
something is paid with it), and card numbers refused without a trace."""
import json

import pytest

from tests.steps.billing_steps import VALID_CARD, add_card, at, plan, subscribe

# Conditional writes and version checks also run on AWS DynamoDB Local (second pass of `make test`).
pytestmark = pytest.mark.ddblocal

PAN = "4111111111111111"


@pytest.fixture
def owner(client):
    at(client, "2026-03-01")
    return client.create_account("card-owner")


def test_replacing_the_card_moves_every_card_subscription_to_it(client, owner):
    account_id, token = owner
    first = add_card(client, account_id, token)
    assert first["subscriptions_following"] == []
    by_card = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    by_boleto = subscribe(client, account_id, token, product_id="conecta-app", periodicity="annual",
                          payment_method="boleto")
    replaced = add_card(client, account_id, token, gateway_token="tok_master_new", brand="mastercard",
                        last4="5454", exp_year=2033)
    assert replaced["subscriptions_following"] == [by_card["id"]]
    assert plan(client, account_id, token, by_card["id"])["card"]["last4"] == "5454"
    assert plan(client, account_id, token, by_boleto["id"])["payment_method"] == "boleto"


def test_the_card_cannot_be_removed_while_a_subscription_is_paid_with_it(client, owner):
    account_id, token = owner
    add_card(client, account_id, token)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                    payment_method="boleto")
    switched = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                           {"payment_method": "card"})
    assert switched.status_code == 200
    refused = client.call("DELETE", f"/v1/accounts/{account_id}/card", token)
    assert refused.status_code == 409
    error = refused.data["error"]
    assert error["code"] == "card_in_use" and error["details"]["subscription_ids"] == [sub["id"]]
    assert "não pode ser removido" in error["message"] and sub["id"] in error["message"]
    back = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                       {"payment_method": "boleto"})
    assert back.status_code == 200
    removed = client.call("DELETE", f"/v1/accounts/{account_id}/card", token)
    assert removed.status_code == 200 and removed.data == {"removed": True}
    assert plan(client, account_id, token, sub["id"])["card"] is None
    again = client.call("DELETE", f"/v1/accounts/{account_id}/card", token)
    assert again.status_code == 404 and again.data["error"]["code"] == "card_not_found"


def test_an_open_card_invoice_also_keeps_the_card(client, owner):
    account_id, token = owner
    add_card(client, account_id, token)
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/payment-method", token,
                {"payment_method": "boleto"})  # from the next renewal; the first invoice is still by card
    refused = client.call("DELETE", f"/v1/accounts/{account_id}/card", token)
    assert refused.status_code == 409
    assert refused.data["error"]["details"]["invoice_ids"] == [sub["invoice_id"]]


def test_an_expired_card_is_refused(client, owner):
    account_id, token = owner
    response = client.call("PUT", f"/v1/accounts/{account_id}/card", token,
                           {**VALID_CARD, "exp_month": 2, "exp_year": 2026})
    assert response.status_code == 422 and response.data["error"]["code"] == "card_expired"
    assert client.call("PUT", f"/v1/accounts/{account_id}/card", token,
                       {**VALID_CARD, "exp_month": 3, "exp_year": 2026}).status_code == 200


CARD_NUMBER_BODIES = {
    "as the token": {**VALID_CARD, "gateway_token": PAN},
    "with spaces": {**VALID_CARD, "gateway_token": "4111 1111 1111 1111"},
    "with dashes in an extra field": {**VALID_CARD, "number": "4111-1111-1111-1111"},
    "as a json number": {**VALID_CARD, "card": 4111111111111111},
    "nested": {**VALID_CARD, "extra": {"deep": ["x", "amex 3782 822463 10005"]}},
    "as a key": {**VALID_CARD, PAN: "x"},
    "inside a text": {**VALID_CARD, "brand": f"visa {PAN[:13]}"},
}


@pytest.mark.parametrize("case", sorted(CARD_NUMBER_BODIES))
def test_a_body_carrying_a_card_number_is_refused_and_leaves_no_trace(client, owner, aws, capfd, caplog, case):
    account_id, token = owner
    response = client.call("PUT", f"/v1/accounts/{account_id}/card", token, CARD_NUMBER_BODIES[case])
    assert response.status_code == 422
    assert response.data["error"]["code"] == "card_number_refused"
    digits_of = {"4111111111111111", "378282246310005", PAN[:13]}
    printed = capfd.readouterr()
    traces = [json.dumps(response.data), printed.out, printed.err, caplog.text, _whole_table(aws)]
    for trace in traces:
        for digits in digits_of:
            assert digits not in trace.replace(" ", "").replace("-", "")
    assert client.call("GET", f"/v1/accounts/{account_id}", token).status_code == 200


def test_thirteen_to_nineteen_digits_are_card_like_and_shorter_or_longer_runs_are_not(client, owner):
    account_id, token = owner
    path = f"/v1/accounts/{account_id}/card"
    assert client.call("PUT", path, token, {**VALID_CARD, "gateway_token": "tok_" + "1" * 12}).status_code == 200
    assert client.call("PUT", path, token, {**VALID_CARD, "gateway_token": "tok_" + "1" * 20}).status_code == 200
    for length in (13, 19):
        refused = client.call("PUT", path, token, {**VALID_CARD, "gateway_token": "tok_" + "1" * length})
        assert refused.data["error"]["code"] == "card_number_refused"


def _whole_table(aws) -> str:
    # Test-only inspection of everything stored (the app itself never scans).
    dynamodb = aws.boto3_client("dynamodb")
    items = dynamodb.scan(TableName=aws.settings.billing_table)["Items"]
    return json.dumps(items)


# --- the card at the gateway: attached to the account's one customer there ---------------------

def test_the_first_card_creates_the_gateway_customer_and_later_cards_join_it(client, owner, aws):
    account_id, token = owner
    gateway = aws.card_gateway
    add_card(client, account_id, token)
    add_card(client, account_id, token, gateway_token="tok_master_new", brand="mastercard", last4="5454")
    assert client.call("DELETE", f"/v1/accounts/{account_id}/card", token).status_code == 200
    add_card(client, account_id, token, gateway_token="tok_elo_third", brand="elo", last4="1234")

    first, second, third = gateway.saved_cards
    assert (first.account_id, first.customer_ref) == (account_id, None)  # the gateway creates the customer
    customer = aws.billing_repository.snapshot(account_id).card.gateway_customer
    assert customer.startswith("cus_") and second.customer_ref == third.customer_ref == customer
    assert [card.payment_method_token for card in gateway.saved_cards] == [
        VALID_CARD["gateway_token"], "tok_master_new", "tok_elo_third"]


def test_card_charges_name_the_customer_the_card_is_attached_to(client, owner, aws):
    account_id, token = owner
    add_card(client, account_id, token)
    subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly")
    at(client, "2026-03-01", "08:00:00")
    assert client.call("POST", "/v1/_dev/jobs/charge-cards").data["charged"] == 1

    [charge] = aws.card_gateway.charges
    assert charge.customer_ref == aws.billing_repository.snapshot(account_id).card.gateway_customer
    assert charge.customer_ref.startswith("cus_")


def test_a_token_the_gateway_refuses_saves_nothing(client, owner, aws):
    account_id, token = owner
    refused = client.call("PUT", f"/v1/accounts/{account_id}/card", token,
                          {**VALID_CARD, "gateway_token": "tok_invalid_unknown"})

    assert refused.status_code == 422
    error = refused.data["error"]
    assert error["code"] == "card_rejected" and error["details"]["gateway_code"] == "resource_missing"
    assert error["message"].startswith("O gateway de pagamento recusou o cartão")
    snapshot = aws.billing_repository.snapshot(account_id)
    assert snapshot.card is None and snapshot.others == []


def test_a_gateway_that_does_not_answer_is_a_503_and_saves_nothing(client, owner, aws, monkeypatch):
    from chalicelib.adapters.gateways import GatewayUnavailable

    def unavailable(card):
        raise GatewayUnavailable("APIConnectionError")

    account_id, token = owner
    monkeypatch.setattr(aws.card_gateway, "save_card", unavailable)
    answer = client.call("PUT", f"/v1/accounts/{account_id}/card", token, VALID_CARD)

    assert answer.status_code == 503
    assert answer.data["error"]["code"] == "gateway_unavailable"
    assert "não foi salvo" in answer.data["error"]["message"]
    assert aws.billing_repository.snapshot(account_id).card is None
