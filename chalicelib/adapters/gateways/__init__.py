"""Payment gateways: one port, three adapters (Stripe for cards, Asaas for boleto/Pix charges issued
by the gateway, and a local fake). Webhooks of every gateway are normalised to `GatewayEvent`, so
settlement never looks at a gateway's own payload."""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class EventKind(StrEnum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    CHARGEBACK = "chargeback"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class GatewayEvent:
    gateway: str                 # "stripe" | "asaas"
    event_id: str                # the gateway's id: deduplication key
    event_type: str              # the gateway's own type name, for logs
    kind: EventKind
    occurred_at: datetime | None = None
    payment_id: str | None = None    # the gateway's id of the payment (PaymentIntent, Asaas payment)
    invoice_id: str | None = None    # ours, carried as metadata / externalReference
    account_id: str | None = None    # ours, when the gateway carries it (Stripe metadata)
    amount_cents: int | None = None
    method: str | None = None        # card | pix | boleto
    failure_reason: str | None = None
    raw_type_known: bool = True


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    payment_id: str | None
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    status: str


@dataclass(frozen=True)
class CardCharge:
    invoice_id: str
    account_id: str
    amount_cents: int
    customer_ref: str            # the gateway's customer id
    payment_method_token: str    # the saved card's token at the gateway
    idempotency_key: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SavedCard:
    """A card the portal tokenised at the gateway, to be kept for off-session charges: it must be
    attached to the account's customer at the gateway (Stripe refuses to charge a payment method
    again off session otherwise)."""
    account_id: str
    payment_method_token: str
    customer_ref: str | None     # the account's customer at the gateway, once it has one
    email: str | None = None
    name: str | None = None


class WebhookRejected(Exception):
    """Signature, token or timestamp did not verify: answer 400 and record nothing."""


class CardRejected(Exception):
    """The gateway refused the card when saving it (unknown token, declined check)."""

    def __init__(self, code: str, message: str):
        super().__init__(code)
        self.code, self.message = code, message


class GatewayUnavailable(Exception):
    """The gateway did not answer (network, its own 5xx, rate limit): nothing was saved; retry."""


class CardGateway(Protocol):
    def save_card(self, card: SavedCard) -> str:
        """Attach the card to the account's customer (created when it has none); its customer ref."""

    def charge(self, charge: CardCharge) -> ChargeResult: ...

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult: ...

    def delete_customer(self, customer_ref: str, idempotency_key: str) -> None:
        """Delete the account's customer at the gateway, with the personal data it holds (legal name,
        billing e-mail, saved cards): the retention purge. A customer already gone counts as done;
        raises GatewayUnavailable when the gateway does not answer (the purge retries next run)."""
