"""Cancelling a subscription and undoing it (PRODUCT.md §8).

- Within 7 days from the purchase or a renewal (right of withdrawal; counted from the purchase date
  or the renewal date, not from the payment date: domain.cancellation): cancelled at once,
  that payment refunded through the payments issue's refund service (a card through the gateway, a
  boleto or Pix as a request to the finance team; the share of a payment that also paid other
  subscriptions becomes account credit), the subscription's unpaid invoices voided.
- Otherwise auto-renewal stops and the cancellation is scheduled (a CANCEL#<subscription> item on
  the check-overdue job's review list for its effective date): at least 30 days before the renewal,
  at the period end; later, the renewal is billed now and the cancellation takes effect at its end;
  a fixed-term contract is billed its remaining installments and ends with the period in force, and so
  is a commitment billed monthly, its committed months not billed yet (domain.cancellation).
- Undo (`reactivate`) until the effective date; the job ends the subscription on it.
- An account left with nothing is kept for the retention period, then purged."""
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.clock import FixedClock
from chalicelib.catalog import Catalog
from chalicelib.domain.cancellation import CancellationKind, can_undo, commitment_charge, evaluate_cancellation
from chalicelib.domain.enums import ProductKind, SubscriptionStatus
from chalicelib.errors import Conflict
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.collections.cancellation_invoices import (
    NewInvoice, commitment_invoice, next_renewal_invoice, termination_invoice, void,
)
from chalicelib.services.collections.cancellation_terms import CancellationContext, WithdrawalPayment
from chalicelib.services.lifecycle.closing import closing_if_nothing_left
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.subscriptions.standing_notices import cancellation_notice, cancelled_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.cancellations import CancellationItem, cancellation_sk
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem

PAYABLE = frozenset({"open", "partially_paid"})
JOB_ACTOR = "job:check-overdue"


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
class _Refund:
    amount_cents: int
    status: str | None
    refund_id: str | None = None


@dataclass(frozen=True)
class _Withdrawal:
    """A cancellation found to be a withdrawal, with what was read to decide it."""
    clock: FixedClock
    snapshot: AccountSnapshot
    payment: WithdrawalPayment


