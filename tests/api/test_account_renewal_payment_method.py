"""Account-level renewal payment method (Promob, "Renovação de Assinaturas": the option chosen in the
portal's settings pays the renewals of the account's subscriptions). Setting the account's
`default_payment_method` moves the renewals of every subscription that can follow, each under its
product's boleto rule and the boleto → card deadline; the answer lists those that cannot, with why."""
import pytest

from tests.steps.billing_steps import add_card, at, plan, subscribe
from tests.steps.invoicing_steps import billable_account
from tests.steps.standing_steps import issue_invoices

pytestmark = pytest.mark.ddblocal


def _default(client, account_id, token, method):
    response = client.call("PUT", f"/v1/accounts/{account_id}/billing-settings", token,
                           {"default_payment_method": method})
    assert response.status_code == 200, response.data
    return response.data


def test_account_default_boleto_applies_to_renewals_except_where_the_product_refuses_boleto(client):
    account_id, token = billable_account(client, "promob-owner", due_day=None)
    add_card(client, account_id, token)
    at(client, "2026-03-01")
    operand = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                        payment_method="card")
    conecta = subscribe(client, account_id, token, product_id="conecta-app", periodicity="monthly",
                        payment_method="card")  # CONECTA takes boleto on the annual plan only

    answer = _default(client, account_id, token, "boleto")

    assert answer["default_payment_method"] == "boleto"
    [refused] = answer["subscriptions_not_following"]
    assert (refused["subscription_id"], refused["reason_code"]) == (conecta["id"], "boleto_not_allowed")
    assert "boleto" in refused["message"] and "anual" in refused["message"]  # pt-BR, names the rule
    followed = plan(client, account_id, token, operand["id"])
    assert (followed["payment_method"], followed["pending_payment_method"]) == ("card", "boleto")
    assert followed["next_renewal"]["payment_method"] == "boleto"
    kept = plan(client, account_id, token, conecta["id"])
    assert (kept["pending_payment_method"], kept["next_renewal"]["payment_method"]) == (None, "card")


def test_account_default_card_is_refused_where_the_renewal_boleto_was_already_issued(client):
    account_id, token = billable_account(client, "promob-owner", due_day=None)
    add_card(client, account_id, token)
    at(client, "2026-03-01")
    issued = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                       payment_method="boleto")
    at(client, "2026-03-20")
    later = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly",
                      payment_method="boleto")
    issue_invoices(client, "2026-03-25")  # the boleto of the 1 Apr renewal is generated
    at(client, "2026-03-26")

    answer = _default(client, account_id, token, "card")

    assert answer["default_payment_method"] == "card"
    assert [(n["subscription_id"], n["reason_code"]) for n in answer["subscriptions_not_following"]] == [
        (issued["id"], "boleto_already_issued")]
    assert "7 dias antes do vencimento" in answer["subscriptions_not_following"][0]["message"]
    assert plan(client, account_id, token, issued["id"])["next_renewal"]["payment_method"] == "boleto"
    assert plan(client, account_id, token, later["id"])["next_renewal"]["payment_method"] == "card"

    # One subscription can still be set on its own.
    one = client.call("PUT", f"/v1/accounts/{account_id}/subscriptions/{later['id']}/payment-method", token,
                      {"payment_method": "boleto"})
    assert one.status_code == 200 and one.data["next_renewal"]["payment_method"] == "boleto"
