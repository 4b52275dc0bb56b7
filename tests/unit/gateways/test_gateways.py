"""Gateway adapters: webhook verification and normalisation, and HTTP calls replayed from recorded
responses (never the network)."""
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters.gateways import (
    CardCharge, CardRejected, EventKind, GatewayUnavailable, SavedCard, WebhookRejected,
)
from chalicelib.adapters.gateways.asaas import AsaasClient, verify_asaas_webhook
from chalicelib.adapters.gateways.fake import (
    FakeCardGateway, asaas_payment_received, stripe_payment_succeeded, stripe_signature_header,
)
from chalicelib.adapters.gateways.money import reais_to_cents
from chalicelib.adapters.gateways.stripe_gateway import StripeCardGateway, verify_stripe_webhook

RECORDED = Path(__file__).parent / "recorded"
SECRET = "whsec_test_secret"


def test_a_signed_stripe_event_verifies_and_normalises():
    body = stripe_payment_succeeded("inv_1", "acc_1", 15000, payment_id="pi_1", event_id="evt_1")
    event = verify_stripe_webhook(body, stripe_signature_header(body, SECRET), SECRET)
    assert (event.event_id, event.kind, event.payment_id, event.invoice_id, event.amount_cents) == \
        ("evt_1", EventKind.PAYMENT_SUCCEEDED, "pi_1", "inv_1", 15000)


@pytest.mark.parametrize("case", ["wrong secret", "tampered body", "301 s old", "no header", "garbage header"])
def test_forged_or_replayed_stripe_events_are_rejected(case):
    body = stripe_payment_succeeded("inv_1", "acc_1", 15000)
    header = stripe_signature_header(body, SECRET)
    if case == "wrong secret":
        header = stripe_signature_header(body, "whsec_other")
    elif case == "tampered body":
        body = body.replace(b"15000", b"15001")
    elif case == "301 s old":
        header = stripe_signature_header(body, SECRET, timestamp=int(time.time()) - 301)
    elif case == "no header":
        header = None
    else:
        header = "t=abc,v1=zz"
    with pytest.raises(WebhookRejected):
        verify_stripe_webhook(body, header, SECRET)


def test_stripe_refund_and_dispute_events_point_at_the_payment_intent():
    from chalicelib.adapters.gateways.stripe_gateway import stripe_event

    refund = stripe_event({"id": "evt_r", "type": "charge.refunded", "created": 1, "data": {"object": {
        "id": "ch_1", "object": "charge", "payment_intent": "pi_9", "amount": 5000, "amount_refunded": 5000,
        "metadata": {"invoice_id": "inv_9"}}}})
    assert (refund.kind, refund.payment_id, refund.amount_cents) == (EventKind.REFUNDED, "pi_9", 5000)
    dispute = stripe_event({"id": "evt_d", "type": "charge.dispute.created", "created": 1,
                            "data": {"object": {"id": "dp_1", "object": "dispute", "payment_intent": "pi_9",
                                                "amount": 5000}}})
    assert dispute.kind is EventKind.CHARGEBACK and dispute.payment_id == "pi_9"
    unknown = stripe_event({"id": "evt_u", "type": "customer.created", "created": 1, "data": {"object": {}}})
    assert unknown.kind is EventKind.UNKNOWN and not unknown.raw_type_known


def test_asaas_events_need_the_exact_token_and_convert_reais_exactly():
    body = asaas_payment_received("inv_2", 12990, "PIX", event_id="evt_a")
    event = verify_asaas_webhook(body, "tok", "tok")
    assert (event.kind, event.amount_cents, event.method, event.invoice_id) == \
        (EventKind.PAYMENT_SUCCEEDED, 12990, "pix", "inv_2")
    for wrong in (None, "", "to", "tok ", "TOK"):
        with pytest.raises(WebhookRejected):
            verify_asaas_webhook(body, wrong, "tok")


@given(st.integers(min_value=0, max_value=10**12))
def test_reais_to_cents_is_exact_for_every_amount(cents):
    text = f"{cents // 100}.{cents % 100:02d}"
    assert reais_to_cents(json.loads(text, parse_float=Decimal)) == cents
    assert reais_to_cents(json.loads(text)) == cents  # even when a JSON parser produced a float


class RecordedHTTPClient:
    """Answers Stripe's HTTP calls with recorded bodies and remembers what was asked."""

    name = "recorded"

    def __init__(self, responses: list[tuple[int, str]]):
        self._responses = list(responses)
        self.requests = []

    def request_with_retries(self, method, url, headers, post_data=None, max_network_retries=None,
                             *, _usage=None):
        self.requests.append((method, url, headers, post_data))
        status, name = self._responses.pop(0)
        return (RECORDED / name).read_text(), status, {"request-id": "req_recorded"}

    def close(self):
        pass


