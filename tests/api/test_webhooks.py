"""Gateway webhooks through HTTP: signatures and tokens verified on the raw body, replays refused
(old or dated ahead), each event recorded once, unknown types acknowledged, events out of order
applied safely. Unreadable events (dead letters): tests/api/test_webhook_dead_letters.py."""
import json
import time

import pytest

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.adapters.gateways.fake import stripe_signature_header
from chalicelib.store.dead_letters import DeadLetterItem
from chalicelib.store.payments import GatewayPaymentItem, ReceiptItem
from tests.steps.billing_steps import at
from tests.steps.payment_steps import (
    STRIPE_SECRET, asaas_payload, customer, deliver_asaas, deliver_stripe, invoice, payments, stripe_event, stripe_payload,
    subjects, subscription,
)

pytestmark = pytest.mark.ddblocal  # also in the DynamoDB Local pass of `make test`


@pytest.fixture
def published(aws):
    """Domain events the app publishes, kept in memory (set before the first request builds settlement)."""
    recorder = RecordingPublisher(aws.clock)
    aws.__dict__["events"] = recorder
    return recorder.published


def receipts() -> list[str]:
    return [item.key for item in ReceiptItem.scan()]  # test-only Scan: nothing may be recorded


# --- Stripe: signature and replay window -----------------------------------------------------
def test_a_signed_stripe_payment_settles_the_invoice(client, published):
    c = customer(client)
    published.clear()  # the invoice.issued of the subscription's boleto: only the payment's from here
    response = deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_1"))
    assert response.status_code == 200, response.data
    assert response.data == {"received": True, "event_id": "evt_1", "outcome": "settled"}
    assert invoice(c.account_id, c.invoice_id).status == "paid"
    [payment] = payments(client, c)
    assert (payment["amount_cents"], payment["method"], payment["source"], payment["gateway"]) == \
        (19_800, "card", "gateway", "stripe")
    assert [e["type"] for e in published] == ["invoice.paid"]
    assert published[0]["data"]["payment_id"] == payment["id"]


@pytest.mark.parametrize("case", ["wrong secret", "tampered body", "no header", "301 s old", "garbage header"])
def test_a_forged_or_stale_stripe_delivery_gets_400_and_records_nothing(client, case):
    c = customer(client)
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_bad")
    kwargs = {
        "wrong secret": {"secret": "whsec_someone_else"},
        "no header": {"signature": ""},
        "301 s old": {"timestamp": int(time.time()) - 301},
        "garbage header": {"signature": "t=abc,v1=zz"},
    }.get(case, {})
    if case == "tampered body":  # signed, then the amount changed on the way
        kwargs = {"signature": stripe_signature_header(raw, STRIPE_SECRET)}
        raw = raw.replace(b"19800", b"99800")
    response = deliver_stripe(client, raw, **kwargs)
    assert response.status_code == 400, response.data
    assert response.data["error"]["code"] == "webhook_rejected"
    assert invoice(c.account_id, c.invoice_id).status == "open"
    assert payments(client, c) == [] and receipts() == []


def test_a_delivery_299_s_old_is_still_within_the_tolerance(client):
    c = customer(client)
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_late")
    assert deliver_stripe(client, raw, timestamp=int(time.time()) - 299).status_code == 200


def test_a_signature_dated_600_s_ahead_is_refused_the_tolerance_applies_both_ways(client):
    """The Stripe library bounds only the age: a signature dated ahead stayed replayable until its
    date plus 300 s. 299 s ahead (a signer's clock running fast) is still within the window."""
    c = customer(client)
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_ahead")
    ahead = deliver_stripe(client, raw, timestamp=int(time.time()) + 600)
    assert ahead.status_code == 400 and ahead.data["error"]["code"] == "webhook_rejected"
    assert invoice(c.account_id, c.invoice_id).status == "open" and receipts() == []
    assert deliver_stripe(client, raw, timestamp=int(time.time()) + 299).data["outcome"] == "settled"


def test_the_same_event_delivered_again_answers_200_and_does_nothing(client, published):
    c = customer(client)
    published.clear()  # the invoice.issued of the subscription's boleto: only the payment's from here
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_twice")
    first, second = deliver_stripe(client, raw), deliver_stripe(client, raw)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.data["outcome"] == "duplicate"
    assert len(payments(client, c)) == 1
    assert subjects(client).count("Pagamento confirmado — R$ 198,00 — Conta de owner") == 1
    assert [e["type"] for e in published] == ["invoice.paid"]