class CancellationService:
    def __init__(self, billing, terms, invoices, refunds, retention, notices, catalog: Catalog, clock,
                 on_batch_end):
        self._billing = billing
        self._terms = terms
        self._invoices = invoices
        self._refunds = refunds
        self._retention = retention
        self._notices = notices
        self._catalog = catalog
        self._clock = clock
        # (partner snapshot, batch subscription, ends_on, actor): the partners' batches service ends the licenses.
        # A callable because partners sits above collections (.importlinter): this context cannot import it.
        self.on_batch_end = on_batch_end

    # --- cancel -------------------------------------------------------------------------------
    def cancel(self, account_id: str, subscription_id: str, reason: str, actor: str) -> CancellationResult:
        decided = retrying(lambda: self._schedule_or_withdrawal(account_id, subscription_id, reason, actor))
        if isinstance(decided, _Withdrawal):
            # Outside the retried attempt: the refund is made once, and _withdraw retries only its writes.
            return self._withdraw(decided.clock, decided.snapshot, subscription_id, decided.payment, reason, actor)
        return decided

    def _schedule_or_withdrawal(self, account_id: str, subscription_id: str, reason: str,
                                actor: str) -> CancellationResult | _Withdrawal:
        """From a fresh read: schedule the cancellation, or tell `cancel` it is a withdrawal."""
        clock = frozen(self._clock)
        snapshot = self._billing.snapshot(account_id, consistent=True)
        subscription = _cancellable(snapshot, subscription_id)
        context = self._terms.context(snapshot, subscription, clock.today())
        outcome = evaluate_cancellation(context.request, clock.today())
        if outcome.kind is CancellationKind.WITHDRAWAL:
            return _Withdrawal(clock, snapshot, context.withdrawal)
        return self._schedule(clock, snapshot, subscription, context, outcome.kind, reason, actor)

    def _schedule(self, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                  context: CancellationContext, kind: CancellationKind, reason: str, actor: str) -> CancellationResult:
        today, now = clock.today(), clock.now()
        effective, new_invoice = self._what_it_bills(snapshot, subscription, context, kind, now)
        owed = self._amount_owed(snapshot, subscription.subscription_id, new_invoice)
        previous = subscription.status
        if previous == SubscriptionStatus.ACTIVE:  # a late subscription keeps its overdue status (no free access)
            subscription.status = SubscriptionStatus.PENDING_CANCELLATION.value
        subscription.auto_renew = False
        schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)
        cancellation = self._record(snapshot, subscription, kind, reason, actor, today, effective, previous,
                                    new_invoice, owed=owed)
        writes = self._billing.writes()
        writes.save(subscription)
        if new_invoice:
            new_invoice.write(writes)
            if new_invoice.credit_applied_cents:
                writes.save(snapshot.account)
        writes.create(cancellation, conflict=_already_scheduled())
        writes.save(_audit(clock, snapshot.account_id, actor, "subscription.cancellation_scheduled", subscription,
                           previous, cancellation, reason))
        notice = cancelled_notice(snapshot.account_id, cancellation_notice(
            subscription.subscription_id, subscription.product_id, effective, "customer_request", scheduled=True,
            amount_owed_cents=owed), now)
        writes.create(notice)
        writes.commit()
        self._notices.deliver(notice, snapshot)
        charge = commitment_charge(context.request.commitment) \
            if kind is CancellationKind.EARLY_TERMINATION and context.request.commitment else None
        return CancellationResult(subscription, kind, effective, 0, None, owed,
                                  new_invoice.invoice.invoice_id if new_invoice else None,
                                  commitment_ends_on=charge.ends_on if charge else None,
                                  commitment_months_billed=charge.months if charge else 0)

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

    def _record(self, snapshot, subscription, kind, reason, actor, today, effective, previous,
                new_invoice: NewInvoice | None, state: str = "scheduled", refund_cents: int = 0,
                owed: int = 0) -> CancellationItem:
        key = cancellation_sk(subscription.subscription_id)
        due = review_due(snapshot.account_id, key, effective) if state == "scheduled" else {}
        return CancellationItem(
            pk=subscription.pk, sk=key, account_id=snapshot.account_id, subscription_id=subscription.subscription_id,
            kind=kind.value, reason=reason, requested_on=today, requested_by=actor, effective_date=effective,
            previous_status=previous, refund_cents=refund_cents, state=state,
            amount_owed_cents=owed,
            invoice_id=new_invoice.invoice.invoice_id if new_invoice else None, created_at=self._clock.now(), **due)

    # --- withdrawal ---------------------------------------------------------------------------
    def _withdraw(self, clock, snapshot: AccountSnapshot, subscription_id: str, withdrawal: WithdrawalPayment,
                  reason: str, actor: str) -> CancellationResult:
        """The refund goes first (the gateway call); the cancellation is then written, re-read and
        retried on a concurrent change without refunding again."""
        refund = self._refund(snapshot.account_id, withdrawal, reason, actor)
        unused = [snapshot]  # the first attempt writes on what `cancel` read; a retry reads again

        def attempt() -> CancellationResult:
            current = unused.pop() if unused else self._billing.snapshot(snapshot.account_id, consistent=True)
            return self._cancel_now(clock, current, subscription_id, refund, withdrawal, reason, actor)

        return retrying(attempt)

    def _refund(self, account_id: str, withdrawal: WithdrawalPayment, reason: str, actor: str) -> _Refund:
        if withdrawal.payment_id is None:
            return _Refund(0, None)
        if not withdrawal.exclusive:
            return _Refund(withdrawal.share_cents, "account_credit")
        if withdrawal.already_refunded_cents is not None:  # an earlier attempt refunded it already
            return _Refund(withdrawal.already_refunded_cents, "refunded")
        outcome = self._refunds.refund_payment(account_id, withdrawal.payment_id,
                                               f"Desistência no prazo de 7 dias: {reason}", actor,
                                               window_start=withdrawal.window_start)
        return _Refund(outcome.amount_cents, outcome.status, outcome.refund_id)

    def _cancel_now(self, clock, snapshot: AccountSnapshot, subscription_id: str, refund: _Refund,
                    withdrawal: WithdrawalPayment, reason: str, actor: str) -> CancellationResult:
        today = clock.today()
        subscription = snapshot.subscription(subscription_id)
        previous = subscription.status
        subscription.status = SubscriptionStatus.CANCELLED.value
        subscription.auto_renew = False
        schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)
        writes = self._billing.writes()
        writes.save(subscription)
        if refund.status == "account_credit":
            snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + refund.amount_cents
            writes.save(snapshot.account)
        voided = self._void_unpaid(writes, snapshot, subscription_id)
        cancellation = self._record(snapshot, subscription, CancellationKind.WITHDRAWAL, reason, actor, today, today,
                                    previous, None, state="effective", refund_cents=refund.amount_cents)
        writes.save(_audit(clock, snapshot.account_id, actor, "subscription.cancelled", subscription, previous,
                           cancellation, reason, refund=refund, voided=voided))
        notice = self._ended(writes, clock, snapshot, subscription, cancellation, actor, "withdrawal", refund)
        writes.create(cancellation, conflict=_already_scheduled())
        writes.commit()
        self._follow_up(notice, snapshot, subscription, cancellation, actor)
        return CancellationResult(subscription, CancellationKind.WITHDRAWAL, today, refund.amount_cents,
                                  refund.status, self._amount_owed(snapshot, subscription_id, None, voided),
                                  None, tuple(voided))

    def _void_unpaid(self, writes, snapshot: AccountSnapshot, subscription_id: str) -> list[str]:
        """The subscription's own invoices with nothing paid: no longer owed after a withdrawal."""
        summaries = {s.invoice_id: s for s in snapshot.open_invoices
                     if s.status == "open" and list(s.subscription_ids or []) == [subscription_id]}
        voided = []
        for invoice in self._invoices.get_many(snapshot.account_id, sorted(summaries)):
            if invoice.status == "open" and not invoice.paid_cents:
                void(writes, invoice, summaries[invoice.invoice_id])
                voided.append(invoice.invoice_id)
        return voided

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

    # --- the job: the effective date ----------------------------------------------------------
    def take_effect(self, account_id: str, subscription_id: str) -> bool:
        """End a subscription whose scheduled cancellation is due (check-overdue job). Idempotent: a
        cancellation stays on the review list until what follows the end (a batch's licenses) is done."""
        clock = frozen(self._clock)
        today = clock.today()
        snapshot = self._billing.snapshot(account_id, consistent=True)
        cancellation = snapshot.other(CancellationItem, cancellation_sk(subscription_id))
        if cancellation is None or cancellation.due_pk is None or today < cancellation.effective_date:
            return False
        subscription = snapshot.subscription(subscription_id)
        notice = None
        if cancellation.state == "scheduled":
            notice = self._end_as_scheduled(clock, snapshot, subscription, cancellation)
        self._follow_up(notice, snapshot, subscription, cancellation, JOB_ACTOR)
        return True

    def _end_as_scheduled(self, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                          cancellation: CancellationItem):
        previous = subscription.status
        cancellation.state = "effective"
        writes = self._billing.writes()
        notice = None
        if previous != SubscriptionStatus.CANCELLED:  # not ended meanwhile by the overdue rules
            subscription.status = SubscriptionStatus.CANCELLED.value
            subscription.auto_renew = False
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, clock.today())
            writes.save(subscription)
            writes.save(_audit(clock, snapshot.account_id, JOB_ACTOR, "subscription.cancelled", subscription,
                               previous, cancellation, cancellation.reason))
            notice = self._ended(writes, clock, snapshot, subscription, cancellation, JOB_ACTOR, "customer_request")
        else:
            self._keep_on_list_for_batch(snapshot, subscription, cancellation, clock.today())
        writes.save(cancellation)
        writes.commit()
        return notice

    # --- shared -------------------------------------------------------------------------------
    def _ended(self, writes, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
               cancellation: CancellationItem, actor: str, reason: str, refund: _Refund | None = None):
        """Into the transaction that ends the subscription (the caller writes the cancellation): the
        purge schedule of an account left with nothing, and the notice. Returns the notice."""
        effective = cancellation.effective_date
        self._keep_on_list_for_batch(snapshot, subscription, cancellation, clock.today())
        closing = closing_if_nothing_left(self._retention, self._catalog, snapshot, effective, actor,
                                          "Nenhuma assinatura ativa após o cancelamento.")
        closing.write(writes)
        notice = cancelled_notice(snapshot.account_id, cancellation_notice(
            subscription.subscription_id, subscription.product_id, effective, reason,
            refund_cents=refund.amount_cents if refund else 0, refund_status=refund.status if refund else None,
            purge_on=_iso(closing.purge_on)), clock.now())
        writes.create(notice)
        return notice

    def _follow_up(self, notice, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                   cancellation: CancellationItem, actor: str) -> None:
        """After the commit: the notice out; a batch's licenses end with it, then the cancellation
        leaves the review list."""
        if notice is not None:
            self._notices.deliver(notice, snapshot)
        if cancellation.due_pk is None:
            return
        if self._is_batch(subscription):
            self.on_batch_end(snapshot, subscription, cancellation.effective_date, actor)
        cancellation.due_pk = cancellation.due_sk = None
        writes = self._billing.writes()
        writes.save(cancellation)
        writes.commit()

    def _keep_on_list_for_batch(self, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                                cancellation: CancellationItem, today: date) -> None:
        """A batch's licenses end after the commit: until then the cancellation stays on today's list."""
        if self._is_batch(subscription):
            due = review_due(snapshot.account_id, cancellation.sk, today)
            cancellation.due_pk, cancellation.due_sk = due["due_pk"], due["due_sk"]
        else:
            cancellation.due_pk = cancellation.due_sk = None

    def _is_batch(self, subscription: SubscriptionItem) -> bool:
        product = self._catalog.product(subscription.product_id)
        return product is not None and product.kind is ProductKind.BATCH

    def _amount_owed(self, snapshot: AccountSnapshot, subscription_id: str, new_invoice: NewInvoice | None,
                     voided: list[str] = ()) -> int:
        """What the subscription still owes on open invoices, the one just created included. The
        invoices are judged as read now, not as the snapshot saw them: a withdrawal's refund made one
        `refunded` after that read, and nothing bills it any more."""
        ids = [s.invoice_id for s in snapshot.open_invoices
               if s.status in PAYABLE and subscription_id in (s.subscription_ids or []) and s.invoice_id not in voided]
        invoices = [invoice for invoice in self._invoices.get_many(snapshot.account_id, ids)
                    if invoice.status in PAYABLE]
        if new_invoice and new_invoice.invoice.status in PAYABLE:
            invoices.append(new_invoice.invoice)
        return sum(_owed_by(invoice, subscription_id) for invoice in invoices)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _owed_by(invoice, subscription_id: str) -> int:
    """An invoice of the subscription alone owes what is unpaid; a shared one, its lines."""
    if all(line.subscription_id in (None, subscription_id) for line in invoice.lines):
        return max(invoice.total_cents - (invoice.paid_cents or 0), 0)
    return sum(line.amount_cents for line in invoice.lines if line.subscription_id == subscription_id)


