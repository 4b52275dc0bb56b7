"""The issue-invoices job end to end through HTTP with the dev clock:
one invoice per account and due date, issued 7 days ahead, with a valid boleto and an e-mail; never
twice for a period, whatever runs twice; days missed are caught up once."""
from datetime import date

import pytest

from chalicelib.domain.boleto import parse_boleto
from chalicelib.domain.pix import parse_pix
from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import (
    BILLING_EMAIL, billable_account, invoice, invoices, outbox, pay, run_job, stored_invoices,
)
from tests.unit.boleto.independent import NodeValidators

pytestmark = pytest.mark.ddblocal

PROMOB = "promob-cats-mandatory"  # carry: lapsed items move into the next invoice
PROMOB_MONTHLY, PROMOB_ANNUAL, PROMOB_PLUS_MONTHLY = 19900, 199000, 8900


@pytest.fixture(scope="module")
def node_validators():
    validators = NodeValidators()
    yield validators
    validators.close()


def _subscribe_paid(client, account_id, token, day, **body):
    at(client, day, "10:00:00")
    sub = subscribe(client, account_id, token, payment_method="boleto", **body)
    pay(client, sub["invoice_id"])
    return sub


def _promob_account(client):
    """Due day 15. An annual license renewed on 15 April that nobody paid (lapsed since last month),
    then two monthly subscriptions whose first periods land on 15 May."""
    account_id, token = billable_account(client, "promob-owner", due_day=15, name="Marcenaria Promob")
    lapsed = _subscribe_paid(client, account_id, token, "2025-04-15", product_id=PROMOB, periodicity="annual")
    april = run_job(client, "2026-04-08")
    assert april["invoices_issued"] == 1
    studio = _subscribe_paid(client, account_id, token, "2026-04-20", product_id=PROMOB, periodicity="monthly",
                             quantity=2)
    plus = _subscribe_paid(client, account_id, token, "2026-04-22", product_id="promob-cats-optional",
                           periodicity="monthly")
    assert studio["current_period_end"] == plus["current_period_end"] == "2026-05-15"
    return account_id, token, lapsed, studio, plus


def test_promob_on_the_8th_one_invoice_with_three_items_a_valid_boleto_and_an_email(client, node_validators):
    account_id, token, lapsed, studio, plus = _promob_account(client)
    april_invoice = next(i for i in invoices(client, account_id, token, "open") if i["due_date"] == "2026-04-15")
    sent_before = len(outbox(client))

    summary = run_job(client, "2026-05-08")

    assert (summary["invoices_issued"], summary["superseded"]) == (1, 1)
    issued = [i for i in invoices(client, account_id, token, "open")]
    assert len(issued) == 1
    may = invoice(client, account_id, token, issued[0]["id"])
    assert (may["due_date"], may["issue_date"], may["status"], may["origin"]) == (
        "2026-05-15", "2026-05-08", "open", "renewal")
    items = [(line["subscription_id"], line["period_start"], line["period_end"], line["amount_cents"])
             for line in may["lines"]]
    assert items == [
        (lapsed["id"], "2026-04-15", "2027-04-15", PROMOB_ANNUAL),  # the lapsed one, carried
        (studio["id"], "2026-05-15", "2026-06-15", 2 * PROMOB_MONTHLY),
        (plus["id"], "2026-05-15", "2026-06-15", PROMOB_PLUS_MONTHLY),
    ]
    assert may["lines"][0]["source_invoice_id"] == april_invoice["id"]
    total = PROMOB_ANNUAL + 2 * PROMOB_MONTHLY + PROMOB_PLUS_MONTHLY
    assert may["total_cents"] == total

    boleto = may["boleto"]
    assert (boleto["due_date"], boleto["amount_cents"]) == ("2026-05-15", total)
    parsed = parse_boleto(boleto["digitable_line"], today=date(2026, 5, 8))
    assert (parsed.amount_cents, parsed.due_date, parsed.barcode) == (total, date(2026, 5, 15), boleto["barcode"])
    assert node_validators.valid_boletos([boleto["digitable_line"]]) == [True]
    pix = parse_pix(boleto["pix_payload"])
    assert pix.crc_valid and pix.fields["amount_cents"] == total
    assert "X-Amz-Expires=900" in boleto["pdf_url"]

    superseded = invoice(client, account_id, token, april_invoice["id"])
    assert (superseded["status"], superseded["superseded_by"]) == ("superseded", may["id"])
    assert superseded["boleto"] is None and superseded["previous_boletos"][0]["status"] == "superseded"

    emails = outbox(client)[: len(outbox(client)) - sent_before]
    assert len(emails) == 1
    email = emails[0]
    assert sorted(email["to"]) == sorted([BILLING_EMAIL, "promob-owner@example.com"])
    assert "R$ 2.477,00" in email["subject"] and "15/05/2026" in email["subject"]
    assert boleto["formatted_line"] in email["text"] and boleto["pix_payload"] in email["text"]
    assert f"/faturas/{may['id']}" in email["text"]

    assert run_job(client, "2026-05-09")["invoices_issued"] == 0
    assert [i["id"] for i in invoices(client, account_id, token, "open")] == [may["id"]]


def test_running_the_job_twice_the_same_day_leaves_one_invoice(client):
    account_id, token = billable_account(client, "twice-owner")
    _subscribe_paid(client, account_id, token, "2026-04-20", product_id=PROMOB, periodicity="monthly")
    first = run_job(client, "2026-05-08")
    again = client.call("POST", "/v1/_dev/jobs/issue-invoices").data
    assert (first["invoices_issued"], again["invoices_issued"]) == (1, 0)
    renewals = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert len(renewals) == 1


def test_running_the_worker_twice_for_the_same_account_leaves_one_invoice(client, aws):
    from chalicelib.jobs.work_queue import handle
    from chalicelib.services.invoicing.job import work_item

    account_id, token = billable_account(client, "worker-owner")
    _subscribe_paid(client, account_id, token, "2026-04-20", product_id=PROMOB, periodicity="monthly")
    at(client, "2026-05-08", "06:00:00")
    item = work_item(account_id, date(2026, 5, 8))
    first, second = handle(item), handle(item)
    assert len(first["invoice_ids"]) == 1 and second["invoice_ids"] == []
    assert len([i for i in stored_invoices(account_id) if i.origin == "renewal"]) == 1


def test_missed_days_are_caught_up_once_for_every_account_due_in_them(client):
    due_days = {8: "2026-05-01", 15: "2026-05-08", 22: "2026-05-15"}
    accounts = {}
    for due_day in due_days:
        account_id, token = billable_account(client, f"catchup-{due_day}", due_day=due_day)
        _subscribe_paid(client, account_id, token, "2026-04-10", product_id=PROMOB, periodicity="monthly")
        accounts[due_day] = (account_id, token)
    assert run_job(client, "2026-04-30")["invoices_issued"] == 0

    summary = run_job(client, "2026-05-16")  # the job did not run from 1 to 15 May

    assert summary["days_checked"] == 16 and summary["invoices_issued"] == 3
    for due_day, (account_id, token) in accounts.items():
        open_invoices = invoices(client, account_id, token, "open")
        assert [i["due_date"] for i in open_invoices] == [f"2026-05-{due_day:02d}"]
    assert run_job(client, "2026-05-16")["invoices_issued"] == 0
    assert run_job(client, "2026-05-17")["days_checked"] == 1