def test_a_delivery_that_dies_after_its_commit_sends_its_notice_when_delivered_again(aws, client, published):
    c = customer(client)
    published.clear()  # the invoice.issued of the subscription's boleto: only the payment's from here
    raw = stripe_event(c.invoice_id, c.account_id, 19_800, event_id="evt_crash")
    real_send = aws.mailer.send
    calls = []

    def dying_send(*args, **kwargs):  # SES down right after the commit: the gateway gets a 500
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("SES unavailable")
        return real_send(*args, **kwargs)

    aws.mailer.send = dying_send
    at(client, "2026-12-01", "10:00:00")
    first = deliver_stripe(client, raw)
    assert first.status_code == 500 and invoice(c.account_id, c.invoice_id).status == "paid"
    assert ReceiptItem.get("RECEIPT#stripe:evt_crash", "RECEIPT").notice_pending
    # Delivered again at once (a concurrent duplicate): the first delivery may still be sending.
    assert deliver_stripe(client, raw).data["outcome"] == "duplicate" and len(calls) == 1

    at(client, "2026-12-01", "10:05:00")
    again = deliver_stripe(client, raw)  # the gateway's retry, minutes later

    assert (again.status_code, again.data["outcome"]) == (200, "duplicate")
    assert subjects(client).count("Pagamento confirmado — R$ 198,00 — Conta de owner") == 1
    assert [e["type"] for e in published] == ["invoice.paid", "invoice.paid"]  # the same event, same id
    assert published[0]["id"] == published[1]["id"]
    assert not ReceiptItem.get("RECEIPT#stripe:evt_crash", "RECEIPT").notice_pending
    deliver_stripe(client, raw)
    assert len(published) == 2 and len(payments(client, c)) == 1


def test_a_second_event_of_the_same_gateway_payment_records_no_second_payment(client):
    c = customer(client)
    deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_same", event_id="evt_a"))
    again = deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_same",
                                                event_id="evt_b"))
    assert (again.status_code, again.data["outcome"]) == (200, "duplicate")
    assert len(payments(client, c)) == 1


def test_an_unknown_event_type_answers_200_and_is_logged(client, capsys):
    raw = stripe_payload("customer.created", {"id": "cus_1", "object": "customer"}, "evt_unknown")
    response = deliver_stripe(client, raw)
    assert (response.status_code, response.data["outcome"]) == (200, "ignored")
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert any(line["message"] == "webhook event type ignored" and line["event_type"] == "customer.created"
               for line in logged)


def test_a_signed_json_body_that_is_not_an_event_is_kept_as_a_dead_letter(client):
    response = deliver_stripe(client, b'{"not": "an event"}')
    assert (response.status_code, response.data["outcome"], response.data["event_id"]) == (200, "dead_letter", None)
    [letter] = DeadLetterItem.scan()  # test-only Scan
    assert letter.raw_body == '{"not": "an event"}' and receipts() == []


@pytest.mark.parametrize("body", [b'{"id": "evt_1", "type": "x"', b"\xff\xfe", b'{"id": ' + b"1" * 4301 + b"}"],
                         ids=["truncated", "not UTF-8", "integer over 4,300 digits"])
@pytest.mark.parametrize("gateway", ["stripe", "asaas"])
def test_a_verified_body_that_is_not_json_gets_400_and_records_nothing(client, gateway, body):
    """An integer literal over Python's int-string limit raised ValueError outside the JSON error
    handling; a body that is not JSON at all is malformed (400), not an event to keep."""
    response = deliver_stripe(client, body) if gateway == "stripe" else deliver_asaas(client, body)
    assert response.status_code == 400 and response.data["error"]["code"] == "webhook_rejected", response.data
    assert receipts() == [] and list(DeadLetterItem.scan()) == []


def test_a_payment_for_no_known_invoice_is_kept_for_the_finance_team(client):
    response = deliver_stripe(client, stripe_event("inv_nao_existe", "acc_nao_existe", 5_000, event_id="evt_lost"))
    assert (response.status_code, response.data["outcome"]) == (200, "unmatched")
    assert "[Renova] Pagamento sem fatura correspondente" in subjects(client, "financeiro@renova.local")
    assert deliver_stripe(client, stripe_event("inv_nao_existe", "acc_x", 5_000, event_id="evt_lost")).data["outcome"] \
        == "duplicate"


# --- Asaas: token, exactly 200 --------------------------------------------------------------
def test_asaas_gets_exactly_200_for_a_payment_and_for_its_duplicate(client):
    c = customer(client)
    payload = asaas_payload("PAYMENT_RECEIVED", "pay_as_1", c.invoice_id, "198.00", "evt_as_1", "PIX")
    first, second = deliver_asaas(client, payload), deliver_asaas(client, payload)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.data["outcome"], second.data["outcome"]) == ("settled", "duplicate")
    [payment] = payments(client, c)
    assert (payment["method"], payment["amount_cents"], payment["gateway"]) == ("pix", 19_800, "asaas")


