"""The local stage's gateway (`POST /v1/_dev/gateway/pay`): it builds the event a real gateway would
send — Stripe's `payment_intent.succeeded` signed with STRIPE_WEBHOOK_SECRET for cards, Asaas's
`PAYMENT_RECEIVED` with the `asaas-access-token` for Pix and boleto — and hands the raw bytes to the
same webhook code a real delivery reaches, verification included."""
from chalicelib.adapters.gateways.asaas import external_reference
from chalicelib.adapters.gateways.fake import asaas_payment_received, stripe_payment_succeeded, stripe_signature_header
from chalicelib.domain.settlement import PAYABLE_STATUSES
from chalicelib.errors import Conflict, NotFound

_ASAAS_BILLING_TYPES = {"pix": "PIX", "boleto": "BOLETO"}


class DevGateway:
    def __init__(self, settings, payments, webhooks):
        self._settings = settings
        self._payments = payments
        self._webhooks = webhooks

    def pay(self, invoice_id: str, method: str, amount_cents: int | None = None):
        """Returns (gateway, amount, WebhookResult)."""
        invoice = self._payments.invoice_by_id(invoice_id)
        if invoice is None:
            raise NotFound("Fatura não encontrada.", code="invoice_not_found")
        owed = invoice.total_cents - (invoice.paid_cents or 0) if invoice.status in PAYABLE_STATUSES else 0
        amount = amount_cents or owed
        if amount <= 0:
            raise Conflict("A fatura não tem valor em aberto; informe amount_cents para pagar assim mesmo.",
                           code="invoice_not_payable", details={"status": invoice.status})
        if method == "card":
            raw = stripe_payment_succeeded(invoice.invoice_id, invoice.account_id, amount)
            header = stripe_signature_header(raw, self._settings.stripe_webhook_secret)
            return "stripe", amount, self._webhooks.receive_stripe(raw, header)
        reference = external_reference(invoice.account_id, invoice.invoice_id)  # as our Asaas charges carry it
        raw = asaas_payment_received(reference, amount, _ASAAS_BILLING_TYPES[method])
        return "asaas", amount, self._webhooks.receive_asaas(raw, self._settings.asaas_webhook_token)
