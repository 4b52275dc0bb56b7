"""Races and faults on money paths, on AWS DynamoDB Local (moto is not thread-safe): two plan
changes at once, two workers issuing one account, and a settling payment delivered under
TransactionConflict — each leaves exactly one effect."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.gateways.fake import stripe_payment_succeeded, stripe_signature_header
from chalicelib.domain.enums import Periodicity
from chalicelib.errors import AppError
from chalicelib.services.subscriptions.change_terms import ChangeRequest
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PAYMENT_PREFIX, PaymentItem
from tests import ddblocal
from tests.steps.payment_steps import invoice
from tests.faults.injection import DynamoFaults, transaction_conflict
from tests.integration.test_ddblocal_concurrency import new_account, race
from tests.integration.test_ddblocal_webhooks import open_invoice, quiet  # noqa: F401 (fixture)
from tests.support import VALID_BILLING_DATA

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def customer_with_subscription(aws):
    account = new_account(aws)
    aws.accounts.update_billing_data(account.account_id, {
        **VALID_BILLING_DATA, "document": "11222333000181",
        "address": {**VALID_BILLING_DATA["address"], "cep": "95700000"}}, "alice")
    subscribed = aws.subscriptions.subscribe(account.account_id, SubscribeRequest(
        product_id="operand-pro", periodicity=Periodicity.MONTHLY, quantity=2, payment_method="boleto"), "alice")
    return account.account_id, subscribed.subscription


def invoices_of(account_id: str) -> list[InvoiceItem]:
    return list(InvoiceItem.query(account_pk(account_id), InvoiceItem.sk.startswith("~INV#"), consistent_read=True))


def payments_of(account_id: str) -> list[PaymentItem]:
    return list(PaymentItem.query(account_pk(account_id), PaymentItem.sk.startswith(PAYMENT_PREFIX),
                                  consistent_read=True))


def test_two_plan_changes_at_once_one_applies_the_other_gets_409(quiet):
    aws = quiet
    account_id, subscription = customer_with_subscription(aws)
    before = len(invoices_of(account_id))

    outcomes = race(2, lambda i: aws.plan_changes.apply(
        account_id, subscription.subscription_id, ChangeRequest(quantity=3 + i), "alice"))

    applied = [value for status, value in outcomes if status == "ok"]
    refused = [value for status, value in outcomes if status == "error"]
    assert len(applied) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], AppError) and refused[0].status == 409, refused
    assert len(invoices_of(account_id)) == before + 1  # one order invoice, for the change that won


def test_two_workers_issuing_one_account_at_once_leave_one_invoice(quiet):
    aws = quiet
    account_id, subscription = customer_with_subscription(aws)
    issue_date = subscription.current_period_end - timedelta(days=7)
    aws.clock.set(datetime.combine(issue_date, datetime.min.time(), SAO_PAULO).replace(hour=6))
    before = {i.invoice_id for i in invoices_of(account_id)}

    outcomes = race(2, lambda _: aws.invoicing.issue_for_account(account_id, issue_date))

    assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
    issued = [invoice_id for _, outcome in outcomes for invoice_id in outcome.invoice_ids]
    new = {i.invoice_id for i in invoices_of(account_id)} - before
    assert len(issued) == 1 and new == set(issued)


def test_a_settling_payment_under_transaction_conflicts_is_applied_once(quiet):
    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    raw = stripe_payment_succeeded(invoice_id, account_id, 19_800, payment_id="pi_tc", event_id="evt_tc")
    header = stripe_signature_header(raw, aws.settings.stripe_webhook_secret)

    with DynamoFaults().add(transaction_conflict(times=2)) as faults:
        first = aws.webhooks.receive_stripe(raw, header).outcome
    again = aws.webhooks.receive_stripe(raw, header).outcome

    assert sum(faults.injected.values()) == 2
    assert (first, again) == ("settled", "duplicate")
    assert len(payments_of(account_id)) == 1
    stored = invoice(account_id, invoice_id)
    assert (stored.status, stored.paid_cents) == ("paid", 19_800)


def test_ten_concurrent_deliveries_under_transaction_conflicts_record_one_payment(quiet):
    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    raw = stripe_payment_succeeded(invoice_id, account_id, 19_800, payment_id="pi_tc10", event_id="evt_tc10")
    header = stripe_signature_header(raw, aws.settings.stripe_webhook_secret)

    with DynamoFaults().add(transaction_conflict(times=3)):
        outcomes = race(10, lambda _: aws.webhooks.receive_stripe(raw, header).outcome)

    assert sorted(value for _, value in outcomes if _ == "ok").count("settled") == 1, outcomes
    assert len(payments_of(account_id)) == 1
    assert invoice(account_id, invoice_id).paid_cents == 19_800
