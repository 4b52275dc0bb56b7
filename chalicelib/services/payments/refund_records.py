"""A refund recorded: the payment (refunded, or a refund requested from the finance team), the
invoice (`refunded`), its live summary, the account credit the payment created, the invoice's NFS-e
(cancellation or substitution made due) and the audit entry change in one transaction, with the
finance team's alert when the money goes back by hand."""
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.domain.enums import InvoiceStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.settlement import refund_deadline
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.service_invoices.opening import mark_refund
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.subscriptions.standing_notices import finance_alert_notice
from chalicelib.store.base import account_pk
from chalicelib.store.payments import PaymentItem, RefundItem, refund_sk

_log = get_logger("refunds")
# A payment's statuses (PaymentItem.status).
SETTLED = "settled"
REFUNDED = "refunded"
REFUND_REQUESTED = "refund_requested"


@dataclass(frozen=True)
class RefundOutcome:
    refund_id: str
    payment_id: str
    invoice_id: str
    amount_cents: int
    method: str
    status: str  # refunded (money on its way back through the gateway) | requested (finance team)
    paid_on: date
    deadline: date


def open_summaries(snapshot, invoice_id: str):
    return (summary for summary in snapshot.open_invoices if summary.invoice_id == invoice_id)


def credit_given_back(payment_credit_cents: int | None, account_credit_cents: int | None) -> int:
    """The account credit a refund of a payment takes back with it: what the payment created, while
    still unused (never twice). A cancellation's quote counts its refund the same way."""
    return min(payment_credit_cents or 0, account_credit_cents or 0)


class RefundRecords:
    def __init__(self, payments, billing, notices, service_invoices, service_invoice_due):
        """`notices`: StandingNotices, which delivers the finance team's alert after the commit;
        `service_invoices`: the NFS-e repository (a refund cancels or substitutes the invoice's NFS-e,
        marked in the refund's transaction); `service_invoice_due(account_id, invoice_id)`: asks for
        that to happen now, best effort (the issue-service-invoices job does what it leaves)."""
        self._payments = payments
        self._billing = billing
        self._notices = notices
        self._service_invoices = service_invoices
        self._service_invoice_due = service_invoice_due

    def record(self, payment: PaymentItem, refund_id: str, status: str, gateway_refund_id: str | None, reason: str,
               actor: str, clock, receipt=None) -> RefundOutcome:
        """`status`: refunded | requested; `receipt`: the webhook delivery's, written in the same transaction."""
        snapshot = self._billing.snapshot(payment.account_id)
        invoice = self._payments.invoice(payment.account_id, payment.invoice_id)
        account = snapshot.account
        # The credit this payment created comes back only while it is still unused: nothing twice.
        credit_back = credit_given_back(payment.credit_cents, account.credit_cents) if account else 0
        amount = payment.applied_cents + credit_back
        writes = self._billing.writes()
        if receipt is not None:
            writes.create(receipt)
        payment.status = REFUNDED if status == "refunded" else REFUND_REQUESTED
        payment.refunded_cents = amount
        writes.save(payment)
        if invoice is not None and payment.applied_cents:
            invoice.paid_cents = max((invoice.paid_cents or 0) - payment.applied_cents, 0)
            invoice.status = InvoiceStatus.REFUNDED.value  # nothing is owed on it any more
            writes.save(invoice)
            for summary in open_summaries(snapshot, invoice.invoice_id):
                writes.delete(summary)
        service_invoice = self._service_invoice_change(payment, invoice, clock)
        if service_invoice is not None:
            writes.save(service_invoice)
        if credit_back:
            account.credit_cents -= credit_back
            writes.save(account)
        refund = RefundItem(pk=account_pk(payment.account_id), sk=refund_sk(refund_id), account_id=payment.account_id,
                            refund_id=refund_id, payment_id=payment.payment_id, invoice_id=payment.invoice_id,
                            amount_cents=amount, method=payment.method, status=status,
                            gateway_refund_id=gateway_refund_id, reason=reason, requested_by=actor,
                            created_at=clock.now())
        writes.create(refund)
        action = "payment.refunded" if status == "refunded" else "payment.refund_requested"
        writes.save(audit_entry(clock, payment.account_id, actor=actor, action=action, target=payment.payment_id,
                                before={"status": SETTLED}, reason=reason,
                                after={"status": payment.status, "refund_id": refund_id, "amount_cents": amount,
                                       "invoice_id": payment.invoice_id}))
        # The money goes back by hand: the finance team's alert is written with the refund.
        alert = _refund_request_notice(payment, refund_id, amount, clock) if status == "requested" else None
        if alert is not None:
            writes.create(alert)
        refunded = _refunded_event_notice(payment, refund_id, amount, status, clock)
        writes.create(refunded)
        writes.commit()
        log_event(_log, "payment refunded", payment_id=payment.payment_id, status=status, amount_cents=amount)
        if alert is not None:
            self._notices.deliver(alert, snapshot)
        self._notices.deliver(refunded, snapshot)
        if service_invoice is not None:
            try:
                self._service_invoice_due(payment.account_id, payment.invoice_id)
            except Exception:  # the refund is recorded: the NFS-e change waits on the job's list
                _log.exception("service invoice change left to the job",
                               extra={"fields": {"invoice_id": payment.invoice_id}})
        paid_on = payment.paid_at.astimezone(SAO_PAULO).date()
        return RefundOutcome(refund_id, payment.payment_id, payment.invoice_id, amount, payment.method, status,
                             paid_on, refund_deadline(paid_on))


    def _service_invoice_change(self, payment: PaymentItem, invoice, clock):
        """The invoice's NFS-e with the cancellation (nothing kept) or substitution (part kept) made due."""
        if invoice is None or not payment.applied_cents:
            return None
        item = self._service_invoices.get(payment.account_id, payment.invoice_id)
        if item is None or not mark_refund(item, invoice.paid_cents or 0, clock.now()):
            return None
        return item


def _refunded_event_notice(payment: PaymentItem, refund_id: str, amount: int, status: str, clock):
    """`payment.refunded` (docs/events.md), written with the refund and published after the commit
    (a crash in between: the check-overdue run publishes it)."""
    from chalicelib.services.shared.ids import sortable_id
    from chalicelib.store.notices import EVENTS_KIND, new_notice

    now = clock.now()
    notice_id = sortable_id("ntc", now)
    event = {"type": "payment.refunded", "id": f"payment.refunded:{refund_id}", "data": {
        "payment_id": payment.payment_id, "invoice_id": payment.invoice_id, "refund_id": refund_id,
        "amount_cents": amount, "currency": "BRL", "method": payment.method, "status": status,
        "refunded_at": now.isoformat()}}
    return new_notice(payment.account_id, notice_id, EVENTS_KIND, {"events": [event]}, now.date(), now)


def _refund_request_notice(payment: PaymentItem, refund_id: str, amount: int, clock):
    return finance_alert_notice(
        payment.account_id, "Pedido de estorno para devolver", [
            f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({payment.method})",
            f"Fatura: {payment.invoice_id}", f"Valor a devolver: {format_brl(amount)}",
            f"Pedido: {refund_id}"],
        "Devolva o valor ao cliente (transferência ou Pix) e registre a devolução.", clock.now())