def card_charge() -> CardCharge:
    return CardCharge(invoice_id="inv_1", account_id="acc_1", amount_cents=15000, customer_ref="cus_Recorded1",
                      payment_method_token="pm_Recorded1", idempotency_key="charge-inv_1-1")


def test_a_stripe_charge_is_an_off_session_payment_intent_with_our_idempotency_key():
    http = RecordedHTTPClient([(200, "stripe_payment_intent_succeeded.json")])
    result = StripeCardGateway("sk_test_recorded", http_client=http).charge(card_charge())
    assert result.succeeded and result.payment_id == "pi_3RecordedSucceeded"
    method, url, headers, post_data = http.requests[0]
    assert method == "post" and url.endswith("/v1/payment_intents")
    assert headers["Idempotency-Key"] == "charge-inv_1-1"
    for fragment in ("amount=15000", "currency=brl", "off_session=true", "confirm=true", "metadata[invoice_id]=inv_1"):
        assert fragment in post_data.replace("%5B", "[").replace("%5D", "]")


def test_a_declined_stripe_charge_is_a_failed_result_not_an_exception():
    http = RecordedHTTPClient([(402, "stripe_card_declined.json")])
    result = StripeCardGateway("sk_test_recorded", http_client=http).charge(card_charge())
    assert not result.succeeded
    assert result.failure_code == "insufficient_funds"


def test_a_stripe_refund():
    http = RecordedHTTPClient([(200, "stripe_refund.json")])
    refund = StripeCardGateway("sk_test_recorded", http_client=http).refund("pi_3RecordedSucceeded", 15000, "refund-1")
    assert refund.status == "succeeded" and http.requests[0][1].endswith("/v1/refunds")


class RecordedSession:
    def __init__(self, name):
        self.name = name
        self.sent = []

    def post(self, url, data, headers, timeout):
        self.sent.append((url, data, headers))
        text = (RECORDED / self.name).read_text()
        return type("Response", (), {"text": text, "raise_for_status": lambda self: None})()


def test_an_asaas_charge_sends_reais_as_an_exact_json_number():
    session = RecordedSession("asaas_create_payment.json")
    charge = AsaasClient("key", "https://sandbox.asaas.example/api", session).create_charge(
        "cus_000005219613", "BOLETO", 12990, "2026-12-15", "inv_1", "Fatura inv_1")
    url, data, headers = session.sent[0]
    assert url == "https://sandbox.asaas.example/api/v3/payments" and headers["access_token"] == "key"
    assert json.loads(data, parse_float=Decimal)["value"] == Decimal("129.90")
    assert charge["payment_id"] == "pay_080225913252"


def test_the_fake_gateway_declines_marked_tokens_and_follows_a_script():
    gateway = FakeCardGateway()

    def attempt(key: str, token: str = "pm_Recorded1"):
        return gateway.charge(CardCharge(**{**card_charge().__dict__, "idempotency_key": key,
                                            "payment_method_token": token}))

    approved = attempt("k1")
    declined = attempt("k2", token="tok_fail")
    gateway.script = [False, True]
    assert approved.succeeded and not declined.succeeded
    assert [attempt(key).succeeded for key in ("k3", "k4")] == [False, True]


def test_the_fake_gateway_answers_a_repeated_idempotency_key_with_the_first_answer_and_charges_once():
    gateway = FakeCardGateway()
    first = gateway.charge(card_charge())
    gateway.script = [False]  # a new charge would now be declined: a replay must not reach it
    assert gateway.charge(card_charge()) == first and len(gateway.charges) == 1


# --- saving a card: one customer per account, the payment method attached to it ----------------

def saved_card(customer_ref=None, token="pm_Recorded1") -> SavedCard:
    return SavedCard(account_id="acc_1", payment_method_token=token, customer_ref=customer_ref,
                     email="financeiro@cliente.com.br", name="Cliente Exemplo Ltda")


def form(post_data: str) -> str:
    return post_data.replace("%5B", "[").replace("%5D", "]").replace("%40", "@").replace("+", " ")


def test_the_first_card_creates_the_account_customer_once_and_attaches_the_card_to_it():
    http = RecordedHTTPClient([(200, "stripe_customer_created.json"), (200, "stripe_payment_method_attached.json")])
    customer = StripeCardGateway("sk_test_recorded", http_client=http).save_card(saved_card())

    assert customer == "cus_RecordedAcc1"
    (create_method, create_url, create_headers, create_data), (_, attach_url, attach_headers, attach_data) = http.requests
    assert create_method == "post" and create_url.endswith("/v1/customers")
    assert create_headers["Idempotency-Key"] == "renova-customer-acc_1"  # a retry never makes a second customer
    for fragment in ("metadata[account_id]=acc_1", "email=financeiro@cliente.com.br", "name=Cliente Exemplo Ltda"):
        assert fragment in form(create_data)
    assert attach_url.endswith("/v1/payment_methods/pm_Recorded1/attach")
    assert form(attach_data) == "customer=cus_RecordedAcc1"
    assert attach_headers["Idempotency-Key"] == "renova-attach-acc_1-pm_Recorded1"


