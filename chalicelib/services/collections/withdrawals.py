"""Withdrawal (right of withdrawal, PRODUCT.md §8): a cancellation within 7 days from the purchase or
a renewal (domain.cancellation) ends the subscription at once. That payment is refunded first
through the refunds service (a card through the gateway, a boleto or Pix as a request to the finance
team; the share of a payment that also paid other subscriptions becomes account credit); then the
subscription is cancelled and its unpaid invoices voided, in one transaction retried on a
concurrent change without refunding again. `quote` answers what `withdraw` would do now, from the
same reads, with nothing refunded or written."""
from dataclasses import dataclass

from chalicelib.adapters.clock import FixedClock
from chalicelib.domain.cancellation import CancellationKind
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.services.collections.cancellation_endings import CancellationEndings
from chalicelib.services.collections.cancellation_invoices import void
from chalicelib.services.collections.cancellation_records import (
    CancellationRefund, CancellationResult, already_scheduled, amount_owed, cancellation_audit, cancellation_record,
)
from chalicelib.services.collections.cancellation_terms import WithdrawalPayment
from chalicelib.services.payments.refund_records import credit_given_back
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.shared.retry import retrying
from chalicelib.store.billing import AccountSnapshot


@dataclass(frozen=True)
class Withdrawal:
    """A cancellation found to be a withdrawal, with what was read to decide it."""
    clock: FixedClock
    snapshot: AccountSnapshot
    payment: WithdrawalPayment


class Withdrawals:
    def __init__(self, billing, invoices, refunds, endings: CancellationEndings, catalog, clock):
        self._billing = billing
        self._invoices = invoices
        self._refunds = refunds
        self._endings = endings
        self._catalog = catalog
        self._clock = clock

    def withdraw(self, withdrawal: Withdrawal, subscription_id: str, reason: str, actor: str) -> CancellationResult:
        """The refund goes first (the gateway call); the cancellation is then written, re-read and
        retried on a concurrent change without refunding again."""
        clock, snapshot = withdrawal.clock, withdrawal.snapshot
        refund = self._refund(snapshot.account_id, withdrawal.payment, reason, actor)
        unused = [snapshot]  # the first attempt writes on what `cancel` read; a retry reads again

        def attempt() -> CancellationResult:
            current = unused.pop() if unused else self._billing.snapshot(snapshot.account_id, consistent=True)
            return self._cancel_now(clock, current, subscription_id, refund, reason, actor)

        return retrying(attempt)

    def quote(self, withdrawal: Withdrawal, subscription_id: str) -> CancellationResult:
        """What `withdraw` would answer now: the refund `_refund` would make (its amount as the refund
        records count it) and the invoices `_void_unpaid` would void; nothing refunded, nothing written."""
        snapshot = withdrawal.snapshot
        refund = self._settled_refund(withdrawal.payment)
        if refund is None:  # the gateway or the finance team would give the whole payment back
            payment = withdrawal.payment
            refund = CancellationRefund(
                payment.applied_cents + credit_given_back(payment.credit_cents, snapshot.account.credit_cents), None)
        voided = [invoice.invoice_id for invoice, _ in self._unpaid(snapshot, subscription_id)]
        subscription = snapshot.subscription(subscription_id)
        subscription.status = SubscriptionStatus.CANCELLED.value  # in memory only: the answer's status
        subscription.auto_renew = False
        return CancellationResult(subscription, CancellationKind.WITHDRAWAL, withdrawal.clock.today(),
                                  refund.amount_cents, refund.status,
                                  amount_owed(self._invoices, snapshot, subscription_id, None, voided), None,
                                  tuple(voided))

    @staticmethod
    def _settled_refund(payment: WithdrawalPayment) -> CancellationRefund | None:
        """The refund known without asking the refunds service, or None when it must make one."""
        if payment.payment_id is None:
            return CancellationRefund(0, None)
        if not payment.exclusive:
            return CancellationRefund(payment.share_cents, "account_credit")
        if payment.already_refunded_cents is not None:  # an earlier attempt refunded it already
            return CancellationRefund(payment.already_refunded_cents, "refunded")
        return None

    def _refund(self, account_id: str, payment: WithdrawalPayment, reason: str, actor: str) -> CancellationRefund:
        settled = self._settled_refund(payment)
        if settled is not None:
            return settled
        outcome = self._refunds.refund_payment(account_id, payment.payment_id,
                                               f"Desistência no prazo de 7 dias: {reason}", actor,
                                               window_start=payment.window_start)
        return CancellationRefund(outcome.amount_cents, outcome.status, outcome.refund_id)

    def _cancel_now(self, clock, snapshot: AccountSnapshot, subscription_id: str, refund: CancellationRefund,
                    reason: str, actor: str) -> CancellationResult:
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
        cancellation = cancellation_record(snapshot, subscription, CancellationKind.WITHDRAWAL, reason, actor, today,
                                           today, previous, None, self._clock.now(), state="effective",
                                           refund_cents=refund.amount_cents)
        writes.save(cancellation_audit(clock, snapshot.account_id, actor, "subscription.cancelled", subscription,
                                       previous, cancellation, reason, refund=refund, voided=voided))
        notice = self._endings.ended(writes, clock, snapshot, subscription, cancellation, actor, "withdrawal", refund)
        writes.create(cancellation, conflict=already_scheduled())
        writes.commit()
        self._endings.follow_up(notice, snapshot, subscription, cancellation, actor)
        return CancellationResult(subscription, CancellationKind.WITHDRAWAL, today, refund.amount_cents,
                                  refund.status, amount_owed(self._invoices, snapshot, subscription_id, None, voided),
                                  None, tuple(voided))

    def _void_unpaid(self, writes, snapshot: AccountSnapshot, subscription_id: str) -> list[str]:
        """The subscription's own invoices with nothing paid: no longer owed after a withdrawal."""
        voided = []
        for invoice, summary in self._unpaid(snapshot, subscription_id):
            void(writes, invoice, summary)
            voided.append(invoice.invoice_id)
        return voided

    def _unpaid(self, snapshot: AccountSnapshot, subscription_id: str) -> list:
        """(invoice, open summary) of the subscription's own invoices with nothing paid."""
        summaries = {s.invoice_id: s for s in snapshot.open_invoices
                     if s.status == "open" and list(s.subscription_ids or []) == [subscription_id]}
        return [(invoice, summaries[invoice.invoice_id])
                for invoice in self._invoices.get_many(snapshot.account_id, sorted(summaries))
                if invoice.status == "open" and not invoice.paid_cents]
