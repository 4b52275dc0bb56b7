"""The gateway events we accept, as pydantic models: a verified body is read into one of these
BEFORE anything acts on it, so a field of an unexpected type (a list where an object was expected,
a number where an id was, an amount no invoice can have) never reaches settlement. A body that does
not fit is an `UnreadableEvent`: the webhook service keeps it as a dead letter and answers 200.

Only the fields we read are declared; a gateway's other fields pass through untouched (extra
allowed), because both gateways add fields over time. Bounds keep every value within what the store
can key and count: ids are printable ASCII up to 255 characters (DynamoDB keys stop at 1,024 bytes),
amounts fit a DynamoDB number and a Unix time fits a datetime. The same models describe the webhook
request bodies in the OpenAPI document (components `StripeEvent` and `AsaasEvent`)."""
import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError, WithJsonSchema

from chalicelib.adapters.gateways import WebhookRejected

MAX_ID_LENGTH = 255
MAX_TEXT_LENGTH = 255
MAX_AMOUNT_CENTS = 100_000_000_000  # R$ 1 bilhão: beyond anything an invoice of ours can be
MAX_REAIS = Decimal(MAX_AMOUNT_CENTS) / 100
MAX_UNIX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z, the last instant a datetime holds

GatewayId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=r"^[!-~]+$")]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH)]
Cents = Annotated[int, Field(ge=0, le=MAX_AMOUNT_CENTS)]


def _reais(value: Any) -> Any:
    # Webhook bodies are decoded with Decimal for fractions, so a whole amount arrives as int; a
    # float comes only from a caller that decoded the JSON itself, and its shortest repr is the
    # number as written. Text and booleans stay as they are, to be refused.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


# Asaas sends reais as a JSON number (100.5); text, booleans, NaN and infinities are refused.
Reais = Annotated[Decimal, BeforeValidator(_reais), Field(ge=0, le=MAX_REAIS, allow_inf_nan=False),
                  WithJsonSchema({"type": "number", "minimum": 0, "maximum": float(MAX_REAIS)})]


class _GatewayModel(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True, defer_build=True)


# --- Stripe -----------------------------------------------------------------------------------
class StripeMetadata(_GatewayModel):
    """Ours, set when the app creates the PaymentIntent: Stripe keeps metadata values as text."""

    invoice_id: Text | None = None
    account_id: Text | None = None


class StripePaymentError(_GatewayModel):
    code: Text | None = None


class StripeObject(_GatewayModel):
    """`data.object`: a payment_intent, a charge (refunds) or a dispute (chargebacks)."""

    id: GatewayId | None = None
    object: Text | None = None
    payment_intent: GatewayId | None = None
    amount: Cents | None = None
    amount_received: Cents | None = None
    amount_refunded: Cents | None = None
    metadata: StripeMetadata | None = None
    last_payment_error: StripePaymentError | None = None


class StripeEventData(_GatewayModel):
    object: StripeObject


class StripeEvent(_GatewayModel):
    """A Stripe event (`payment_intent.succeeded`, `payment_intent.payment_failed`, `charge.refunded`,
    `charge.dispute.created`; any other type is acknowledged and ignored)."""

    id: GatewayId
    type: Text = Field(min_length=1, examples=["payment_intent.succeeded", "payment_intent.payment_failed",
                                               "charge.refunded", "charge.dispute.created"])
    created: int | None = Field(default=None, ge=0, le=MAX_UNIX_SECONDS)
    data: StripeEventData  # an event we act on without its object cannot be read


class StripeEnvelope(_GatewayModel):
    """What a Stripe event of a type we ignore must have: its object is not ours to read."""

    id: GatewayId
    type: Text = Field(min_length=1)


# --- Asaas ------------------------------------------------------------------------------------
class AsaasPayment(_GatewayModel):
    id: GatewayId | None = None
    value: Reais | None = None
    billingType: Text | None = None
    externalReference: Text | None = None
    clientPaymentDate: Text | None = None
    paymentDate: Text | None = None


class AsaasEvent(_GatewayModel):
    """An Asaas event (`PAYMENT_CONFIRMED`, `PAYMENT_RECEIVED`, `PAYMENT_REFUNDED`,
    `PAYMENT_CHARGEBACK_REQUESTED`, refusals; any other type is acknowledged and ignored)."""

    id: GatewayId
    event: Text = Field(min_length=1, examples=["PAYMENT_RECEIVED", "PAYMENT_CONFIRMED", "PAYMENT_REFUNDED",
                                                "PAYMENT_CHARGEBACK_REQUESTED"])
    dateCreated: Text | None = None
    payment: AsaasPayment | None = None


class AsaasEnvelope(_GatewayModel):
    id: GatewayId
    event: Text = Field(min_length=1)


WEBHOOK_EVENT_MODELS = {"/v1/webhooks/stripe": StripeEvent, "/v1/webhooks/asaas": AsaasEvent}


class MalformedBody(WebhookRejected):
    """The body is not JSON at all (syntax, encoding, an integer over 4,300 digits): answered 400."""


class UnreadableEvent(Exception):
    """Valid JSON, verified, but not an event we can read: kept as a dead letter, answered 200.
    `fields` lists where and why (pydantic's location and error type; never the values)."""

    def __init__(self, fields: list[dict], event_id: str | None, event_type: str | None):
        super().__init__(", ".join(f"{item['field']}: {item['code']}" for item in fields))
        self.fields, self.event_id, self.event_type = fields, event_id, event_type


def decode(raw_body: bytes) -> Any:
    """JSON with fractions as Decimal (amounts never pass through float)."""
    try:
        return json.loads(raw_body.decode("utf-8"), parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # ValueError: syntax, encoding, int-string limit
        raise MalformedBody(type(exc).__name__) from exc


def read(model: type[BaseModel], envelope: type[BaseModel], known_type, payload: Any, type_field: str):
    """The event as `model` when its type is one we act on (`known_type(type)`), else as its envelope."""
    event_type = payload.get(type_field) if isinstance(payload, dict) else None
    chosen = model if isinstance(event_type, str) and known_type(event_type) else envelope
    try:
        return chosen.model_validate(payload, strict=True)
    except ValidationError as exc:
        event_id = payload.get("id") if isinstance(payload, dict) else None
        raise UnreadableEvent(
            [{"field": ".".join(str(part) for part in item["loc"]) or "body", "code": item["type"]}
             for item in exc.errors(include_url=False, include_input=False)],
            _plain(event_id), _plain(event_type)) from exc


def _plain(value) -> str | None:
    """An id or type worth keeping next to the dead letter (text of a sane length only)."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_TEXT_LENGTH else None
