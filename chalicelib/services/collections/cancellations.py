"""Cancelling a subscription and undoing it (PRODUCT.md §8).

- Within 7 days from the purchase or a renewal (right of withdrawal; counted from the purchase date
  or the renewal date, not from the payment date: domain.cancellation): cancelled at once, that
  payment refunded (withdrawals.py).
- Otherwise auto-renewal stops and the cancellation is scheduled (a CANCEL#<subscription> item on
  the check-overdue job's review list for its effective date): at least 30 days before the renewal,
  at the period end; later, the renewal is billed now and the cancellation takes effect at its end;
  a fixed-term contract is billed its remaining installments and ends with the period in force, and so
  is a commitment billed monthly, its committed months not billed yet (domain.cancellation).
- Undo (`reactivate`) until the effective date; the job ends the subscription on it
  (cancellation_endings.py).
- An account left with nothing is kept for the retention period, then purged.
- `quote` answers what `cancel` would do right now through the same reads and the same decision,
  the invoice it would bill built in memory only: nothing refunded, written or sent."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.cancellation import (
    CancellationKind, CommitmentCharge, can_undo, commitment_charge, evaluate_cancellation,
)
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.errors import Conflict
from chalicelib.services.collections.cancellation_invoices import (
    NewInvoice, commitment_invoice, next_renewal_invoice, termination_invoice, void,
)
from chalicelib.services.collections.cancellation_records import (
    PAYABLE, CancellationResult, already_scheduled, amount_owed, cancellable, cancellation_audit, cancellation_record,
)
from chalicelib.services.collections.cancellation_terms import CancellationContext
from chalicelib.services.collections.withdrawals import Withdrawal, Withdrawals
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.subscriptions.standing_notices import cancellation_notice, cancelled_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.cancellations import CancellationItem, cancellation_sk
from chalicelib.store.subscriptions import SubscriptionItem


@dataclass(frozen=True)
class _Scheduling:
    """What scheduling a cancellation changes, decided in memory before anything is written."""
    kind: CancellationKind
    previous_status: str
    effective: date
    new_invoice: NewInvoice | None
    owed: int
    charge: CommitmentCharge | None  # early termination of a commitment

    def result(self, subscription: SubscriptionItem, invoice_id: str | None) -> CancellationResult:
        return CancellationResult(subscription, self.kind, self.effective, 0, None, self.owed, invoice_id,
                                  commitment_ends_on=self.charge.ends_on if self.charge else None,
                                  commitment_months_billed=self.charge.months if self.charge else 0)


class CancellationService:
    def __init__(self, billing, terms, invoices, withdrawals: Withdrawals, notices, catalog: Catalog, clock,
                 on_cancelled):
        """`on_cancelled(account_id, subscription_id, actor)`: after the commit, what else ends with the
        subscription's renewals (its Pix Automático recurrence); idempotent, never raising."""
        self._on_cancelled = on_cancelled
        self._billing = billing
        self._terms = terms
        self._invoices = invoices
        self._withdrawals = withdrawals
        self._notices = notices
        self._catalog = catalog
        self._clock = clock

    # --- cancel -------------------------------------------------------------------------------
    def cancel(self, account_id: str, subscription_id: str, reason: str, actor: str) -> CancellationResult:
        decided = retrying(lambda: self._schedule_or_withdrawal(account_id, subscription_id, reason, actor))
        if isinstance(decided, Withdrawal):
            # Outside the retried attempt: the refund is made once, and `withdraw` retries only its writes.
            # Its ending (CancellationEndings.follow_up) ends the recurrence too.
            return self._withdrawals.withdraw(decided, subscription_id, reason, actor)
        self._on_cancelled(account_id, subscription_id, actor)  # it renews no more: no cycle will be charged
        return decided

    def quote(self, account_id: str, subscription_id: str) -> CancellationResult:
        """What `cancel` would answer right now (its invoice_id None: the invoice it would bill exists
        only in memory). Refused as `cancel` would be: cancelled already, or scheduled already."""
        clock, snapshot, subscription, context, kind = self._decide(account_id, subscription_id)
        if kind is CancellationKind.WITHDRAWAL:
            return self._withdrawals.quote(Withdrawal(clock, snapshot, context.withdrawal), subscription_id)
        return self._scheduling(clock, snapshot, subscription, context, kind).result(subscription, None)

    def _decide(self, account_id: str, subscription_id: str):
        """From a fresh read: (clock, snapshot, subscription, context, kind) under domain.cancellation."""
        clock = frozen(self._clock)
        snapshot = self._billing.snapshot(account_id, consistent=True)
        subscription = cancellable(snapshot, subscription_id)
        context = self._terms.context(snapshot, subscription, clock.today())
        return clock, snapshot, subscription, context, evaluate_cancellation(context.request, clock.today()).kind

    def _schedule_or_withdrawal(self, account_id: str, subscription_id: str, reason: str,
                                actor: str) -> CancellationResult | Withdrawal:
        """From a fresh read: schedule the cancellation, or tell `cancel` it is a withdrawal."""
        clock, snapshot, subscription, context, kind = self._decide(account_id, subscription_id)
        if kind is CancellationKind.WITHDRAWAL:
            return Withdrawal(clock, snapshot, context.withdrawal)
        return self._schedule(clock, snapshot, subscription, context, kind, reason, actor)

    def _scheduling(self, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                    context: CancellationContext, kind: CancellationKind) -> _Scheduling:
        """The effective date, the invoice it bills and what stays owed; the subscription's status and
        auto-renewal changed in memory. `_schedule` writes it; `quote` only answers it."""
        effective, new_invoice = self._what_it_bills(snapshot, subscription, context, kind, clock.now())
        owed = amount_owed(self._invoices, snapshot, subscription.subscription_id, new_invoice)
        previous = subscription.status
        if previous == SubscriptionStatus.ACTIVE:  # a late subscription keeps its overdue status (no free access)
            subscription.status = SubscriptionStatus.PENDING_CANCELLATION.value
        subscription.auto_renew = False
        charge = commitment_charge(context.request.commitment) \
            if kind is CancellationKind.EARLY_TERMINATION and context.request.commitment else None
        return _Scheduling(kind, previous, effective, new_invoice, owed, charge)

    def _schedule(self, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                  context: CancellationContext, kind: CancellationKind, reason: str, actor: str) -> CancellationResult:
        today, now = clock.today(), clock.now()
        decided = self._scheduling(clock, snapshot, subscription, context, kind)
        effective, new_invoice, owed, previous = decided.effective, decided.new_invoice, decided.owed, \
            decided.previous_status
        schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)
        cancellation = cancellation_record(snapshot, subscription, kind, reason, actor, today, effective, previous,
                                           new_invoice, self._clock.now(), owed=owed)
        writes = self._billing.writes()
        writes.save(subscription)
        if new_invoice:
            new_invoice.write(writes)
            if new_invoice.credit_applied_cents:
                writes.save(snapshot.account)
        writes.create(cancellation, conflict=already_scheduled())
        writes.save(cancellation_audit(clock, snapshot.account_id, actor, "subscription.cancellation_scheduled",
                                       subscription, previous, cancellation, reason))
        notice = cancelled_notice(snapshot.account_id, cancellation_notice(
            subscription.subscription_id, subscription.product_id, effective, "customer_request", scheduled=True,
            amount_owed_cents=owed), now)
        writes.create(notice)
        writes.commit()
        self._notices.deliver(notice, snapshot)
        return decided.result(subscription, new_invoice.invoice.invoice_id if new_invoice else None)

    def _what_it_bills(self, snapshot: AccountSnapshot, subscription: SubscriptionItem, context: CancellationContext,
                       kind: CancellationKind, now) -> tuple[date, NewInvoice | None]:
        """(effective date, invoice). A renewal already invoiced is never unbilled: the cancellation
        then takes effect at its end. A late notice bills the next renewal now; an early termination
        bills the installments left."""
        effective = max(context.period.end, context.invoiced_through)
        if kind is CancellationKind.AFTER_NEXT_PERIOD and context.next_renewal and effective <= context.period.end:
            invoice = next_renewal_invoice(self._catalog, snapshot, subscription, context.next_renewal, now)
            return context.next_renewal.period.end, invoice
        if kind is CancellationKind.EARLY_TERMINATION and context.request.installments_remaining:
            product = self._catalog.product(subscription.product_id)
            request = context.request
            return effective, termination_invoice(snapshot, subscription, product, request.installments_remaining,
                                                  request.installment_price_cents, now)
        charge = commitment_charge(context.request.commitment) if context.request.commitment else None
        if kind is CancellationKind.EARLY_TERMINATION and charge is not None:
            product = self._catalog.product(subscription.product_id)
            return effective, commitment_invoice(snapshot, subscription, product, charge, now)
        return effective, None

    # --- undo ---------------------------------------------------------------------------------
    def reactivate(self, account_id: str, subscription_id: str, actor: str) -> AccountSnapshot:
        clock = frozen(self._clock)
        today = clock.today()
        snapshot = self._billing.snapshot(account_id, consistent=True)
        snapshot.require_account()
        subscription = snapshot.subscription(subscription_id)
        cancellation = snapshot.other(CancellationItem, cancellation_sk(subscription_id))
        scheduled = cancellation is not None and cancellation.state == "scheduled"
        if subscription.status == SubscriptionStatus.CANCELLED or not scheduled:
            raise Conflict("Não há cancelamento agendado para desfazer nesta assinatura.",
                           code="no_cancellation_scheduled", details={"status": subscription.status})
        if not can_undo(cancellation.effective_date, today):
            raise Conflict("O cancelamento já está valendo e não pode mais ser desfeito.",
                           code="cancellation_effective",
                           details={"effective_date": cancellation.effective_date.isoformat()})
        writes = self._billing.writes()
        voided = self._void_termination(writes, snapshot, cancellation)
        before = subscription.status
        if subscription.status == SubscriptionStatus.PENDING_CANCELLATION:
            subscription.status = cancellation.previous_status
        subscription.auto_renew = True
        schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)
        writes.save(subscription)
        writes.delete(cancellation)
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.reactivated",
                                target=subscription_id, before={"status": before, "auto_renew": False},
                                after={"status": subscription.status, "auto_renew": True,
                                       "cancellation_undone": cancellation.effective_date.isoformat(),
                                       "voided_invoice_ids": voided}))
        writes.commit()
        snapshot.others.remove(cancellation)
        return snapshot

    def _void_termination(self, writes, snapshot: AccountSnapshot, cancellation: CancellationItem) -> list[str]:
        """Undoing an early termination voids its invoice (the installments bill as usual again);
        once anything of it is paid, the termination stands. A renewal billed for a late notice is
        a renewal like any other and stays."""
        if cancellation.kind != CancellationKind.EARLY_TERMINATION or not cancellation.invoice_id:
            return []
        invoice = self._invoices.get(snapshot.account_id, cancellation.invoice_id)
        if invoice is None or invoice.status not in PAYABLE:
            return []
        if invoice.paid_cents:
            raise Conflict("A rescisão já foi paga em parte e não pode mais ser desfeita; fale com o financeiro.",
                           code="termination_paid", details={"invoice_id": invoice.invoice_id})
        summary = next((s for s in snapshot.open_invoices if s.invoice_id == invoice.invoice_id), None)
        void(writes, invoice, summary)
        return [invoice.invoice_id]