@pytest.mark.parametrize("token", [None, "", "wrong-token", "local-asaas-token "])
def test_asaas_without_the_right_token_gets_400_and_records_nothing(client, token):
    c = customer(client)
    response = deliver_asaas(client, asaas_payload("PAYMENT_RECEIVED", "pay_x", c.invoice_id, "198.00", "evt_x"),
                             token=token)
    assert response.status_code == 400 and response.data["error"]["code"] == "webhook_rejected"
    assert payments(client, c) == [] and receipts() == []


def test_asaas_confirmed_then_received_for_one_payment_records_it_once(client):
    c = customer(client)
    deliver_asaas(client, asaas_payload("PAYMENT_CONFIRMED", "pay_card", c.invoice_id, "198.00", "evt_c", "BOLETO"))
    received = deliver_asaas(client, asaas_payload("PAYMENT_RECEIVED", "pay_card", c.invoice_id, "198.00", "evt_r"))
    assert (received.status_code, received.data["outcome"]) == (200, "duplicate")
    assert len(payments(client, c)) == 1


# --- out of order -----------------------------------------------------------------------------
def test_a_refund_that_arrives_before_its_payment_is_held_then_applied(client):
    c = customer(client, method="card")
    refund = stripe_payload("charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": "pi_early",
                                                "amount": 19_800, "amount_refunded": 19_800}, "evt_refund")
    held = deliver_stripe(client, refund)
    assert (held.status_code, held.data["outcome"]) == (200, "held")
    assert GatewayPaymentItem.get("GWPAY#stripe#pi_early", "PAYMENT").payment_id is None

    paid = deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_early",
                                               event_id="evt_pay"))
    assert (paid.status_code, paid.data["outcome"]) == (200, "settled")
    [payment] = payments(client, c)
    assert (payment["status"], payment["refunded_cents"]) == ("refunded", 19_800)
    assert invoice(c.account_id, c.invoice_id).status == "refunded"
    assert deliver_stripe(client, refund).data["outcome"] == "duplicate"  # the held event stays applied once


def test_a_refund_made_at_the_gateway_after_the_payment_marks_it_refunded(client):
    c = customer(client)
    deliver_asaas(client, asaas_payload("PAYMENT_RECEIVED", "pay_r", c.invoice_id, "198.00", "evt_1"))
    response = deliver_asaas(client, asaas_payload("PAYMENT_REFUNDED", "pay_r", c.invoice_id, "198.00", "evt_2"))
    assert (response.status_code, response.data["outcome"]) == (200, "refunded")
    assert payments(client, c)[0]["status"] == "refunded"
    again = deliver_asaas(client, asaas_payload("PAYMENT_REFUNDED", "pay_r", c.invoice_id, "198.00", "evt_3"))
    assert again.data["outcome"] == "already_refunded"


def test_a_chargeback_suspends_the_subscription_and_alerts_the_team(client, published):
    c = customer(client, method="card")
    deliver_stripe(client, stripe_event(c.invoice_id, c.account_id, 19_800, payment_id="pi_cb", event_id="evt_p"))
    dispute = stripe_payload("charge.dispute.created", {"id": "dp_1", "object": "dispute", "payment_intent": "pi_cb",
                                                        "amount": 19_800}, "evt_dispute")
    response = deliver_stripe(client, dispute)
    assert (response.status_code, response.data["outcome"]) == (200, "charged_back")
    assert payments(client, c)[0]["status"] == "charged_back"
    assert subscription(c.account_id, c.subscription_id).status == "suspended"
    assert "[Renova] Contestação de pagamento (chargeback)" in subjects(client, "financeiro@renova.local")
    suspended = [e for e in published if e["type"] == "license.suspended"]
    assert suspended and suspended[0]["data"] == {"subscription_id": c.subscription_id, "product_id": "operand-pro",
                                                  "license": "suspended", "support": False, "updates": False}
    entries = client.call("GET", f"{c.path}/audit", c.token).data["items"]
    assert "payment.charged_back" in [e["action"] for e in entries]
    # The invoice is owed again: paying it restores the subscription.
    assert invoice(c.account_id, c.invoice_id).status == "open"
    plan = client.call("GET", f"{c.path}/subscriptions/{c.subscription_id}", c.token).data
    assert plan["open_invoices"]["count"] == 1
    repaid = client.call("POST", f"{c.path}/invoices/{c.invoice_id}/pay", c.token)
    assert repaid.status_code == 201 and repaid.data["invoice_status"] == "paid"
    assert subscription(c.account_id, c.subscription_id).status == "active"
    assert [e["type"] for e in published][-1] == "license.restored"
