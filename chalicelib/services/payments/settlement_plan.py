"""What a payment does, decided in memory before the transaction: how much it applies to the invoice
and how much becomes credit, the payment item, the subscriptions whose period it extends or status
it restores (or reinstates), the domain events, and the finance team's refund request when the
debt it paid can no longer bring its subscription back."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.enums import Contract, InvoiceStatus, SubscriptionStatus
from chalicelib.domain.overdue import entitlements_for
from chalicelib.domain.periods import Period
from chalicelib.domain.reinstatement import Blocked
from chalicelib.domain.settlement import Allocation, allocate, extended_period, status_after_payment
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.services.payments.invoice_matching import Target
from chalicelib.services.plans.recurring import changed_event, changes_mrr, positions, reinstatements_mrr
from chalicelib.services.payments.reinstatements import (
    Reinstatements, cancelled_for_non_payment_on, refund_request,
)
from chalicelib.services.shared.ids import sortable_id
from chalicelib.store.base import account_pk
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PaymentItem, payment_sk
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem


@dataclass(frozen=True)
class Renewed:
    subscription: SubscriptionItem  # period extended and/or status restored
    previous_status: str


@dataclass
class Plan:
    payment: PaymentItem
    invoice: InvoiceItem
    allocation: Allocation
    renewed: list[Renewed]
    events: list[dict]
    reinstated: list[SubscriptionItem] = field(default_factory=list)
    not_reinstated: Blocked | None = None
    purge_on: date | None = None  # the account's purge as read: a reinstatement cancels it, in the same transaction
    alert: object | None = None  # the finance team's refund request when nothing could be reinstated
    service_invoice: object | None = None  # the pending NFS-e of an invoice paid in full (services/service_invoices)


class SettlementPlanner:
    def __init__(self, catalog, reinstatements: Reinstatements, service_invoices):
        """`service_invoices`: ServiceInvoiceOpening, the NFS-e an invoice paid in full gets."""
        self._catalog = catalog
        self._reinstatements = reinstatements
        self._service_invoices = service_invoices

    def plan(self, incoming: IncomingPayment, target: Target, snapshot: AccountSnapshot, clock) -> Plan:
        invoice = target.invoice
        allocation = allocate(incoming.amount_cents, invoice.total_cents, invoice.paid_cents or 0, invoice.status)
        payment_id = sortable_id("pay", clock.now())
        payment = PaymentItem(
            pk=account_pk(invoice.account_id), sk=payment_sk(payment_id), account_id=invoice.account_id,
            payment_id=payment_id, invoice_id=invoice.invoice_id, document_invoice_id=target.document_invoice_id,
            amount_cents=incoming.amount_cents, applied_cents=allocation.applied_cents,
            credit_cents=allocation.credit_cents, method=incoming.method, source=incoming.source,
            gateway=incoming.gateway, gateway_payment_id=incoming.gateway_payment_id,
            bank_code=incoming.bank_code, nosso_numero=incoming.nosso_numero, fee_cents=incoming.fee_cents,
            paid_at=incoming.paid_at, credited_on=incoming.credited_on, receipt=incoming.receipt_key,
            created_at=clock.now(),
        )
        cancelled = cancelled_for_non_payment_on(invoice, snapshot)
        blocked, purge_on = (self._reinstatements.blocked(snapshot, cancelled, clock.today())
                             if cancelled and allocation.applied_cents else (None, None))
        if blocked is not None:
            # Paying the debt of a subscription that can no longer come back buys nothing: the money is
            # kept as account credit and the finance team is asked to return it.
            allocation = Allocation(0, incoming.amount_cents, invoice.paid_cents or 0, InvoiceStatus(invoice.status))
            payment.applied_cents, payment.credit_cents = 0, incoming.amount_cents
        reinstated = []
        if allocation.settles_invoice and cancelled and blocked is None:
            reinstated = self._reinstatements.reinstate(invoice, cancelled, snapshot, clock.today())
        renewed = [Renewed(subscription, SubscriptionStatus.CANCELLED.value) for subscription in reinstated]
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        if allocation.settles_invoice:
            renewed += _renewed(invoice, snapshot, clock.today(), skip={s.subscription_id for s in reinstated})
        events = self._events_of(payment, invoice, allocation, renewed)
        # metrics: a trial whose first period this pays enters MRR today (docs/metrics.md)
        converted = changes_mrr(self._catalog, snapshot.subscriptions, mrr_before,
                                [entry.subscription.subscription_id for entry in renewed], clock.today())
        events += [changed_event(entry.subscription, ["trial_converted"], converted[entry.subscription.subscription_id],
                                 "trial_converted") for entry in renewed if entry.subscription.subscription_id in converted]
        if reinstated:  # metrics: each one back in MRR (docs/metrics.md), after its commit like the rest
            mrr = reinstatements_mrr(self._catalog, snapshot.subscriptions,
                                     [s.subscription_id for s in reinstated], clock.today())
            for event in events:
                if event["type"] == "subscription.reinstated" and event["data"]["subscription_id"] in mrr:
                    event["data"]["mrr"] = mrr[event["data"]["subscription_id"]]
        alert = refund_request(payment, invoice, blocked, clock.now()) if blocked is not None else None
        service_invoice = None
        if allocation.settles_invoice and not invoice.service_invoice_opened:  # one NFS-e per invoice, ever
            service_invoice = self._service_invoices.for_paid_invoice(invoice, snapshot, incoming.paid_at,
                                                                      clock.now())
            invoice.service_invoice_opened = True if service_invoice is not None else None
        return Plan(payment, invoice, allocation, renewed, events, reinstated, blocked, purge_on, alert,
                    service_invoice)

    def _events_of(self, payment: PaymentItem, invoice: InvoiceItem, allocation: Allocation,
                   renewed: list[Renewed]) -> list[dict]:
        events = []
        if allocation.settles_invoice:
            events.append(_event("invoice.paid", {
                "invoice_id": invoice.invoice_id, "payment_id": payment.payment_id,
                "amount_cents": payment.amount_cents, "currency": "BRL", "method": payment.method,
                "paid_at": payment.paid_at.isoformat(), "due_date": invoice.due_date.isoformat(),
                "total_cents": invoice.total_cents, "invoice_payment_method": invoice.payment_method},
                f"invoice.paid:{payment.payment_id}"))
        for entry in renewed:
            subscription = entry.subscription
            if entry.previous_status not in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED) \
                    or subscription.status != SubscriptionStatus.ACTIVE:
                continue  # only a suspension or a cancellation blocked anything: past_due kept every entitlement
            if entry.previous_status == SubscriptionStatus.CANCELLED:
                product = self._catalog.product(subscription.product_id)
                events.append(_event("subscription.reinstated", {
                    "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                    "product_name": product.name if product else subscription.product_id,
                    "period_start": subscription.current_period_start.isoformat(),
                    "period_end": subscription.current_period_end.isoformat()},
                    f"subscription.reinstated:{payment.payment_id}:{subscription.subscription_id}"))
            product = self._catalog.product(subscription.product_id)
            contract = product.contract if product else Contract.MANDATORY
            granted = entitlements_for(contract, subscription.status)
            events.append(_event("license.restored", {
                "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                "license": granted.license.value, "support": granted.support, "updates": granted.updates},
                f"license.restored:{payment.payment_id}:{subscription.subscription_id}"))
        return events


def _renewed(invoice: InvoiceItem, snapshot: AccountSnapshot, today: date,
             skip: set[str] = frozenset()) -> list[Renewed]:
    """The subscriptions the paid invoice bills whose period it extends or whose status it
    restores (the entitlements follow the status); `skip`: the ones it reinstated."""
    renewed = []
    for subscription in snapshot.subscriptions:
        if subscription.subscription_id in skip:
            continue
        lines = [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
                 and line.period_start and line.period_end and line.period_end > line.period_start]
        if not lines:
            continue
        before = (subscription.current_period_start, subscription.current_period_end, subscription.status)
        _extend(subscription, lines)
        overdue = _still_overdue(snapshot, subscription.subscription_id, invoice.invoice_id, today)
        subscription.status = status_after_payment(subscription.status, overdue).value
        if (subscription.current_period_start, subscription.current_period_end, subscription.status) != before:
            renewed.append(Renewed(subscription, before[2]))
    return renewed


def _extend(subscription: SubscriptionItem, lines) -> None:
    current = Period(subscription.current_period_start, subscription.current_period_end)
    extended = extended_period(current, [Period(line.period_start, line.period_end) for line in lines])
    if extended == current:
        return
    share = sum(line.amount_cents for line in lines
                if line.period_end == extended.end and line.period_start >= extended.start)
    subscription.current_period_start, subscription.current_period_end = extended.start, extended.end
    if extended.start >= current.end:  # a new period: what is paid for it starts from zero
        subscription.period_payments = [PaymentPart(amount_cents=share, since=extended.start)]
        if subscription.pending_payment_method:  # a switch of method takes over at the renewal
            subscription.payment_method = subscription.pending_payment_method
            subscription.pending_payment_method = None


def _still_overdue(snapshot: AccountSnapshot, subscription_id: str, paid_invoice_id: str, today: date) -> bool:
    return any(summary.invoice_id != paid_invoice_id and subscription_id in (summary.subscription_ids or [])
               and summary.due_date < today for summary in snapshot.open_invoices)


def _event(event_type: str, data: dict, event_id: str) -> dict:
    return {"type": event_type, "data": data, "id": event_id}
