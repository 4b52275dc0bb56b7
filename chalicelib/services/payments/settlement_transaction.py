"""The one DynamoDB transaction of a settlement: the receipt of the delivery (its uniqueness key), the
payment, the gateway payment lookup, the invoice (paid or partially paid, version-checked), its live
summary, the subscriptions the invoice bills, the purge a reinstatement cancels, the finance team's
refund request, the pending NFS-e of an invoice paid in full, the account credit of an overpayment and
the audit entry."""
from chalicelib.domain.enums import InvoiceStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.settlement import Allocation
from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.services.payments.incoming_payments import IncomingPayment, outcome_of
from chalicelib.services.payments.receipts import receipt_item
from chalicelib.services.payments.settlement_plan import Plan
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.ownership import owned_by
from chalicelib.store.payments import (
    GATEWAY_PAYMENT_SK, GatewayPaymentItem, PaymentItem, ReceiptItem, gateway_payment_pk,
)
from chalicelib.store.retention import RETENTION_SK, RetentionItem, retention_pk


class DuplicateReceipt(Conflict):
    code = "duplicate_receipt"


class GatewayPaymentTaken(Conflict):
    code = "gateway_payment_taken"


def commit(writes, plan: Plan, incoming: IncomingPayment, snapshot: AccountSnapshot, clock,
           claim: GatewayPaymentItem | None) -> ReceiptItem:
    """Write the plan in `writes` (BillingRepository.writes()) and commit; returns the receipt.
    Raises DuplicateReceipt or GatewayPaymentTaken when another delivery recorded them first."""
    account_id = plan.invoice.account_id
    payment, invoice, allocation = plan.payment, plan.invoice, plan.allocation
    receipt = receipt_item(incoming.receipt_key, outcome_of(allocation).value, account_id, payment.payment_id,
                           plan.events, clock.now(), notice_day=clock.today())
    writes.create(receipt, conflict=DuplicateReceipt("Entrega já registrada."))
    writes.create(payment)
    if incoming.gateway_payment_id:
        _gateway_lookup(writes, incoming, payment, claim, clock.now())
    if allocation.applied_cents:
        invoice.paid_cents = allocation.paid_cents
        invoice.status = allocation.status.value
        writes.save(invoice)
        _open_summary(writes, snapshot, invoice)
    for entry in plan.renewed:
        writes.save(entry.subscription)
    if plan.reinstated and plan.purge_on is not None:
        # Back before the purge: the account is kept, as subscribing again keeps it. Conditional on
        # the schedule read, so a purge that moved or ran meanwhile makes this attempt read again.
        writes.delete(RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK),
                      condition=RetentionItem.purge_on == plan.purge_on.isoformat())
    elif plan.reinstated:  # none read: none may appear before this commit either
        writes.require(RetentionItem, retention_pk(account_id), RETENTION_SK, RetentionItem.pk.does_not_exist(),
                       ConcurrentUpdate("A conta mudou durante o pagamento; tente novamente."))
    if plan.alert is not None:
        writes.create(plan.alert)
    if plan.service_invoice is not None:  # one NFS-e per invoice, ever: created with the payment
        writes.create(plan.service_invoice)
    if allocation.credit_cents and snapshot.account is not None:
        snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + allocation.credit_cents
        writes.save(snapshot.account)
    writes.save(audit_entry(
        clock, account_id, actor=incoming.actor, action="payment.settled", target=invoice.invoice_id,
        after=_audit_after(payment, invoice, allocation, plan.renewed),
        reason=f"{incoming.source}:{incoming.receipt_key}"))
    writes.commit()
    return receipt


def _gateway_lookup(writes, incoming: IncomingPayment, payment: PaymentItem, claim, now) -> None:
    pk = gateway_payment_pk(incoming.gateway, incoming.gateway_payment_id)
    lookup = GatewayPaymentItem(
        pk=pk, sk=GATEWAY_PAYMENT_SK, gateway=incoming.gateway, gateway_payment_id=incoming.gateway_payment_id,
        account_id=payment.account_id, payment_id=payment.payment_id, invoice_id=payment.invoice_id,
        held=claim.held if claim else [], created_at=now, **owned_by(payment.account_id, pk, GATEWAY_PAYMENT_SK))
    taken = GatewayPaymentTaken("Pagamento do gateway já registrado.")
    if claim is None:
        writes.create(lookup, conflict=taken)
    else:  # held events wait there: take the item over, as long as nobody else did
        lookup.version = claim.version
        writes.save(lookup, GatewayPaymentItem.payment_id.does_not_exist(), conflict=taken)


def _open_summary(writes, snapshot: AccountSnapshot, invoice: InvoiceItem) -> None:
    summary = next((o for o in snapshot.open_invoices if o.invoice_id == invoice.invoice_id), None)
    if summary is None:
        return
    if invoice.status == InvoiceStatus.PAID:
        writes.delete(summary)  # leaves "Meu Plano" and the charge-cards and review lists with it
    elif summary.status != invoice.status:  # only the status: jobs move its place in the due index
        writes.update(summary, [OpenInvoiceItem.status.set(invoice.status)])


def _audit_after(payment: PaymentItem, invoice: InvoiceItem, allocation: Allocation, renewed) -> dict:
    return {
        "payment_id": payment.payment_id, "amount_cents": payment.amount_cents,
        "applied_cents": allocation.applied_cents, "credit_cents": allocation.credit_cents,
        "method": payment.method, "invoice_status": invoice.status,
        "subscriptions": [{"id": r.subscription.subscription_id, "status": r.subscription.status,
                           "current_period_end": r.subscription.current_period_end.isoformat()} for r in renewed],
        "summary": f"{format_brl(payment.amount_cents)} recebidos",
    }
