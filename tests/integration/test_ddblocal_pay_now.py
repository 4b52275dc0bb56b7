"""Paying an invoice now (manual renewal) from many requests at once, on AWS DynamoDB Local with real
threads: the invoice's payment attempt is claimed in the database before the gateway is called, so
the card is charged once, one payment is recorded and one "Pagamento confirmado" goes out."""
import threading
import time

import pytest

from chalicelib.errors import AppError
from chalicelib.services.subscriptions.cards import CardData
from chalicelib.store.base import account_pk
from chalicelib.store.payments import PAYMENT_PREFIX, PaymentItem
from tests import ddblocal
from tests.steps.payment_steps import invoice
from tests.integration.test_ddblocal_concurrency import race
from tests.integration.test_ddblocal_webhooks import open_invoice, quiet  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]

REQUESTS = 20
GATEWAY_LATENCY_SECONDS = 0.2  # a real gateway takes this long or more: every request overlaps the charge


class SlowGateway:
    """The fake gateway behind a real gateway's latency, counting every call it receives."""

    def __init__(self, gateway):
        self._gateway = gateway
        self.calls = []
        self._lock = threading.Lock()

    def charge(self, charge):
        with self._lock:
            self.calls.append(charge.idempotency_key)
        time.sleep(GATEWAY_LATENCY_SECONDS)
        return self._gateway.charge(charge)

    def __getattr__(self, name):
        return getattr(self._gateway, name)


def test_concurrent_pay_now_charges_the_card_once(quiet):
    aws = quiet
    account_id, invoice_id = open_invoice(aws)
    aws.cards.set_card(account_id, CardData("tok_visa_4242", "visa", "4242", 12, 2030), "alice")
    fake = aws.card_gateway
    aws.card_charges._gateway = gateway = SlowGateway(fake)

    outcomes = race(REQUESTS, lambda _: aws.card_charges.pay_now(account_id, invoice_id, "alice"))

    settled = [value for status, value in outcomes if status == "ok"]
    refused = [value for status, value in outcomes if status == "error"]
    assert [result.outcome.value for result in settled] == ["settled"], outcomes
    assert all(isinstance(e, AppError) and e.status == 409 for e in refused), refused
    # Those that came while the charge was under way are told so; any that came after it finished
    # read the invoice already paid.
    assert {e.code for e in refused} <= {"payment_in_progress", "invoice_not_payable"}, refused
    assert "payment_in_progress" in {e.code for e in refused}
    in_progress = next(e for e in refused if e.code == "payment_in_progress")
    assert "pagamento desta fatura em andamento" in in_progress.message

    assert gateway.calls == [f"{invoice_id}:manual-1"]
    assert [charge.idempotency_key for charge in fake.charges] == [f"{invoice_id}:manual-1"]
    payments = list(PaymentItem.query(account_pk(account_id), PaymentItem.sk.startswith(PAYMENT_PREFIX),
                                      consistent_read=True))
    assert [(p.amount_cents, p.credit_cents) for p in payments] == [(19_800, 0)]
    stored = invoice(account_id, invoice_id)
    assert (stored.status, stored.paid_cents) == ("paid", 19_800)
    confirmed = [m.subject for m in aws.mailer.sent if m.subject.startswith("Pagamento confirmado")]
    assert len(confirmed) == 1, confirmed
