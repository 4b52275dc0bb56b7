"""CRM People: a late platform fee (`separate`) stays payable on its own and
paying it puts the subscription back on its cycle without billing any month twice; a late mentorship
installment (`carry`, fixed_term) is carried into the next invoice with the current one and the old
invoice is superseded — its boleto still points at it, so paying it late is still credited."""
from collections import Counter
from datetime import date

import pytest

from chalicelib.domain.nosso_numero import nosso_numero_key
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from tests.steps.billing_steps import at, plan, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, pay, run_job, stored_invoices

pytestmark = pytest.mark.ddblocal

PLATFORM, MENTORSHIP = "operand-pro", "mentoria-12"  # separate; carry (fixed_term, 12 installments)
PLATFORM_MONTHLY, INSTALLMENT = 9900, 50000


def _customer(client, user, product, **extra):
    account_id, token = billable_account(client, user, due_day=15, name="CRM People")
    at(client, "2026-04-20", "10:00:00")
    sub = subscribe(client, account_id, token, product_id=product, periodicity="monthly", payment_method="boleto",
                    **extra)
    pay(client, sub["invoice_id"])
    return account_id, token, sub["id"]


def _periods(invoice_data) -> list[tuple[str, str]]:
    return [(line["period_start"], line["period_end"]) for line in invoice_data["lines"]
            if line["kind"] == "subscription"]


def test_platform_late_invoice_stays_payable_alone_and_paying_it_restores_the_cycle(client):
    account_id, token, sub_id = _customer(client, "platform-owner", PLATFORM)
    run_job(client, "2026-05-08")
    (may,) = invoices(client, account_id, token, "open")

    run_job(client, "2026-06-08")  # May is still unpaid

    june = next(i for i in invoices(client, account_id, token, "open") if i["id"] != may["id"])
    assert _periods(invoice(client, account_id, token, june["id"])) == [("2026-06-15", "2026-07-15")]
    late = invoice(client, account_id, token, may["id"])
    assert (late["status"], late["superseded_by"], late["total_cents"]) == ("open", None, PLATFORM_MONTHLY)
    assert late["boleto"]["due_date"] == "2026-05-15"  # its own boleto, payable on its own

    at(client, "2026-06-10", "10:00:00")
    pay(client, may["id"])
    restored = plan(client, account_id, token, sub_id)
    assert (restored["status"], restored["current_period_start"], restored["current_period_end"]) == (
        "active", "2026-05-15", "2026-06-15")
    pay(client, june["id"])

    run_job(client, "2026-07-08")

    billed = Counter(period for item in stored_invoices(account_id) for period in
                     ((line.period_start, line.period_end) for line in item.lines if line.kind == "subscription"))
    assert sorted(billed) == [(date(2026, 4, 20), date(2026, 5, 15)), (date(2026, 5, 15), date(2026, 6, 15)),
                              (date(2026, 6, 15), date(2026, 7, 15)), (date(2026, 7, 15), date(2026, 8, 15))]
    assert set(billed.values()) == {1}  # never two charges for one month
    (july,) = invoices(client, account_id, token, "open")
    assert _periods(invoice(client, account_id, token, july["id"])) == [("2026-07-15", "2026-08-15")]


def test_mentorship_overdue_installment_is_carried_with_the_current_one(client, aws):
    account_id, token, sub_id = _customer(client, "mentor-owner", MENTORSHIP)
    run_job(client, "2026-05-08")
    (may,) = invoices(client, account_id, token, "open")
    may_boleto = invoice(client, account_id, token, may["id"])["boleto"]

    run_job(client, "2026-06-08")

    (june,) = invoices(client, account_id, token, "open")
    june = invoice(client, account_id, token, june["id"])
    assert _periods(june) == [("2026-05-15", "2026-06-15"), ("2026-06-15", "2026-07-15")]
    assert [line["source_invoice_id"] for line in june["lines"]] == [may["id"], None]
    assert june["total_cents"] == june["boleto"]["amount_cents"] == 2 * INSTALLMENT
    old = invoice(client, account_id, token, may["id"])
    assert (old["status"], old["superseded_by"]) == ("superseded", june["id"])
    assert old["previous_boletos"] == [{"nosso_numero": may_boleto["nosso_numero"], "due_date": "2026-05-15",
                                        "amount_cents": INSTALLMENT, "status": "superseded"}]
    lookup = aws.invoice_reads.by_nosso_numero(nosso_numero_key("341", may_boleto["nosso_numero"]))
    assert (lookup.account_id, lookup.invoice_id) == (account_id, may["id"])
    summary = plan(client, account_id, token, sub_id)["open_invoices"]
    assert [i["id"] for i in summary["items"]] == [june["id"]]

    at(client, "2026-06-10", "10:00:00")  # the old boleto paid late: credited to the items where they are now
    paid = pay(client, may["id"], method="boleto", amount_cents=INSTALLMENT)
    assert (paid["invoice_id"], paid["invoice_status"]) == (june["id"], "partially_paid")
    assert invoice(client, account_id, token, june["id"])["paid_cents"] == INSTALLMENT


def test_a_superseded_mixed_invoice_leaves_its_separate_items_payable_on_their_own(client):
    account_id, token = billable_account(client, "mixed-owner", due_day=15)
    at(client, "2026-04-20", "10:00:00")
    for product in ("promob-cats-mandatory", PLATFORM):  # carry and separate on one boleto
        sub = subscribe(client, account_id, token, product_id=product, periodicity="monthly", payment_method="boleto")
        pay(client, sub["invoice_id"])
    run_job(client, "2026-05-08")
    (may,) = invoices(client, account_id, token, "open")

    run_job(client, "2026-06-08")

    open_now = {i["origin"]: invoice(client, account_id, token, i["id"])
                for i in invoices(client, account_id, token, "open")}
    assert set(open_now) == {"renewal", "reissue"}
    renewal, reissue = open_now["renewal"], open_now["reissue"]
    carried = [line for line in renewal["lines"] if line["source_invoice_id"]]
    assert [(line["amount_cents"], line["period_start"]) for line in carried] == [(19900, "2026-05-15")]
    assert (reissue["due_date"], reissue["total_cents"]) == ("2026-05-15", PLATFORM_MONTHLY)
    assert [line["source_invoice_id"] for line in reissue["lines"]] == [may["id"]]
    assert reissue["boleto"]["amount_cents"] == PLATFORM_MONTHLY
    listed = OpenInvoiceItem.get(account_pk(account_id), open_invoice_sk(reissue["id"]), consistent_read=True)
    assert listed.due_pk.startswith("REVIEW#2026-06-09#")  # overdue review from now on, not on a past day
    assert invoice(client, account_id, token, may["id"])["status"] == "superseded"
    assert renewal["total_cents"] == 19900 + 19900 + PLATFORM_MONTHLY  # carried + both renewals
