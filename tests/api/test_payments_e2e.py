"""Payments on top of real invoicing: a renewal issued by the issue-invoices job and paid
through the fake gateway, and an old boleto paid through a bank file after its 2ª via."""
from pathlib import Path

import pytest

from chalicelib.adapters.bank_files import parse_return_file
from tests.steps.billing_steps import at, subscribe
from tests.steps.invoicing_steps import billable_account, invoice, invoices, run_job
from tests.steps.payment_steps import dev_pay, itau_return, subjects
from tests.support import make_token

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`

CNAB = Path(__file__).resolve().parents[3] / "shared" / "reference" / "cnab"
STAFF = make_token("fin-1", "carla@vendor.example", groups=["finance"])


@pytest.fixture
def renewal(client):
    """Operand Pro (2 licenses, due day 15) paid on subscribing; its renewal issued on 8 December."""
    account_id, token = billable_account(client, "e2e-owner", due_day=15, name="Marcenaria E2E")
    at(client, "2026-11-15", "10:00:00")
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    assert dev_pay(client, sub["invoice_id"], "boleto").data["invoice_status"] == "paid"
    assert run_job(client, "2026-12-08")["invoices_issued"] == 1
    (issued,) = invoices(client, account_id, token, "open")
    return account_id, token, sub["id"], invoice(client, account_id, token, issued["id"])


def plan(client, account_id, token, subscription_id) -> dict:
    return client.call("GET", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}", token).data


def test_a_renewal_issued_by_the_job_and_paid_by_pix_extends_the_subscription(client, renewal):
    account_id, token, subscription_id, issued = renewal
    assert plan(client, account_id, token, subscription_id)["current_period_end"] == "2026-12-15"
    at(client, "2026-12-14", "09:00:00")

    paid = dev_pay(client, issued["id"], "pix")

    assert (paid.data["outcome"], paid.data["invoice_status"]) == ("settled", "paid")
    after = plan(client, account_id, token, subscription_id)
    assert (after["status"], after["current_period_start"], after["current_period_end"]) == \
        ("active", "2026-12-15", "2027-01-15")
    assert after["open_invoices"]["count"] == 0
    assert invoice(client, account_id, token, issued["id"])["status"] == "paid"
    assert any(s.startswith("Pagamento confirmado") for s in subjects(client, "financeiro@exemplo.com.br"))


def test_the_old_boleto_paid_after_its_2a_via_is_credited_to_the_invoice(client, renewal):
    account_id, token, subscription_id, issued = renewal
    old_boleto = issued["boleto"]
    at(client, "2026-12-21", "10:00:00")  # six days late: a new boleto with multa and juros
    copy = client.call("POST", f"/v1/accounts/{account_id}/invoices/{issued['id']}/second-copy", token).data
    assert copy["new_boleto"] is True and copy["total_cents"] > issued["total_cents"]

    # The customer pays the old boleto anyway, at its original amount; the bank reports it.
    number = old_boleto["nosso_numero"].split("/")[1].split("-")[0]
    content = itau_return([(number, issued["total_cents"])], "211226", (CNAB / "CNAB400ITAU.RET").read_bytes())
    assert parse_return_file(content).records[0].paid_cents == issued["total_cents"]
    imported = client.call("POST", "/v1/admin/bank-returns?name=itau-2026-12-22.ret", STAFF, raw=content,
                           headers={"Content-Type": "text/plain"})

    assert (imported.status_code, imported.data["settled"]) == (200, 1), imported.data
    after = invoice(client, account_id, token, issued["id"])
    assert after["status"] == "partially_paid"  # credited: only the late fees are still open
    rest = dev_pay(client, issued["id"], "pix")
    assert rest.data["amount_cents"] == copy["total_cents"] - issued["total_cents"]
    assert rest.data["invoice_status"] == "paid"
    assert plan(client, account_id, token, subscription_id)["current_period_end"] == "2027-01-15"
