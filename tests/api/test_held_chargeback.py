"""A chargeback the gateway sends before the payment it disputes is held, then applied when the payment
settles: the settlement's `held_events` hook (chalicelib/wiring/payments.py) must reach the refunds
service, or the dispute would stay held and the subscription active."""
import pytest

from chalicelib.store.payments import GatewayPaymentItem
from tests.steps.payment_steps import customer, deliver_stripe, payments, stripe_event, stripe_payload, subscription

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`


def test_a_chargeback_that_arrives_before_its_payment_is_held_then_applied(client):
    c = customer(client, method="card")
    dispute = stripe_payload("charge.dispute.created", {"id": "dp_early", "object": "dispute",
                                                        "payment_intent": "pi_disputed", "amount": 19_800},
                             "evt_dispute_early")
    held = deliver_stripe(client, dispute)
    assert (held.status_code, held.data["outcome"]) == (200, "held")
    assert GatewayPaymentItem.get("GWPAY#stripe#pi_disputed", "PAYMENT").payment_id is None

    paid = deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_disputed",
                                               event_id="evt_paid_late"))
    assert (paid.status_code, paid.data["outcome"]) == (200, "settled")
    [payment] = payments(client, c)
    assert payment["status"] == "charged_back"
    assert subscription(c.account_id, c.subscription_id).status == "suspended"
    assert deliver_stripe(client, dispute).data["outcome"] == "duplicate"  # applied once
