"""A plan change after the renewal invoice of the next period was issued (issue-invoices runs 7 days
ahead of the renewal). Before this was handled (docs/invoicing.md, "Limits"), that invoice stayed
payable at the old plan: an upgrade monthly → annual still owed R$ 198,00 for a December the annual
plan already covers (money created), and 3 licenses added on 26 Nov were never billed for December
(R$ 297,00 lost: the issued invoice billed 2 licenses, the ~BILLED# marker kept the job from billing
it again). Now the unpaid invoice is superseded in the change's transaction and re-issued without the
old plan's period (or with it re-priced); a paid one counts whole as credit."""
import pytest

from chalicelib.store.base import account_pk
from chalicelib.store.invoices import BilledPeriodItem, billed_period_sk
from tests.steps.billing_steps import account, at, change, plan, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, outbox, pay, run_job, stored_invoices

pytestmark = pytest.mark.ddblocal

OPERAND = "operand-pro"  # 9900 a seat monthly, 99000 annual; consolidation `separate`
MONTHLY_2, ANNUAL_2 = 2 * 9900, 2 * 99000


def _renewal_issued(client, user="walk-owner", periodicity="monthly", start="2026-11-01", issue="2026-11-24"):
    """Boleto subscription paid, then the issue-invoices run that bills its next period."""
    account_id, token = billable_account(client, user, due_day=None)
    at(client, start, "10:00:00")
    sub = subscribe(client, account_id, token, product_id=OPERAND, periodicity=periodicity, quantity=2,
                    payment_method="boleto")
    pay(client, sub["invoice_id"])
    assert run_job(client, issue)["invoices_issued"] == 1
    [renewal] = invoices(client, account_id, token, "open")
    return account_id, token, sub, renewal


def _change(client, account_id, token, sub_id, body):
    preview = change(client, account_id, token, sub_id, body, preview=True)
    applied = change(client, account_id, token, sub_id, body)
    assert preview.status_code == applied.status_code == 200, (preview.data, applied.data)
    result = dict(applied.data)
    assert preview.data == {**result, "invoice_id": None, "reissued_invoice_id": None}
    return result


def _open(client, account_id, token):
    return sorted((i["due_date"], i["total_cents"]) for i in invoices(client, account_id, token, "open"))


def test_upgrade_after_the_renewal_invoice_supersedes_it_and_bills_nothing_twice(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client)
    assert (renewal["due_date"], renewal["total_cents"]) == ("2026-12-01", MONTHLY_2)
    at(client, "2026-11-26")

    result = _change(client, account_id, token, sub["id"], {"periodicity": "annual"})

    credit = 3300  # 19800 × 5 unused days ÷ 30
    assert (result["credit_cents"], result["charge_now_cents"]) == (credit, ANNUAL_2 - credit)
    assert result["superseded_invoice_id"] == renewal["id"]
    assert result["next_period_invoice"] is None  # the annual plan's next period renews in Nov 2027
    old = invoice(client, account_id, token, renewal["id"])
    assert (old["status"], old["superseded_by"], old["boleto"]) == ("superseded", result["invoice_id"], None)
    assert [b["status"] for b in old["previous_boletos"]] == ["superseded"]
    assert _open(client, account_id, token) == [("2026-11-26", ANNUAL_2 - credit)]
    [mail] = outbox(client, "boleto_replaced")
    assert renewal["number"] in mail["subject"] and "Não pague o boleto" in mail["text"]

    pay(client, result["invoice_id"])
    for day in ("2026-11-30", "2026-12-02"):
        run_job(client, day)
    assert _open(client, account_id, token) == []  # December is not billed again: the annual plan has it
    after = plan(client, account_id, token, sub["id"])
    assert (after["current_period_end"], after["next_renewal"]["period_start"]) == ("2027-11-26", "2027-11-26")
    paid = sum(i["total_cents"] for i in invoices(client, account_id, token, "paid"))
    assert paid == MONTHLY_2 + ANNUAL_2 - credit  # November, then the annual plan: nothing else


def test_licenses_added_after_the_renewal_invoice_re_price_the_next_period(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client)
    at(client, "2026-11-26")

    result = _change(client, account_id, token, sub["id"], {"quantity": 5})

    assert result["charge_now_cents"] == 4950  # 3 × 9900 × 5 ÷ 30, to 1 Dec
    replacement = result["next_period_invoice"]
    assert (replacement["due_date"], replacement["total_cents"]) == ("2026-12-01", 5 * 9900)
    assert [(l["period_start"], l["period_end"], l["amount_cents"]) for l in replacement["lines"]] == [
        ("2026-12-01", "2027-01-01", 5 * 9900)]
    new_id = result["reissued_invoice_id"]
    assert invoice(client, account_id, token, renewal["id"])["superseded_by"] == new_id
    marker = BilledPeriodItem.get(account_pk(account_id), billed_period_sk(sub["id"], 1, _date("2026-12-01")))
    assert marker.invoice_id == new_id  # still billed once: by the replacement
    assert _open(client, account_id, token) == [("2026-11-26", 4950), ("2026-12-01", 5 * 9900)]
    second = client.call("POST", f"/v1/accounts/{account_id}/invoices/{new_id}/second-copy", token)
    assert second.status_code == 200 and second.data["boleto"]["amount_cents"] == 5 * 9900

    for open_invoice in invoices(client, account_id, token, "open"):
        pay(client, open_invoice["id"])
    run_job(client, "2026-12-25")
    assert _open(client, account_id, token) == [("2027-01-01", 5 * 9900)]
    assert plan(client, account_id, token, sub["id"])["current_period_end"] == "2027-01-01"


