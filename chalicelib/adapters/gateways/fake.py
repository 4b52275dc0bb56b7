"""The local stage's gateway: card charges decided by the card token, and payment events built in
each real gateway's format and signed with the real secrets, so `POST /v1/_dev/gateway/pay`
exercises the same webhook verification and settlement as production."""
import hashlib
import hmac
import json
import secrets
import threading
import time

from chalicelib.adapters.gateways import (
    CardCharge, CardRejected, ChargeResult, GatewayUnavailable, RefundResult, SavedCard,
)

# A card token containing this marker is declined; `FakeCardGateway.script` overrides per test.
DECLINED_TOKEN_MARKER = "fail"
# A card token containing this marker is refused when saved, as the gateway refuses an unknown token.
INVALID_TOKEN_MARKER = "invalid"


def stripe_signature_header(raw_body: bytes, secret: str, timestamp: int | None = None) -> str:
    """`Stripe-Signature` as Stripe computes it: HMAC-SHA256 of "<t>.<body>" with the endpoint secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + raw_body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def stripe_payment_succeeded(invoice_id: str, account_id: str, amount_cents: int,
                             payment_id: str | None = None, event_id: str | None = None) -> bytes:
    payment_id = payment_id or f"pi_fake_{secrets.token_hex(8)}"
    event = {
        "id": event_id or f"evt_fake_{secrets.token_hex(8)}", "object": "event",
        "type": "payment_intent.succeeded", "created": int(time.time()),
        "data": {"object": {"id": payment_id, "object": "payment_intent", "amount": amount_cents,
                            "amount_received": amount_cents, "currency": "brl", "status": "succeeded",
                            "metadata": {"invoice_id": invoice_id, "account_id": account_id}}},
    }
    return json.dumps(event).encode()


def asaas_payment_received(invoice_id: str, amount_cents: int, billing_type: str,
                           event_id: str | None = None) -> bytes:
    reais = f"{amount_cents // 100}.{amount_cents % 100:02d}"
    event = {
        "id": event_id or f"evt_fake_{secrets.token_hex(8)}", "event": "PAYMENT_RECEIVED",
        "dateCreated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "payment": {"id": f"pay_fake_{secrets.token_hex(8)}", "object": "payment", "value": "__value__",
                    "billingType": billing_type, "status": "RECEIVED", "externalReference": invoice_id},
    }
    return json.dumps(event).replace('"__value__"', reais).encode()


class FakeCardGateway:
    def __init__(self):
        self.script: list[bool] = []  # queued outcomes (True = approved) that override the token rule
        self.charges: list[CardCharge] = []  # charges made: a repeated idempotency key makes none
        # As a real gateway, a repeated idempotency key gets the first answer back and charges nothing.
        self._answers: dict[str, ChargeResult] = {}
        self._lock = threading.Lock()
        self.saved_cards: list[SavedCard] = []
        # (customer_ref, idempotency_key) of every customer deletion answered; tests set
        # `unavailable` to a number of deletions that fail first as if the gateway were down.
        self.deleted_customers: list[tuple[str, str]] = []
        self.unavailable = 0

    def save_card(self, card: SavedCard) -> str:
        if INVALID_TOKEN_MARKER in card.payment_method_token:
            raise CardRejected("resource_missing", "O token do cartão não foi aceito pelo gateway.")
        self.saved_cards.append(card)
        return card.customer_ref or f"cus_fake_{hashlib.sha256(card.account_id.encode()).hexdigest()[:14]}"

    def charge(self, charge: CardCharge) -> ChargeResult:
        with self._lock:
            if charge.idempotency_key in self._answers:
                return self._answers[charge.idempotency_key]
            self.charges.append(charge)
            approved = self.script.pop(0) if self.script else DECLINED_TOKEN_MARKER not in charge.payment_method_token
            payment_id = f"pi_fake_{hashlib.sha256(charge.idempotency_key.encode()).hexdigest()[:16]}"
            if approved:
                answer = ChargeResult(True, payment_id)
            else:
                answer = ChargeResult(False, payment_id, "card_declined", "Cartão recusado pela operadora.")
            self._answers[charge.idempotency_key] = answer
            return answer

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        return RefundResult(f"re_fake_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}", "succeeded")

    def delete_customer(self, customer_ref: str, idempotency_key: str) -> None:
        if self.unavailable:
            self.unavailable -= 1
            raise GatewayUnavailable("fake gateway unavailable")
        self.deleted_customers.append((customer_ref, idempotency_key))
