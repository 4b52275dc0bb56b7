"""Gateway webhooks: verify the raw body (Stripe signature within 300 s either way, Asaas token in
constant time), read it into the gateway's event model, then act on the normalised event. Real
deliveries and the local fake gateway (`POST /v1/_dev/gateway/pay`) both come through
`receive_stripe` / `receive_asaas`.

A verified body that is not JSON answers 400 (as any malformed body). A verified JSON body that
does not fit the event model is a dead letter: kept whole for the finance team (store/dead_letters.py)
and answered 200, so the gateway stops retrying; nothing of it is applied, because it is read
before anything is written.

Each event is recorded once under its receipt key (`<gateway>:<event id>`): a payment settles the
invoice, a refund or chargeback changes the payment, a failure or an unknown type is logged."""
import logging
from dataclasses import dataclass

from chalicelib.adapters.gateways import EventKind, GatewayEvent, WebhookRejected
from chalicelib.adapters.gateways.event_models import UnreadableEvent
from chalicelib.errors import BadRequest
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.services.payments.receipts import receipt_item
from chalicelib.store.dead_letters import new_dead_letter

_log = get_logger("webhooks")


@dataclass(frozen=True)
class WebhookResult:
    gateway: str
    event_id: str | None  # None only for a dead letter without a readable id
    event_type: str | None
    outcome: str  # settled | credited | duplicate | unmatched | refunded | charged_back | held | ignored
    #              | dead_letter ...
    payment_id: str | None = None
    invoice_id: str | None = None
    invoice_status: str | None = None


def rejected(reason: str, gateway: str) -> BadRequest:
    # The reason stays in the log: a forger learns nothing from the answer.
    log_event(_log, "webhook rejected", level=logging.WARNING, gateway=gateway, reason=reason)
    return BadRequest("Webhook recusado: assinatura ou token inválido, ou evento fora do prazo.",
                      code="webhook_rejected")


class WebhookService:
    def __init__(self, settings, settlement, refunds, payments, clock, dead_letters):
        self._settings = settings
        self._dead_letters = dead_letters
        self._settlement = settlement
        self._refunds = refunds
        self._payments = payments
        self._clock = clock

    def receive_stripe(self, raw_body: bytes, signature_header: str | None) -> WebhookResult:
        from chalicelib.adapters.gateways.stripe_gateway import verify_stripe_webhook

        return self._receive("stripe", verify_stripe_webhook, raw_body, signature_header,
                             self._settings.stripe_webhook_secret)

    def receive_asaas(self, raw_body: bytes, token_header: str | None) -> WebhookResult:
        from chalicelib.adapters.gateways.asaas import verify_asaas_webhook

        return self._receive("asaas", verify_asaas_webhook, raw_body, token_header,
                             self._settings.asaas_webhook_token)

    def _receive(self, gateway: str, verify, raw_body: bytes, credential_header: str | None,
                 secret: str) -> WebhookResult:
        """Verify, read and act: a forged delivery is refused; a genuine one we cannot read is kept
        as a dead letter and answered 200, so the gateway stops resending it."""
        try:
            event = verify(raw_body, credential_header, secret)
        except WebhookRejected as exc:
            raise rejected(str(exc), gateway) from exc
        except UnreadableEvent as exc:
            return self._dead_letter(gateway, raw_body, exc)
        return self.handle(event)

    def handle(self, event: GatewayEvent) -> WebhookResult:
        key = f"{event.gateway}:{event.event_id}"
        if event.kind is EventKind.PAYMENT_SUCCEEDED:
            return self._payment(event, key)
        if event.kind in (EventKind.REFUNDED, EventKind.CHARGEBACK):
            return self._result(event, self._refunds.gateway_event(event, key))
        if event.kind is EventKind.PAYMENT_FAILED:
            # Card charges made by the app learn the outcome from the charge itself (charge-cards).
            return self._result(event, self._record(key, "payment_failed"))
        log_event(_log, "webhook event type ignored", gateway=event.gateway, event_type=event.event_type,
                  event_id=event.event_id)
        return self._result(event, "ignored")

    def _payment(self, event: GatewayEvent, key: str) -> WebhookResult:
        if not event.amount_cents or event.amount_cents <= 0 or not event.payment_id:
            log_event(_log, "payment event without amount or payment id", level=logging.WARNING, receipt=key)
            return self._result(event, self._record(key, "ignored"))
        incoming = IncomingPayment(
            receipt_key=key, amount_cents=event.amount_cents, method=event.method or "boleto", source="gateway",
            # Dated when it reaches us (seconds after the gateway's own time), on the stage's clock.
            paid_at=self._clock.now(), invoice_id=event.invoice_id,
            account_id=event.account_id, gateway=event.gateway, gateway_payment_id=event.payment_id,
            actor=f"gateway:{event.gateway}")
        result = self._settlement.settle(incoming)
        invoice = result.invoice
        return WebhookResult(event.gateway, event.event_id, event.event_type, result.outcome.value,
                             result.payment.payment_id if result.payment else None,
                             invoice.invoice_id if invoice else event.invoice_id,
                             invoice.status if invoice else None)

    def _dead_letter(self, gateway: str, raw_body: bytes, unreadable: UnreadableEvent) -> WebhookResult:
        item = new_dead_letter(gateway, raw_body, self._clock.now(), unreadable.fields, unreadable.event_id,
                               unreadable.event_type)
        kept = self._dead_letters.keep(item)
        # Where and why it did not fit, never the values: the body may carry a customer's data.
        log_event(_log, "webhook event unreadable", level=logging.WARNING, gateway=gateway,
                  dead_letter_id=item.dead_letter_id, event_id=unreadable.event_id,
                  event_type=unreadable.event_type, problems=unreadable.fields, already_kept=not kept)
        return WebhookResult(gateway, unreadable.event_id, unreadable.event_type, "dead_letter")

    def _record(self, key: str, outcome: str) -> str:
        created = self._payments.record_receipt(receipt_item(key, outcome, None, None, [], self._clock.now()))
        return outcome if created else "duplicate"

    @staticmethod
    def _result(event: GatewayEvent, outcome: str) -> WebhookResult:
        return WebhookResult(event.gateway, event.event_id, event.event_type, outcome, invoice_id=event.invoice_id)

