"""The same gateway event delivered many times at once, on AWS DynamoDB Local: the receipt's
conditional write inside the settlement transaction lets exactly one delivery through; the others
answer as duplicates (moto is not thread-safe: this runs in the DynamoDB Local pass only)."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.adapters.gateways.fake import stripe_payment_succeeded, stripe_signature_header
from chalicelib.services.invoicing.orders import Line
from chalicelib.store.audit import AuditItem, audit_pk
from chalicelib.store.base import account_pk
from chalicelib.store.payments import PAYMENT_PREFIX, GatewayPaymentItem, PaymentItem, ReceiptItem, receipt_pk
from tests import ddblocal
from tests.steps.payment_steps import invoice, write_invoice
from tests.integration.test_ddblocal_concurrency import new_account, race

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


class RecordingMailer:
    def __init__(self):
        self.sent = []

    def send(self, email, account_id=None, **keys):
        self.sent.append(email)


@pytest.fixture
def quiet(aws):
    """Events and e-mails kept in memory: only DynamoDB is exercised by the threads."""
    aws.__dict__["events"] = RecordingPublisher(aws.clock)
    aws.__dict__["mailer"] = RecordingMailer()
    return aws


def open_invoice(aws):
    account = new_account(aws)
    item = write_invoice(aws, account.account_id, [
        Line("Operand Pro — 2 licenças", 19_800, "subscription", None, date(2026, 12, 1), date(2027, 1, 1))],
        now=datetime(2026, 12, 1, 9, tzinfo=SAO_PAULO))
    return account.account_id, item.invoice_id


def test_one_stripe_event_delivered_10_times_at_once_records_one_payment(quiet):
    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    raw = stripe_payment_succeeded(invoice_id, account_id, 19_800, payment_id="pi_race", event_id="evt_race")
    header = stripe_signature_header(raw, aws.settings.stripe_webhook_secret)

    outcomes = race(10, lambda _: aws.webhooks.receive_stripe(raw, header).outcome)

    assert [status for status, _ in outcomes] == ["ok"] * 10, outcomes
    answers = sorted(value for _, value in outcomes)
    assert answers == ["duplicate"] * 9 + ["settled"]
    payments = list(PaymentItem.query(account_pk(account_id), PaymentItem.sk.startswith(PAYMENT_PREFIX),
                                      consistent_read=True))
    assert len(payments) == 1
    stored = invoice(account_id, invoice_id)
    assert (stored.status, stored.paid_cents, stored.version) == ("paid", 19_800, 2)
    assert ReceiptItem.get(receipt_pk("stripe:evt_race"), "RECEIPT").payment_id == payments[0].payment_id
    assert GatewayPaymentItem.get("GWPAY#stripe#pi_race", "PAYMENT").payment_id == payments[0].payment_id
    settled = [a for a in AuditItem.query(audit_pk(account_id), consistent_read=True) if a.action == "payment.settled"]
    assert len(settled) == 1
    assert len(aws.mailer.sent) == 1  # one "pagamento confirmado"


def test_ten_different_events_of_one_gateway_payment_at_once_record_one_payment(quiet):
    """Stripe's payment_intent.succeeded and the app's own charge may race with different ids."""
    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    deliveries = []
    for n in range(10):
        raw = stripe_payment_succeeded(invoice_id, account_id, 19_800, payment_id="pi_one", event_id=f"evt_{n}")
        deliveries.append((raw, stripe_signature_header(raw, aws.settings.stripe_webhook_secret)))

    outcomes = race(10, lambda i: aws.webhooks.receive_stripe(*deliveries[i]).outcome)

    assert sorted(value for _, value in outcomes) == ["duplicate"] * 9 + ["settled"], outcomes
    assert invoice(account_id, invoice_id).paid_cents == 19_800
    for n in range(10):  # every delivery is on record, once
        assert ReceiptItem.get(receipt_pk(f"stripe:evt_{n}"), "RECEIPT") is not None


@pytest.mark.parametrize("case", ["wrong signature", "301 s old"])
def test_a_forged_or_stale_delivery_records_nothing_on_dynamodb_local(quiet, case):
    import time

    from chalicelib.errors import BadRequest

    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    raw = stripe_payment_succeeded(invoice_id, account_id, 19_800, event_id="evt_forged")
    secret = aws.settings.stripe_webhook_secret
    header = (stripe_signature_header(raw, "whsec_forger") if case == "wrong signature"
              else stripe_signature_header(raw, secret, int(time.time()) - 301))
    with pytest.raises(BadRequest) as refused:
        aws.webhooks.receive_stripe(raw, header)
    assert refused.value.status == 400
    assert invoice(account_id, invoice_id).status == "open"
    assert list(PaymentItem.query(account_pk(account_id), PaymentItem.sk.startswith(PAYMENT_PREFIX))) == []
    with pytest.raises(ReceiptItem.DoesNotExist):
        ReceiptItem.get(receipt_pk("stripe:evt_forged"), "RECEIPT")
