"""Pix Automático cycle charges under races, on AWS DynamoDB Local (moto is not thread-safe): two
workers charging the same invoice at once send one charge and record it once; two deliveries of the
charge's payment at once settle the invoice once."""
import json
from datetime import date, timedelta

import pytest

from tests import ddblocal
from tests.integration.test_ddblocal_concurrency import race
from tests.steps.billing_steps import at, plan, subscribe
from tests.steps.invoicing_steps import pay, run_job, stored_invoices
from tests.support import VALID_BILLING_DATA

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]


def _issued_uncharged(client, aws):
    """A renewal invoice of an approved recurrence, issued by the job with the PSP unreachable."""
    from chalicelib.adapters.pix_automatico import PspError

    class Down:
        def __getattr__(self, name):
            def refuse(*args, **kwargs):
                raise PspError("PSP unreachable: ConnectionError")
            return refuse

    at(client, "2026-03-02")
    account_id, token = client.create_account("pix-race-owner")
    assert client.call("PUT", f"/v1/accounts/{account_id}/billing-data", token, VALID_BILLING_DATA).status_code == 200
    sub = subscribe(client, account_id, token, product_id="operand-pro", periodicity="monthly", quantity=2,
                    payment_method="boleto")
    pay(client, sub["invoice_id"], "boleto")
    path = f"/v1/accounts/{account_id}/subscriptions/{sub['id']}/pix-automatico"
    rec_id = client.call("POST", path, token).data["rec_id"]
    assert client.call("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve").status_code == 200
    end = date.fromisoformat(plan(client, account_id, token, sub["id"])["current_period_end"])
    provider = aws.pix_cycle_charges._psp_provider
    aws.pix_cycle_charges._psp_provider = Down
    run_job(client, (end - timedelta(days=7)).isoformat())
    aws.pix_cycle_charges._psp_provider = provider
    [renewal] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert renewal.pix_txid is None
    return account_id, rec_id, renewal


def test_two_workers_charging_one_invoice_send_one_charge_recorded_once(client, aws):
    account_id, rec_id, renewal = _issued_uncharged(client, aws)
    outcomes = race(2, lambda i: aws.pix_cycle_charges.charge(account_id, renewal.invoice_id))
    assert all(status == "ok" for status, _ in outcomes), outcomes
    kinds = sorted(value.outcome for _, value in outcomes)
    # The PSP creates the charge for one of them; the other's PUT is refused (it reads the charge) or
    # it finds the charge recorded; whichever records second finds the first's record on its retry.
    assert kinds in (["already_charged", "charged"], ["charged", "recovered"], ["already_charged", "recovered"]), kinds
    [after] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert after.pix_charge_status == "ATIVA" and after.pix_txid
    sent = [r for r in client.call("GET", "/v1/_dev/pix-automatico").data["items"]
            if r["kind"] == "cobr" and r["rec_id"] == rec_id]
    assert {r["txid"] for r in sent} == {after.pix_txid}  # one txid; a second PUT, if any, was refused


def test_two_deliveries_of_the_payment_at_once_settle_once(client, aws):
    account_id, rec_id, renewal = _issued_uncharged(client, aws)
    charged = aws.pix_cycle_charges.charge(account_id, renewal.invoice_id)
    notification = aws.pix_psp.fake_control("POST", f"/cobr/{charged.txid}/pay")
    raw = json.dumps(notification).encode()
    token = aws.settings.pix_webhook_token
    outcomes = race(2, lambda i: aws.pix_webhooks.receive(raw, token)[0].outcome)
    assert all(status == "ok" for status, _ in outcomes), outcomes
    assert sorted(value for _, value in outcomes) == ["duplicate", "settled"]
    [after] = [i for i in stored_invoices(account_id) if i.origin == "renewal"]
    assert (after.status, after.paid_cents, after.pix_charge_status) == ("paid", after.total_cents, "CONCLUIDA")
