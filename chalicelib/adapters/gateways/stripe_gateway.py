"""Stripe: off-session card charges on the saved payment method, refunds, the account's customer
(created with the first card, deleted by the retention purge), and webhook events
verified with the official library (`Stripe-Signature`, HMAC-SHA256 of `t.body`, 300 s tolerance
both ways) and read into the models of event_models.py."""
import time
from datetime import datetime, timezone

from chalicelib.adapters.gateways import (
    CardCharge, CardRejected, ChargeResult, EventKind, GatewayEvent, GatewayUnavailable, RefundResult, SavedCard,
    WebhookRejected,
)
from chalicelib.adapters.gateways.event_models import StripeEnvelope, StripeEvent, StripeMetadata, decode, read

TOLERANCE_SECONDS = 300
_KINDS = {
    "payment_intent.succeeded": EventKind.PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": EventKind.PAYMENT_FAILED,
    "charge.refunded": EventKind.REFUNDED,
    "charge.dispute.created": EventKind.CHARGEBACK,
}


def verify_stripe_webhook(raw_body: bytes, signature_header: str | None, secret: str) -> GatewayEvent:
    """The verified event, read into `StripeEvent`. Raises WebhookRejected (forged, stale, or not
    JSON at all: 400) or UnreadableEvent (signed, JSON, but not an event we can read: dead letter)."""
    verify_stripe_signature(raw_body, signature_header, secret)
    return stripe_event(decode(raw_body))


def verify_stripe_signature(raw_body: bytes, signature_header: str | None, secret: str,
                            now: float | None = None) -> None:
    import stripe  # the official library checks the signature and the age of its timestamp

    if not signature_header:
        raise WebhookRejected("missing Stripe-Signature")
    try:
        stripe.WebhookSignature.verify_header(raw_body, signature_header, secret, tolerance=TOLERANCE_SECONDS)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookRejected(str(exc)) from exc
    # The library bounds only the age: a signature dated ahead (a leaked secret, a skewed signer)
    # would stay replayable until its date plus the tolerance. The window applies both ways.
    signed_at = _signed_at(signature_header)
    if signed_at > (time.time() if now is None else now) + TOLERANCE_SECONDS:
        raise WebhookRejected(f"timestamp too far in the future ({signed_at})")


def _signed_at(signature_header: str) -> int:
    """The `t=` the library verified (the first one, as it reads it)."""
    items = [item.split("=", 2) for item in signature_header.split(",")]
    return int([item[1] for item in items if item[0] == "t"][0])


def stripe_event(payload) -> GatewayEvent:
    """Normalise a decoded Stripe event; raises UnreadableEvent when it does not fit the models."""
    kind_of = _KINDS.get
    event = read(StripeEvent, StripeEnvelope, lambda event_type: kind_of(event_type) is not None, payload, "type")
    kind = kind_of(event.type, EventKind.UNKNOWN)
    if kind is EventKind.UNKNOWN:  # acknowledged and logged; its object is not read
        return GatewayEvent(gateway="stripe", event_id=event.id, event_type=event.type, kind=kind,
                            raw_type_known=False)
    obj = event.data.object
    metadata = obj.metadata or StripeMetadata()
    payment_id = obj.payment_intent if obj.object in ("charge", "dispute") else obj.id
    amount = obj.amount_received if kind is EventKind.PAYMENT_SUCCEEDED else obj.amount
    if kind is EventKind.REFUNDED and obj.amount_refunded is not None:
        amount = obj.amount_refunded
    failure = obj.last_payment_error.code if kind is EventKind.PAYMENT_FAILED and obj.last_payment_error else None
    return GatewayEvent(
        gateway="stripe", event_id=event.id, event_type=event.type, kind=kind,
        occurred_at=datetime.fromtimestamp(event.created or 0, tz=timezone.utc),
        payment_id=payment_id, invoice_id=metadata.invoice_id, account_id=metadata.account_id,
        amount_cents=amount, method="card", failure_reason=failure, raw_type_known=True,
    )


class StripeCardGateway:
    """Card charges through Stripe. `http_client` lets tests replay recorded responses."""

    def __init__(self, api_key: str, http_client=None):
        import stripe

        self._stripe = stripe
        self._client = stripe.StripeClient(api_key, http_client=http_client, max_network_retries=2)

    def save_card(self, card: SavedCard) -> str:
        """One Stripe customer per account (created once: the idempotency key is the account), the
        payment method attached to it so it can be charged off session later."""
        stripe = self._stripe
        try:
            customer = card.customer_ref or self._client.v1.customers.create(
                params={key: value for key, value in (("email", card.email), ("name", card.name)) if value}
                | {"metadata": {"account_id": card.account_id}},
                options={"idempotency_key": f"renova-customer-{card.account_id}"}).id
            self._client.v1.payment_methods.attach(
                card.payment_method_token, params={"customer": customer},
                options={"idempotency_key": f"renova-attach-{card.account_id}-{card.payment_method_token}"})
        except stripe.CardError as exc:
            raise CardRejected(getattr(exc.error, "decline_code", None) or exc.code or "card_declined",
                               exc.user_message or "Cartão recusado pela operadora.") from exc
        except stripe.InvalidRequestError as exc:  # unknown token, or one attached to another customer
            raise CardRejected(exc.code or "invalid_request", "O token do cartão não foi aceito pelo gateway.") from exc
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
        return customer

    def charge(self, charge: CardCharge) -> ChargeResult:
        params = {
            "amount": charge.amount_cents, "currency": "brl",
            "payment_method": charge.payment_method_token, "off_session": True, "confirm": True,
            "metadata": {"invoice_id": charge.invoice_id, "account_id": charge.account_id, **charge.metadata},
        }
        if charge.customer_ref:  # every card saved through save_card has one
            params["customer"] = charge.customer_ref
        try:
            intent = self._client.v1.payment_intents.create(
                params=params, options={"idempotency_key": charge.idempotency_key})
        except self._stripe.CardError as exc:
            error = exc.error
            intent = getattr(error, "payment_intent", None) if error else None
            intent_id = getattr(intent, "id", None)
            return ChargeResult(False, intent_id, getattr(error, "decline_code", None) or exc.code,
                                exc.user_message or "cartão recusado")
        succeeded = intent.status == "succeeded"
        return ChargeResult(succeeded, intent.id, None if succeeded else intent.status)

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        refund = self._client.v1.refunds.create(
            params={"payment_intent": payment_id, "amount": amount_cents},
            options={"idempotency_key": idempotency_key})
        return RefundResult(refund.id, refund.status)

    def delete_customer(self, customer_ref: str, idempotency_key: str) -> None:
        """`DELETE /v1/customers/{id}`: Stripe deletes the customer with its saved payment methods.
        A customer already deleted (a purge resumed after this call, or deleted by hand) answers 404
        `resource_missing`: done. Stripe treats DELETE as idempotent by itself; the key is sent anyway."""
        stripe = self._stripe
        try:
            self._client.v1.customers.delete(customer_ref, options={"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing" or exc.http_status == 404:
                return
            raise
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise GatewayUnavailable(type(exc).__name__) from exc
