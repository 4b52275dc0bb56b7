"""A chargeback: a dispute the cardholder opened at the gateway. The payment is charged back, the
invoice it paid is owed again (paying it restores the subscriptions), the subscriptions it paid are
suspended, and the finance team is alerted; the alert and the `license.suspended` events are a
notice written in the same transaction and delivered right after the commit."""
from chalicelib.domain.enums import Contract, InvoiceStatus, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.overdue import entitlements_for
from chalicelib.services.payments.refund_records import SETTLED, open_summaries
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.subscriptions.standing_notices import finance_alert_notice
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from chalicelib.store.payments import PaymentItem

CHARGED_BACK = "charged_back"
# Statuses a chargeback suspends (a cancelled or already suspended subscription stays as it is).
_SUSPENDABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE,
                          SubscriptionStatus.PENDING_CANCELLATION})


class Chargebacks:
    def __init__(self, payments, billing, catalog, notices):
        """`notices`: StandingNotices, which delivers the finance team's alert after the commit."""
        self._payments = payments
        self._billing = billing
        self._catalog = catalog
        self._notices = notices

    def charge_back(self, payment: PaymentItem, receipt, event_type: str, clock) -> str:
        snapshot = self._billing.snapshot(payment.account_id)
        invoice = self._payments.invoice(payment.account_id, payment.invoice_id)
        billed = {line.subscription_id for line in (invoice.lines if invoice else []) if line.subscription_id}
        suspended = [s for s in snapshot.subscriptions if s.subscription_id in billed and s.status in _SUSPENDABLE]
        writes = self._billing.writes()
        writes.create(receipt)
        payment.status = CHARGED_BACK
        writes.save(payment)
        if invoice is not None and payment.applied_cents:
            _reopen(writes, invoice, payment, snapshot, clock)
        for subscription in suspended:
            subscription.status = SubscriptionStatus.SUSPENDED.value
            writes.save(subscription)
        writes.save(audit_entry(clock, payment.account_id, actor=f"gateway:{payment.gateway}",
                                action="payment.charged_back", target=payment.payment_id,
                                before={"status": SETTLED}, reason=f"Contestação no gateway ({event_type}).",
                                after={"status": CHARGED_BACK, "suspended": [s.subscription_id for s in suspended]}))
        alert = finance_alert_notice(
            payment.account_id, "Contestação de pagamento (chargeback)", [
                f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({format_brl(payment.amount_cents)})",
                f"Fatura: {payment.invoice_id}",
                f"Assinaturas suspensas: {', '.join(s.subscription_id for s in suspended) or 'nenhuma'}"],
            "Responda à contestação no painel do gateway e fale com o cliente.", clock.now(),
            events=self._suspension_events(payment, suspended))
        writes.create(alert)
        writes.commit()
        self._notices.deliver(alert, snapshot)
        return "charged_back"

    def _suspension_events(self, payment: PaymentItem, suspended) -> list[dict]:
        """`license.suspended` per subscription the chargeback suspends (published with the notice)."""
        events = []
        for subscription in suspended:
            product = self._catalog.product(subscription.product_id)
            left = entitlements_for(product.contract if product else Contract.MANDATORY, SubscriptionStatus.SUSPENDED)
            events.append({"type": "license.suspended", "data": {
                "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                "license": left.license.value, "support": left.support, "updates": left.updates},
                "id": f"license.suspended:chargeback:{payment.payment_id}:{subscription.subscription_id}"})
        return events


def _reopen(writes, invoice, payment: PaymentItem, snapshot, clock) -> None:
    """The money went back to the cardholder: the invoice is owed again, and shows as open, so
    paying it (by card now, or another way) settles it and restores the subscriptions."""
    invoice.paid_cents = max((invoice.paid_cents or 0) - payment.applied_cents, 0)
    invoice.status = (InvoiceStatus.PARTIALLY_PAID if invoice.paid_cents else InvoiceStatus.OPEN).value
    writes.save(invoice)
    if not list(open_summaries(snapshot, invoice.invoice_id)):
        writes.create(OpenInvoiceItem(
            pk=invoice.pk, sk=open_invoice_sk(invoice.invoice_id), account_id=invoice.account_id,
            invoice_id=invoice.invoice_id, status=invoice.status, due_date=clock.today(),
            total_cents=invoice.total_cents, payment_method=invoice.payment_method,
            subscription_ids=sorted({line.subscription_id for line in invoice.lines if line.subscription_id}),
            created_at=clock.now()))
