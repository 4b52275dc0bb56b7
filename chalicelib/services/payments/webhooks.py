"""Gateway webhooks: verify the raw body (Stripe signature with its 300 s tolerance, Asaas token in
constant time), then act on the normalised event. Real deliveries and the local fake gateway
(`POST /v1/_dev/gateway/pay`) both come through `receive_stripe` / `receive_asaas`.

Each event is recorded once under its receipt key (`<gateway>:<event id>`): a payment settles the
invoice, a refund or chargeback changes the payment, a failure or an unknown type is logged."""
import logging
from dataclasses import dataclass

from chalicelib.adapters.gateways import EventKind, GatewayEvent, WebhookRejected
from chalicelib.errors import BadRequest
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.settlement import IncomingPayment, receipt_item

_log = get_logger("webhooks")


@dataclass(frozen=True)
class WebhookResult:
    gateway: str
    event_id: str
    event_type: str
    outcome: str  # settled | credited | duplicate | unmatched | refunded | charged_back | held | ignored ...
    payment_id: str | None = None
    invoice_id: str | None = None
    invoice_status: str | None = None


def rejected(reason: str, gateway: str) -> BadRequest:
    # The reason stays in the log: a forger learns nothing from the answer.
    log_event(_log, "webhook rejected", level=logging.WARNING, gateway=gateway, reason=reason)
    return BadRequest("Webhook recusado: assinatura ou token inválido, ou evento fora do prazo.",
                      code="webhook_rejected")


class WebhookService:
    def __init__(self, settings, settlement, refunds, payments, clock):
        self._settings = settings
        self._settlement = settlement
        self._refunds = refunds
        self._payments = payments
        self._clock = clock

    def receive_stripe(self, raw_body: bytes, signature_header: str | None) -> WebhookResult:
        from chalicelib.adapters.gateways.stripe_gateway import verify_stripe_webhook

        try:
            event = verify_stripe_webhook(raw_body, signature_header, self._settings.stripe_webhook_secret)
        except WebhookRejected as exc:
            raise rejected(str(exc), "stripe") from exc
        return self.handle(event)

    def receive_asaas(self, raw_body: bytes, token_header: str | None) -> WebhookResult:
        from chalicelib.adapters.gateways.asaas import verify_asaas_webhook

        try:
            event = verify_asaas_webhook(raw_body, token_header, self._settings.asaas_webhook_token)
        except WebhookRejected as exc:
            raise rejected(str(exc), "asaas") from exc
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

    def _record(self, key: str, outcome: str) -> str:
        created = self._payments.record_receipt(receipt_item(key, outcome, None, None, [], self._clock.now()))
        return outcome if created else "duplicate"

    @staticmethod
    def _result(event: GatewayEvent, outcome: str) -> WebhookResult:
        return WebhookResult(event.gateway, event.event_id, event.event_type, outcome, invoice_id=event.invoice_id)

