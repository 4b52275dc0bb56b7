"""What a cancellation records and answers: the CANCEL#<subscription> item, its audit entry, what the
subscription still owes, and the checks that refuse a cancellation already done or scheduled."""
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.cancellation import CancellationKind
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.errors import Conflict
from chalicelib.services.collections.cancellation_invoices import NewInvoice
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.cancellations import CancellationItem, cancellation_sk
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem

PAYABLE = frozenset({"open", "partially_paid"})


@dataclass(frozen=True)
class CancellationResult:
    subscription: SubscriptionItem
    kind: CancellationKind
    effective_date: date
    refund_cents: int
    refund_status: str | None  # refunded | requested | account_credit
    amount_owed_cents: int
    invoice_id: str | None  # what the cancellation billed
    voided_invoice_ids: tuple[str, ...] = ()
    commitment_ends_on: date | None = None  # early termination of a commitment: its end
    commitment_months_billed: int = 0  # and the committed months the cancellation billed


@dataclass(frozen=True)
class CancellationRefund:
    """What a withdrawal gave back of its payment."""
    amount_cents: int
    status: str | None
    refund_id: str | None = None


def cancellation_record(snapshot: AccountSnapshot, subscription: SubscriptionItem, kind: CancellationKind,
                        reason: str, actor: str, today: date, effective: date, previous: str,
                        new_invoice: NewInvoice | None, created_at: datetime, state: str = "scheduled",
                        refund_cents: int = 0, owed: int = 0) -> CancellationItem:
    """A scheduled cancellation waits on the check-overdue job's review list for its effective date."""
    key = cancellation_sk(subscription.subscription_id)
    due = review_due(snapshot.account_id, key, effective) if state == "scheduled" else {}
    return CancellationItem(
        pk=subscription.pk, sk=key, account_id=snapshot.account_id, subscription_id=subscription.subscription_id,
        kind=kind.value, reason=reason, requested_on=today, requested_by=actor, effective_date=effective,
        previous_status=previous, refund_cents=refund_cents, state=state,
        amount_owed_cents=owed,
        invoice_id=new_invoice.invoice.invoice_id if new_invoice else None, created_at=created_at, **due)


def cancellation_audit(clock, account_id: str, actor: str, action: str, subscription: SubscriptionItem,
                       previous: str, cancellation: CancellationItem, reason: str,
                       refund: CancellationRefund | None = None, voided=()):
    after = {"status": subscription.status, "auto_renew": subscription.auto_renew, "kind": cancellation.kind,
             "effective_date": cancellation.effective_date.isoformat(), "invoice_id": cancellation.invoice_id,
             "amount_owed_cents": cancellation.amount_owed_cents}
    if refund is not None:
        after |= {"refund_cents": refund.amount_cents, "refund_status": refund.status, "refund_id": refund.refund_id,
                  "voided_invoice_ids": list(voided)}
    return audit_entry(clock, account_id, actor=actor, action=action, target=subscription.subscription_id,
                       before={"status": previous}, after=after, reason=reason)


def amount_owed(invoices, snapshot: AccountSnapshot, subscription_id: str, new_invoice: NewInvoice | None,
                voided: list[str] = ()) -> int:
    """What the subscription still owes on open invoices, the one just created included. The
    invoices are judged as read now (`invoices`: InvoiceReads), not as the snapshot saw them: a
    withdrawal's refund made one `refunded` after that read, and nothing bills it any more."""
    ids = [s.invoice_id for s in snapshot.open_invoices
           if s.status in PAYABLE and subscription_id in (s.subscription_ids or []) and s.invoice_id not in voided]
    payable = [invoice for invoice in invoices.get_many(snapshot.account_id, ids) if invoice.status in PAYABLE]
    if new_invoice and new_invoice.invoice.status in PAYABLE:
        payable.append(new_invoice.invoice)
    return sum(_owed_by(invoice, subscription_id) for invoice in payable)


def _owed_by(invoice, subscription_id: str) -> int:
    """An invoice of the subscription alone owes what is unpaid; a shared one, its lines."""
    if all(line.subscription_id in (None, subscription_id) for line in invoice.lines):
        return max(invoice.total_cents - (invoice.paid_cents or 0), 0)
    return sum(line.amount_cents for line in invoice.lines if line.subscription_id == subscription_id)


def cancellable(snapshot: AccountSnapshot, subscription_id: str) -> SubscriptionItem:
    snapshot.require_account()
    subscription = snapshot.subscription(subscription_id)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict("A assinatura já está cancelada.", code="subscription_cancelled")
    scheduled = snapshot.other(CancellationItem, cancellation_sk(subscription_id))
    if subscription.status == SubscriptionStatus.PENDING_CANCELLATION or (scheduled and scheduled.state == "scheduled"):
        raise already_scheduled(scheduled.effective_date if scheduled else None)
    return subscription


def already_scheduled(effective: date | None = None) -> Conflict:
    details = {"effective_date": effective.isoformat()} if effective else {}
    return Conflict("O cancelamento desta assinatura já está agendado.", code="cancellation_already_scheduled",
                    details=details)