def test_a_later_card_joins_the_existing_customer():
    http = RecordedHTTPClient([(200, "stripe_payment_method_attached.json")])
    customer = StripeCardGateway("sk_test_recorded", http_client=http).save_card(saved_card("cus_RecordedAcc1"))

    assert customer == "cus_RecordedAcc1"
    [(_, url, _, data)] = http.requests
    assert url.endswith("/v1/payment_methods/pm_Recorded1/attach") and form(data) == "customer=cus_RecordedAcc1"


@pytest.mark.parametrize(("status", "recorded", "code"), [
    (404, "stripe_payment_method_missing.json", "resource_missing"),
    (402, "stripe_attach_declined.json", "do_not_honor"),
])
def test_a_card_stripe_refuses_is_rejected_with_its_code(status, recorded, code):
    http = RecordedHTTPClient([(status, recorded)])
    with pytest.raises(CardRejected) as rejected:
        StripeCardGateway("sk_test_recorded", http_client=http).save_card(saved_card("cus_RecordedAcc1"))
    assert rejected.value.code == code


def test_stripe_failing_on_its_side_is_unavailable_not_a_rejection():
    http = RecordedHTTPClient([(500, "stripe_api_error.json")])
    with pytest.raises(GatewayUnavailable):
        StripeCardGateway("sk_test_recorded", http_client=http).save_card(saved_card("cus_RecordedAcc1"))


def test_a_charge_without_a_customer_omits_it_rather_than_sending_an_empty_one():
    http = RecordedHTTPClient([(200, "stripe_payment_intent_succeeded.json")])
    charge = CardCharge(invoice_id="inv_1", account_id="acc_1", amount_cents=15000, customer_ref="",
                        payment_method_token="pm_Recorded1", idempotency_key="charge-inv_1-1")
    StripeCardGateway("sk_test_recorded", http_client=http).charge(charge)
    assert "customer=" not in http.requests[0][3]
    http = RecordedHTTPClient([(200, "stripe_payment_intent_succeeded.json")])
    StripeCardGateway("sk_test_recorded", http_client=http).charge(card_charge())
    assert "customer=cus_Recorded1" in http.requests[0][3]


# --- the retention purge: the account's customer deleted at the gateway ---------------------------

def test_deleting_the_customer_is_a_delete_of_the_customer_with_our_key():
    http = RecordedHTTPClient([(200, "stripe_customer_deleted.json")])
    StripeCardGateway("sk_test_recorded", http_client=http).delete_customer("cus_RecordedAcc1", "renova-delete-acc_1")
    [(method, url, headers, post_data)] = http.requests
    assert method == "delete" and url.endswith("/v1/customers/cus_RecordedAcc1")
    assert headers["Idempotency-Key"] == "renova-delete-acc_1" and not post_data


def test_a_customer_stripe_no_longer_has_counts_as_deleted():
    http = RecordedHTTPClient([(404, "stripe_customer_missing.json")])
    StripeCardGateway("sk_test_recorded", http_client=http).delete_customer("cus_RecordedAcc1", "renova-delete-acc_1")
    assert len(http.requests) == 1


def test_stripe_failing_on_its_side_leaves_the_customer_deletion_to_retry():
    http = RecordedHTTPClient([(500, "stripe_api_error.json")])
    with pytest.raises(GatewayUnavailable):
        StripeCardGateway("sk_test_recorded", http_client=http).delete_customer("cus_RecordedAcc1", "k")


def test_a_refused_key_is_not_taken_for_a_deleted_customer():
    import stripe

    http = RecordedHTTPClient([(401, "stripe_authentication_error.json")])
    with pytest.raises(stripe.AuthenticationError):
        StripeCardGateway("sk_test_recorded", http_client=http).delete_customer("cus_RecordedAcc1", "k")


def test_the_fake_gateway_records_customer_deletions_and_can_be_down():
    gateway = FakeCardGateway()
    gateway.unavailable = 1
    with pytest.raises(GatewayUnavailable):
        gateway.delete_customer("cus_1", "k1")
    gateway.delete_customer("cus_1", "k1")
    assert gateway.deleted_customers == [("cus_1", "k1")]
