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
    def __init__(self, settings, payments, webhooks, pix_automatico):
        """`pix_automatico`: DevPixAutomatico, the fake PSP concluding an invoice's cycle charge."""
        self._settings = settings
        self._payments = payments
        self._webhooks = webhooks
        self._pix_automatico = pix_automatico

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
        if method == "pix_automatico":
            return "pix_automatico", amount, self._pay_cycle_charge(invoice)
        if method == "card":
            raw = stripe_payment_succeeded(invoice.invoice_id, invoice.account_id, amount)
            header = stripe_signature_header(raw, self._settings.stripe_webhook_secret)
            return "stripe", amount, self._webhooks.receive_stripe(raw, header)
        reference = external_reference(invoice.account_id, invoice.invoice_id)  # as our Asaas charges carry it
        raw = asaas_payment_received(reference, amount, _ASAAS_BILLING_TYPES[method])
        return "asaas", amount, self._webhooks.receive_asaas(raw, self._settings.asaas_webhook_token)

    def _pay_cycle_charge(self, invoice):
        """The fake PSP concludes the invoice's cycle charge (always its full amount) and delivers the
        `cobsr` notification through the real webhook path; the result reads as a gateway's."""
        from chalicelib.services.payments.webhooks import WebhookResult

        if not invoice.pix_txid:
            raise Conflict("A fatura não tem cobrança de Pix Automático enviada ao PSP.",
                           code="invoice_not_payable", details={"payment_method": invoice.payment_method})
        _, outcomes = self._pix_automatico.charge(invoice.pix_txid, "pay")
        done = outcomes[0]
        return WebhookResult("pix_automatico", invoice.pix_txid, "cobr." + (done.status or ""), done.outcome,
                             done.payment_id, done.invoice_id or invoice.invoice_id, done.invoice_status)