def test_downgrade_annual_to_monthly_after_the_renewal_invoice(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client, "annual-owner", "annual", "2025-12-01", "2026-11-24")
    assert (renewal["due_date"], renewal["total_cents"]) == ("2026-12-01", ANNUAL_2)
    at(client, "2026-11-26")

    result = _change(client, account_id, token, sub["id"], {"periodicity": "monthly"})

    credit = 2712  # 198000 × 5 ÷ 365
    assert (result["credit_cents"], result["charge_now_cents"]) == (credit, MONTHLY_2 - credit)
    assert result["superseded_invoice_id"] == renewal["id"] and result["next_period_invoice"] is None
    assert _open(client, account_id, token) == [("2026-11-26", MONTHLY_2 - credit)]
    pay(client, result["invoice_id"])
    run_job(client, "2026-12-19")
    assert _open(client, account_id, token) == [("2026-12-26", MONTHLY_2)]  # the monthly plan's next period


def test_the_superseded_boleto_is_not_registered_and_a_late_payment_of_it_is_kept(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client)
    at(client, "2026-11-24", "10:00:00")
    result = _change(client, account_id, token, sub["id"], {"periodicity": "annual"})
    at(client, "2026-11-24", "20:00:00")

    remittance = client.call("POST", "/v1/_dev/jobs/register-boletos").data

    # The change's own order has its boleto from creation and is registered; the superseded one is not.
    assert (remittance["processed"], remittance["remitted"], remittance["skipped"]) == (2, 1, 1)
    pay(client, result["invoice_id"])
    before = account(client, account_id, token)["credit_cents"]
    pay(client, renewal["id"], method="boleto", amount_cents=MONTHLY_2)  # the old boleto, paid anyway
    assert account(client, account_id, token)["credit_cents"] == before + MONTHLY_2  # credit, not lost


def test_late_payment_of_the_superseded_boleto_pays_its_replacement(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client)
    at(client, "2026-11-26")
    result = _change(client, account_id, token, sub["id"], {"quantity": 3})
    pay(client, renewal["id"], method="boleto", amount_cents=MONTHLY_2)

    replacement = invoice(client, account_id, token, result["reissued_invoice_id"])
    assert (replacement["status"], replacement["paid_cents"]) == ("partially_paid", MONTHLY_2)


def test_a_next_period_already_paid_counts_whole_as_credit(client, aws):
    account_id, token, sub, renewal = _renewal_issued(client)
    pay(client, renewal["id"])  # paid ahead: settlement made December the current period
    at(client, "2026-11-26")

    result = _change(client, account_id, token, sub["id"], {"periodicity": "annual"})

    assert result["credit_cents"] == MONTHLY_2  # none of December used yet
    assert result["charge_now_cents"] == ANNUAL_2 - MONTHLY_2
    assert (result["new_period_start"], result["new_period_end"]) == ("2026-12-01", "2027-12-01")
    assert result["superseded_invoice_id"] is None
    pay(client, result["invoice_id"])
    paid = sum(i["total_cents"] for i in invoices(client, account_id, token, "paid"))
    assert paid == MONTHLY_2 + ANNUAL_2  # November, then one year from 1 Dec: charged once


def test_a_shared_renewal_invoice_keeps_the_other_subscription_and_returns_its_credit(client, aws):
    account_id, token = billable_account(client, "shared-owner", due_day=15)
    at(client, "2026-10-20", "10:00:00")
    first = subscribe(client, account_id, token, product_id=OPERAND, periodicity="monthly", quantity=2,
                      payment_method="boleto")
    second = subscribe(client, account_id, token, product_id="promob-cats-optional", periodicity="monthly",
                       payment_method="boleto")
    pay(client, first["invoice_id"])
    pay(client, second["invoice_id"])
    staff = client.call("POST", f"/v1/admin/accounts/{account_id}/credits", _staff(),
                        {"amount_cents": 1000, "reason": "cortesia"})
    assert staff.status_code in (200, 201), staff.data
    run_job(client, "2026-11-08")
    [renewal] = invoices(client, account_id, token, "open")
    assert renewal["total_cents"] > 0
    stored = {i.invoice_id: i for i in stored_invoices(account_id)}[renewal["id"]]
    applied = -sum(l.amount_cents for l in stored.lines if l.kind == "credit")
    at(client, "2026-11-10")

    result = _change(client, account_id, token, first["id"], {"periodicity": "annual"})

    replacement = result["next_period_invoice"]
    assert [l["subscription_id"] for l in replacement["lines"] if l["subscription_id"]] == [second["id"]]
    assert replacement["returned_credit_cents"] == applied
    kept = sum(l.amount_cents for l in stored.lines if l.subscription_id == second["id"])
    assert replacement["total_cents"] == kept - replacement["account_credit_applied_cents"]
    # the returned credit paid the change's order first, the rest the replacement, nothing left over
    assert result["account_credit_applied_cents"] + replacement["account_credit_applied_cents"] \
        + account(client, account_id, token)["credit_cents"] == applied + result["account_credit_cents"]


def _staff():
    from tests.support import make_token

    return make_token("staff-1", groups=["finance"])


def _date(text):
    from datetime import date

    return date.fromisoformat(text)
