"""An unpaid add-on order suspends nothing that was paid (PRODUCT.md §7): an order for added licenses
or storage left unpaid past the product's grace takes back only what it added — the licenses or GB,
its invoice voided, the account credit it used returned — with an e-mail saying so; the paid base
period stays active. End to end through HTTP with the dev clock and the check-overdue job."""
import pytest

from tests.steps.billing_steps import at, change, subscribe
from tests.steps.invoicing_steps import billable_account, invoice
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import audit_actions, check_overdue, entitlements, mails, status_of

pytestmark = pytest.mark.ddblocal

OPERAND = "operand-pro"


def _paid_base_then_two_licenses_by_boleto(client, user: str, overpay_cents: int = 0):
    """Operand annual, 3 licenses, paid (with `overpay_cents` more, left as account credit) on Monday
    1 March 2027; on Wednesday 10 March, 2 licenses added by boleto, due that day. The grace of 3
    business days runs Thursday 11, Friday 12, Monday 15: on Tuesday 16 it is over."""
    account_id, token = billable_account(client, user, due_day=None, name="Agência Exemplo")
    at(client, "2027-03-01")
    base = subscribe(client, account_id, token, product_id=OPERAND, periodicity="annual", quantity=3,
                     payment_method="boleto")
    total = invoice(client, account_id, token, base["invoice_id"])["total_cents"]
    assert dev_pay(client, base["invoice_id"], "boleto", total + overpay_cents).status_code == 200
    at(client, "2027-03-10", "10:00:00")
    added = change(client, account_id, token, base["id"], {"quantity": 5, "payment_method": "boleto"})
    assert added.status_code == 200, added.data
    order = invoice(client, account_id, token, added.data["invoice_id"])
    assert (order["status"], order["due_date"]) == ("open", "2027-03-10")
    assert entitlements(client, account_id, token)[base["id"]]["seats"] == 5
    return account_id, token, base["id"], order


def _credit(client, account_id, token) -> int:
    return client.call("GET", f"/v1/accounts/{account_id}", token).data["credit_cents"]


def test_an_unpaid_add_on_order_suspends_nothing_paid_it_takes_back_only_the_added_licenses(client):
    account_id, token, sub_id, order = _paid_base_then_two_licenses_by_boleto(client, "addon-unpaid-owner")

    for day in ("2027-03-11", "2027-03-12", "2027-03-15"):  # inside the grace: nothing moves
        check_overdue(client, day)
        assert status_of(account_id, sub_id) == "active"
        assert entitlements(client, account_id, token)[sub_id]["seats"] == 5

    summary = check_overdue(client, "2027-03-16")
    assert summary["suspended"] == 0
    granted = entitlements(client, account_id, token)[sub_id]
    assert (status_of(account_id, sub_id), granted["license"], granted["seats"]) == ("active", "active", 3)
    assert invoice(client, account_id, token, order["id"])["status"] == "void"
    assert not mails(client, "license_suspended")
    [mail] = mails(client, "addition_reverted")
    assert order["number"] in mail["text"] and "2 licença(s)" in mail["text"]
    assert "volta a ter 3 licença(s)" in mail["text"] and "continua ativo" in mail["text"]
    assert "subscription.addition_reverted" in audit_actions(client, account_id, token)

    check_overdue(client, "2027-03-17")  # run again: nothing more is taken back
    assert entitlements(client, account_id, token)[sub_id]["seats"] == 3
    assert len(mails(client, "addition_reverted")) == 1


def test_an_unpaid_add_on_order_paid_within_the_grace_keeps_its_licenses(client):
    account_id, token, sub_id, order = _paid_base_then_two_licenses_by_boleto(client, "addon-paid-owner")
    check_overdue(client, "2027-03-11")
    at(client, "2027-03-12", "10:00:00")
    assert dev_pay(client, order["id"], "boleto").status_code == 200
    check_overdue(client, "2027-03-16")
    assert (status_of(account_id, sub_id), entitlements(client, account_id, token)[sub_id]["seats"]) == ("active", 5)
    assert invoice(client, account_id, token, order["id"])["status"] == "paid"
    assert not mails(client, "addition_reverted")


def test_an_unpaid_add_on_order_returns_the_account_credit_it_used(client):
    account_id, token, sub_id, order = _paid_base_then_two_licenses_by_boleto(client, "addon-credit-owner",
                                                                              overpay_cents=1000)
    credit_lines = [line["amount_cents"] for line in order["lines"] if line["kind"] == "credit"]
    assert credit_lines == [-1000] and _credit(client, account_id, token) == 0
    check_overdue(client, "2027-03-16")
    assert invoice(client, account_id, token, order["id"])["status"] == "void"
    assert _credit(client, account_id, token) == 1000  # no centavo created or lost
    assert "R$ 10,00" in mails(client, "addition_reverted")[0]["text"]