def _cancellable(snapshot: AccountSnapshot, subscription_id: str) -> SubscriptionItem:
    snapshot.require_account()
    subscription = snapshot.subscription(subscription_id)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict("A assinatura já está cancelada.", code="subscription_cancelled")
    scheduled = snapshot.other(CancellationItem, cancellation_sk(subscription_id))
    if subscription.status == SubscriptionStatus.PENDING_CANCELLATION or (scheduled and scheduled.state == "scheduled"):
        raise _already_scheduled(scheduled.effective_date if scheduled else None)
    return subscription


def _already_scheduled(effective: date | None = None) -> Conflict:
    details = {"effective_date": effective.isoformat()} if effective else {}
    return Conflict("O cancelamento desta assinatura já está agendado.", code="cancellation_already_scheduled",
                    details=details)


def _audit(clock, account_id: str, actor: str, action: str, subscription: SubscriptionItem, previous: str,
           cancellation: CancellationItem, reason: str, refund: _Refund | None = None, voided=()):
    after = {"status": subscription.status, "auto_renew": subscription.auto_renew, "kind": cancellation.kind,
             "effective_date": cancellation.effective_date.isoformat(), "invoice_id": cancellation.invoice_id,
             "amount_owed_cents": cancellation.amount_owed_cents}
    if refund is not None:
        after |= {"refund_cents": refund.amount_cents, "refund_status": refund.status, "refund_id": refund.refund_id,
                  "voided_invoice_ids": list(voided)}
    return audit_entry(clock, account_id, actor=actor, action=action, target=subscription.subscription_id,
                       before={"status": previous}, after=after, reason=reason)
