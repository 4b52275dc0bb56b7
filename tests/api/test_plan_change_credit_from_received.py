"""Credit from money never paid (Ummense: "o valor de saldo já pago e ainda não utilizado fica como
crédito"): a plan change credits only what was received for the current period; the period's unpaid
invoice is voided or superseded by the change's invoice, so the customer owes exactly the new plan
from the change date."""
import pytest

from tests.steps.billing_steps import account, add_card, at, change, half_up, plan, subscribe
from tests.steps.invoicing_steps import invoice, pay

pytestmark = pytest.mark.ddblocal

CONECTA_MONTHLY, CONECTA_ANNUAL = 29900, 299000


def _conecta_annual_boleto_still_open(client):
    account_id, token = client.create_account("ummense-owner", "Agência Ummense")
    add_card(client, account_id, token)
    at(client, "2026-01-01")
    sub = subscribe(client, account_id, token, product_id="conecta-app", periodicity="annual",
                    payment_method="boleto")
    return account_id, token, sub


def test_credit_from_money_never_paid_is_zero_and_the_unpaid_invoice_is_superseded(client):
    account_id, token, sub = _conecta_annual_boleto_still_open(client)
    at(client, "2026-07-01")
    body = {"periodicity": "monthly", "payment_method": "card"}
    preview = change(client, account_id, token, sub["id"], body, preview=True)
    applied = change(client, account_id, token, sub["id"], body)
    assert applied.status_code == 200, applied.data
    assert preview.data | {"invoice_id": applied.data["invoice_id"]} == applied.data
    assert applied.data["credit_cents"] == 0  # not 309 days and R$ 1,46 from a boleto never paid
    assert applied.data["account_credit_cents"] == 0
    assert applied.data["charge_now_cents"] == CONECTA_MONTHLY  # exactly the new plan from today
    assert (applied.data["new_period_start"], applied.data["new_period_end"]) == ("2026-07-01", "2026-08-01")
    assert applied.data["voided_invoice_ids"] == [sub["invoice_id"]]
    old = invoice(client, account_id, token, sub["invoice_id"])
    assert old["status"] == "superseded"
    after = plan(client, account_id, token, sub["id"])
    assert [i["id"] for i in after["open_invoices"]["items"]] == [applied.data["invoice_id"]]
    assert after["open_invoices"]["total_cents"] == CONECTA_MONTHLY
    assert account(client, account_id, token)["credit_cents"] == 0


def test_credit_from_a_partly_paid_period_is_the_paid_share_of_the_unused_days(client):
    account_id, token, sub = _conecta_annual_boleto_still_open(client)
    at(client, "2026-02-01")
    pay(client, sub["invoice_id"], amount_cents=100000)  # R$ 1.000,00 of R$ 2.990,00
    at(client, "2026-07-01")
    credit = half_up(100000 * 184, 365)  # 1 Jul -> 1 Jan: 184 of 365 days unused, of what was paid
    body = {"periodicity": "monthly", "payment_method": "card"}
    preview = change(client, account_id, token, sub["id"], body, preview=True)
    applied = change(client, account_id, token, sub["id"], body)
    assert applied.status_code == 200, applied.data
    assert preview.data["credit_cents"] == applied.data["credit_cents"] == credit
    days = credit * 31 // CONECTA_MONTHLY  # whole days of the monthly plan the paid credit buys
    assert applied.data["days_granted"] == days and applied.data["charge_now_cents"] == 0
    assert applied.data["account_credit_cents"] == credit - half_up(CONECTA_MONTHLY * days, 31)
    assert invoice(client, account_id, token, sub["invoice_id"])["status"] == "void"
    assert plan(client, account_id, token, sub["id"])["open_invoices"]["count"] == 0


def test_credit_from_a_paid_period_is_unchanged(client):
    account_id, token, sub = _conecta_annual_boleto_still_open(client)
    pay(client, sub["invoice_id"])
    at(client, "2026-07-01")
    applied = change(client, account_id, token, sub["id"], {"periodicity": "monthly", "payment_method": "card"})
    assert applied.status_code == 200, applied.data
    assert applied.data["credit_cents"] == half_up(CONECTA_ANNUAL * 184, 365)
    assert applied.data["voided_invoice_ids"] == []
