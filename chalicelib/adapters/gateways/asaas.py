"""Asaas: boleto and Pix charges issued by the gateway. Webhooks carry the `asaas-access-token`
header, compared in constant time; events are read into the models of event_models.py; amounts are
reais and are converted with Decimal."""
import hmac
import json
from datetime import datetime

from chalicelib.adapters.gateways import EventKind, GatewayEvent, WebhookRejected
from chalicelib.adapters.gateways.event_models import AsaasEnvelope, AsaasEvent, AsaasPayment, decode, read
from chalicelib.adapters.gateways.money import reais_to_cents

_KINDS = {
    "PAYMENT_CONFIRMED": EventKind.PAYMENT_SUCCEEDED,
    "PAYMENT_RECEIVED": EventKind.PAYMENT_SUCCEEDED,
    "PAYMENT_REFUNDED": EventKind.REFUNDED,
    "PAYMENT_CHARGEBACK_REQUESTED": EventKind.CHARGEBACK,
    "PAYMENT_REPROVED_BY_RISK_ANALYSIS": EventKind.PAYMENT_FAILED,
    "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED": EventKind.PAYMENT_FAILED,
}
_METHODS = {"BOLETO": "boleto", "PIX": "pix", "CREDIT_CARD": "card"}
_VALUE_SLOT = "__amount_in_reais__"
_REFERENCE_SEPARATOR = ":"


def external_reference(account_id: str, invoice_id: str) -> str:
    """What our Asaas charges carry in `externalReference`: the account and the invoice, so a
    webhook reads the invoice by its key (a bare invoice id is understood too)."""
    return f"{account_id}{_REFERENCE_SEPARATOR}{invoice_id}"


def parse_external_reference(reference: str | None) -> tuple[str | None, str | None]:
    """(account_id, invoice_id) of an `externalReference`."""
    if not reference:
        return None, None
    account_id, separator, invoice_id = reference.partition(_REFERENCE_SEPARATOR)
    return (account_id, invoice_id) if separator else (None, reference)


def verify_asaas_webhook(raw_body: bytes, token_header: str | None, expected_token: str) -> GatewayEvent:
    """The verified event, read into `AsaasEvent`. Raises WebhookRejected (wrong token, or not JSON
    at all: 400) or UnreadableEvent (right token, JSON, but not an event we can read: dead letter)."""
    if not token_header or not hmac.compare_digest(token_header.encode(), expected_token.encode()):
        raise WebhookRejected("invalid asaas-access-token")
    return asaas_event(decode(raw_body))


def asaas_event(payload) -> GatewayEvent:
    """Normalise a decoded Asaas event; raises UnreadableEvent when it does not fit the models."""
    event = read(AsaasEvent, AsaasEnvelope, lambda event_type: event_type in _KINDS, payload, "event")
    kind = _KINDS.get(event.event, EventKind.UNKNOWN)
    if kind is EventKind.UNKNOWN:  # acknowledged and logged; its payment is not read
        return GatewayEvent(gateway="asaas", event_id=event.id, event_type=event.event, kind=kind,
                            raw_type_known=False)
    payment = event.payment or AsaasPayment()
    when = event.dateCreated or payment.clientPaymentDate or payment.paymentDate
    account_id, invoice_id = parse_external_reference(payment.externalReference)
    return GatewayEvent(
        gateway="asaas", event_id=event.id, event_type=event.event, kind=kind,
        occurred_at=_parse_instant(when), payment_id=payment.id,
        invoice_id=invoice_id, account_id=account_id,
        amount_cents=reais_to_cents(payment.value) if payment.value is not None else None,
        method=_METHODS.get(payment.billingType or ""), raw_type_known=True,
    )


def _parse_instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


class AsaasClient:
    """Creates boleto/Pix charges at Asaas. `session` is a requests-like object (tests replay
    recorded responses; production uses requests.Session)."""

    def __init__(self, api_key: str, base_url: str, session):
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._session = session

    def create_charge(self, customer_id: str, billing_type: str, amount_cents: int, due_date: str,
                      invoice_id: str, description: str, account_id: str | None = None) -> dict:
        reference = external_reference(account_id, invoice_id) if account_id else invoice_id
        body = {
            "customer": customer_id, "billingType": billing_type, "dueDate": due_date,
            "value": _VALUE_SLOT, "externalReference": reference, "description": description,
        }
        # Asaas wants a JSON number in reais; it is written from the centavos as text, never via float.
        payload = json.dumps(body).replace(f'"{_VALUE_SLOT}"', f"{amount_cents // 100}.{amount_cents % 100:02d}")
        response = self._session.post(f"{self._base_url}/v3/payments", data=payload,
                                      headers={"access_token": self._api_key,
                                               "Content-Type": "application/json"}, timeout=10)
        response.raise_for_status()
        charge = json.loads(response.text)
        return {"payment_id": charge["id"], "status": charge["status"],
                "invoice_url": charge.get("invoiceUrl"), "bank_slip_url": charge.get("bankSlipUrl")}
