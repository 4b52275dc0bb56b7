"""Every boleto order gets its boleto (PRODUCT.md §4): an invoice created on the spot and payable by
boleto — subscribing, added licenses, a plan change — has its boleto, with its Pix QR, from the
moment it is created, and is e-mailed with it like a renewal; the 2ª via stays for a lost or
overdue one. End to end through HTTP with the dev clock."""
from datetime import date

import pytest

from chalicelib.domain.boleto import parse_boleto
from chalicelib.domain.pix import parse_pix
from tests.steps.billing_steps import at, change, subscribe
from tests.steps.invoicing_steps import BILLING_EMAIL, billable_account, invoice, outbox, pay, run_job

pytestmark = pytest.mark.ddblocal

PROMOB = "promob-cats-mandatory"
OPERAND = "operand-pro"


def _assert_boleto_and_email(client, account_id, token, invoice_id, today: date, owner: str) -> dict:
    issued = invoice(client, account_id, token, invoice_id)
    assert issued["status"] == "open"
    boleto = issued["boleto"]
    assert boleto is not None, "the order's invoice must have its boleto at creation"
    total = issued["total_cents"]
    parsed = parse_boleto(boleto["digitable_line"], today=today)
    assert (parsed.amount_cents, parsed.due_date.isoformat(), parsed.barcode) == (
        total, issued["due_date"], boleto["barcode"])
    pix = parse_pix(boleto["pix_payload"])
    assert pix.crc_valid and pix.fields["amount_cents"] == total
    emails = [mail for mail in outbox(client) if f"/faturas/{invoice_id}" in mail["text"]]
    assert len(emails) == 1, "one invoice-issued e-mail per order"
    assert sorted(emails[0]["to"]) == sorted([BILLING_EMAIL, f"{owner}@example.com"])
    assert boleto["formatted_line"] in emails[0]["text"] and boleto["pix_payload"] in emails[0]["text"]
    return issued


def test_every_boleto_order_gets_its_boleto_when_subscribing(client):
    account_id, token = billable_account(client, "sub-boleto-owner", due_day=None)
    at(client, "2026-04-06", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", payment_method="boleto")
    issued = _assert_boleto_and_email(client, account_id, token, sub["invoice_id"], date(2026, 4, 6),
                                      "sub-boleto-owner")
    assert (issued["due_date"], issued["total_cents"]) == ("2026-04-06", 19900)


def test_every_boleto_order_gets_its_boleto_once_for_a_retried_request(client):
    account_id, token = billable_account(client, "retry-boleto-owner", due_day=None)
    at(client, "2026-04-06", "10:00:00")
    path, body = f"/v1/accounts/{account_id}/subscriptions", {
        "product_id": PROMOB, "periodicity": "monthly", "payment_method": "boleto"}
    first = client.call("POST", path, token, body, headers={"Idempotency-Key": "sub-1"})
    again = client.call("POST", path, token, body, headers={"Idempotency-Key": "sub-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.data["invoice_id"] == first.data["invoice_id"]
    _assert_boleto_and_email(client, account_id, token, first.data["invoice_id"], date(2026, 4, 6),
                             "retry-boleto-owner")
    assert len(outbox(client)) == 1


def test_every_boleto_order_gets_its_boleto_when_adding_licenses(client):
    account_id, token = billable_account(client, "seats-boleto-owner", due_day=None)
    at(client, "2026-04-06", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=OPERAND, periodicity="monthly", quantity=3,
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    at(client, "2026-04-16", "10:00:00")
    added = change(client, account_id, token, sub["id"], {"quantity": 5, "payment_method": "boleto"})
    assert added.status_code == 200, added.data
    issued = _assert_boleto_and_email(client, account_id, token, added.data["invoice_id"], date(2026, 4, 16),
                                      "seats-boleto-owner")
    assert issued["payment_method"] == "boleto" and issued["total_cents"] == added.data["charge_now_cents"]


def test_every_boleto_order_gets_its_boleto_for_a_plan_change_paid_by_boleto(client):
    account_id, token = billable_account(client, "change-boleto-owner", due_day=None)
    at(client, "2026-04-06", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=OPERAND, periodicity="monthly", payment_method="boleto")
    pay(client, sub["invoice_id"])
    at(client, "2026-04-20", "10:00:00")
    changed = change(client, account_id, token, sub["id"], {"periodicity": "annual", "payment_method": "boleto"})
    assert changed.status_code == 200, changed.data
    assert changed.data["charge_now_cents"] > 0
    _assert_boleto_and_email(client, account_id, token, changed.data["invoice_id"], date(2026, 4, 20),
                             "change-boleto-owner")


def test_every_boleto_order_gets_its_boleto_also_the_replacement_of_a_superseded_renewal_invoice(client):
    account_id, token = billable_account(client, "reissue-boleto-owner", due_day=None)
    at(client, "2026-11-01", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=OPERAND, periodicity="monthly", quantity=2,
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    assert run_job(client, "2026-11-24")["invoices_issued"] == 1
    at(client, "2026-11-26", "10:00:00")
    added = change(client, account_id, token, sub["id"], {"quantity": 5})
    assert added.status_code == 200, added.data
    replacement = invoice(client, account_id, token, added.data["reissued_invoice_id"])
    boleto = replacement["boleto"]
    assert boleto is not None and (boleto["due_date"], boleto["amount_cents"]) == ("2026-12-01", 5 * 9900)
    assert parse_pix(boleto["pix_payload"]).fields["amount_cents"] == 5 * 9900
    [mail] = outbox(client, "boleto_replaced")
    assert boleto["formatted_line"] in mail["text"] and boleto["pix_payload"] in mail["text"]
    _assert_boleto_and_email(client, account_id, token, added.data["invoice_id"], date(2026, 11, 26),
                             "reissue-boleto-owner")


def test_every_boleto_order_gets_its_boleto_but_without_billing_data_it_waits_for_the_second_copy(client):
    account_id, token = client.create_account("nodata-order-owner", "Sem dados")
    at(client, "2026-04-06", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=PROMOB, periodicity="monthly", payment_method="boleto")
    assert invoice(client, account_id, token, sub["invoice_id"])["boleto"] is None
    assert not outbox(client)
