"""The cancel answer reports what the ledger then holds (PRODUCT.md §8): on every cancellation path,
`amount_owed_cents` equals the open items the cancellation leaves on the account's invoices and
`refund_cents` what goes back, both read back through GET invoices and GET payments afterwards."""
from dataclasses import dataclass

import pytest

from tests.steps.billing_steps import add_card, at, subscribe
from tests.steps.invoicing_steps import billable_account, invoices
from tests.steps.payment_steps import dev_pay
from tests.steps.standing_steps import cancel, issue_invoices

PAYABLE = ("open", "partially_paid")


@dataclass
class Scenario:
    account_id: str
    token: str
    subscription_id: str
    license_id: str | None = None  # a partner batch's license cancelled instead of the subscription


def _account(client, user: str) -> tuple[str, str]:
    account_id, token = billable_account(client, user, due_day=None)
    add_card(client, account_id, token)
    return account_id, token


def withdrawal_fully_paid(client) -> Scenario:
    account_id, token = _account(client, "full-regret")
    at(client, "2027-03-01")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="card")
    assert dev_pay(client, sub["invoice_id"], "card").status_code == 200
    at(client, "2027-03-04")
    return Scenario(account_id, token, sub["id"])


def withdrawal_partially_paid(client) -> Scenario:
    account_id, token = _account(client, "partial-regret")
    at(client, "2027-03-01")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "pix", 5000).status_code == 200  # R$ 50 of R$ 198
    at(client, "2027-03-04")
    return Scenario(account_id, token, sub["id"])


def scheduled_at_period_end(client) -> Scenario:
    account_id, token = _account(client, "period-end")
    at(client, "2027-01-10")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="annual", quantity=1,
                    payment_method="card")
    assert dev_pay(client, sub["invoice_id"], "card").status_code == 200
    at(client, "2027-12-01")  # 40 days before the renewal
    return Scenario(account_id, token, sub["id"])


def late_notice_bills_the_renewal(client) -> Scenario:
    account_id, token = _account(client, "late-notice")
    at(client, "2027-01-10")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="annual", quantity=1,
                    payment_method="card")
    assert dev_pay(client, sub["invoice_id"], "card").status_code == 200
    at(client, "2027-12-21")  # 20 days before the renewal
    return Scenario(account_id, token, sub["id"])


def fixed_term_remaining_installments(client) -> Scenario:
    account_id, token = billable_account(client, "mentee", due_day=None)
    at(client, "2027-01-04")
    sub = subscribe(client, account_id, token, product_id="mentoria-12", periodicity="monthly",
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    issue_invoices(client, "2027-01-28")
    at(client, "2027-02-01")  # the second installment is issued and still open
    return Scenario(account_id, token, sub["id"])


def commitment_remaining_months(client) -> Scenario:
    account_id, token = billable_account(client, "committed", due_day=None)
    at(client, "2027-03-01")
    sub = subscribe(client, account_id, token, product_id="conta-azul-mais", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    at(client, "2027-03-20")  # after the withdrawal window, inside the 12-month commitment
    return Scenario(account_id, token, sub["id"])


def batch_license_billed_once_more(client) -> Scenario:
    account_id, token = billable_account(client, "partner", due_day=None)
    at(client, "2027-03-01")
    sub = subscribe(client, account_id, token, product_id="conta-azul-mais", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").status_code == 200
    at(client, "2027-03-22")  # 10 days before the batch renews
    return Scenario(account_id, token, sub["id"], license_id="lic-002")


PATHS = [withdrawal_fully_paid, withdrawal_partially_paid, scheduled_at_period_end, late_notice_bills_the_renewal,
         fixed_term_remaining_installments, commitment_remaining_months, batch_license_billed_once_more]


def _refunded(client, s: Scenario) -> int:
    response = client.call("GET", f"/v1/accounts/{s.account_id}/payments?limit=100", s.token)
    assert response.status_code == 200, response.data
    return sum(payment["refunded_cents"] for payment in response.data["items"])


def _open_items(client, s: Scenario) -> int:
    return sum(i["total_cents"] - i["paid_cents"] for i in invoices(client, s.account_id, s.token)
               if i["status"] in PAYABLE)


def _cancel(client, s: Scenario) -> dict:
    if s.license_id:
        path = f"/v1/accounts/{s.account_id}/batches/{s.subscription_id}/licenses/{s.license_id}/cancel"
        response = client.call("POST", path, s.token, {"reason": "Cliente encerrou a empresa"})
    else:
        response = cancel(client, s.account_id, s.token, s.subscription_id)
    assert response.status_code == 200, response.data
    return response.data


@pytest.mark.parametrize("path", PATHS, ids=[p.__name__ for p in PATHS])
def test_the_cancel_answer_equals_what_the_ledger_holds_afterwards(client, path):
    scenario = path(client)
    refunded_before = _refunded(client, scenario)
    answer = _cancel(client, scenario)
    assert answer["amount_owed_cents"] == _open_items(client, scenario)
    assert answer.get("refund_cents", 0) == _refunded(client, scenario) - refunded_before
