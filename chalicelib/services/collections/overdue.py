"""Overdue (PRODUCT.md §7): the check-overdue job's review of one account.

Each subscription moves on its own unpaid items only (unpaid_dues.py) through `past_due` (with the
"fatura vencida" e-mail; for a boleto invoice only after its compensation deadline, one business day
after the due date), `suspended` (after the product's grace in business days) and `cancelled` (after
its N days), per the product's policy (domain.overdue). An unpaid order for added licenses or storage
is taken back instead (addition_orders.py), with the "pedido desfeito" e-mail. The subscriptions,
the orders taken back, their audit entries and the invoices' next review days (review_days.py) are
written in one transaction; e-mails and domain events follow.

Idempotent: the statuses are a function of the stored dues and the day, so a second review on the
same day finds nothing to change (and the invoices it moved on are no longer on that day's list).
Paying everything overdue restores `active` at once in settlement; a review that finds a late
subscription with nothing overdue any more restores it too (say an invoice was voided)."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.catalog import Catalog, Product, contract_of, overdue_policy_of
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.domain.overdue import evaluate_overdue
from chalicelib.domain.reinstatement import NON_PAYMENT
from chalicelib.services.collections.addition_orders import Reversal, lapsed_additions, reverted
from chalicelib.services.collections.review_days import next_reviews
from chalicelib.services.collections.unpaid_dues import MOVABLE, Due, payable_invoices, unpaid_dues
from chalicelib.services.lifecycle.closing import Closing, closing_if_nothing_left
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.plans.recurring import changed_event, changes_mrr, positions
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.subscriptions.standing_notices import addition_reverted_notice, overdue_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import OpenInvoiceItem
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem

JOB_ACTOR = "job:check-overdue"
ACTIONS = {SubscriptionStatus.PAST_DUE: "subscription.past_due", SubscriptionStatus.SUSPENDED: "subscription.suspended",
           SubscriptionStatus.CANCELLED: "subscription.cancelled", SubscriptionStatus.ACTIVE: "subscription.restored"}


@dataclass(frozen=True)
class Transition:
    subscription: SubscriptionItem
    product: Product | None
    before: SubscriptionStatus
    after: SubscriptionStatus
    oldest: Due | None


@dataclass
class AccountReview:
    account_id: str
    transitions: list[Transition] = field(default_factory=list)
    rescheduled: int = 0
    purge_on: date | None = None
    reversals: list[Reversal] = field(default_factory=list)


class OverdueService:
    def __init__(self, billing, invoices, catalog: Catalog, notices, retention, clock, on_cancelled):
        """`on_cancelled(account_id, subscription_id, actor)`: after the commit, what else ends with a
        subscription cancelled for non-payment (its Pix Automático recurrence, cancelled at the PSP)."""
        self._on_cancelled = on_cancelled
        self._billing = billing
        self._invoices = invoices
        self._catalog = catalog
        self._notices = notices
        self._retention = retention
        self._clock = clock

    def review_account(self, account_id: str) -> AccountReview:
        # A payment or a person changed the account meanwhile: read again.
        return retrying(lambda: self._review(account_id))

    def _review(self, account_id: str) -> AccountReview:
        clock = frozen(self._clock)
        today = clock.today()
        review = AccountReview(account_id)
        snapshot = self._billing.snapshot(account_id, consistent=True)
        if snapshot.account is None:
            return review
        invoices = payable_invoices(self._invoices, snapshot)
        dues = unpaid_dues(self._invoices, snapshot, invoices)
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        review.reversals = lapsed_additions(self._catalog, snapshot, invoices, today)
        # metrics: the licenses or GB taken back leave MRR today (docs/metrics.md)
        mrr = changes_mrr(self._catalog, snapshot.subscriptions, mrr_before,
                          [r.subscription.subscription_id for r in review.reversals], today)
        reverted_ids = {reversal.invoice.invoice_id for reversal in review.reversals}
        dues = {subscription_id: [d for d in items if d.invoice_id not in reverted_ids]
                for subscription_id, items in dues.items()}
        transitions = [self._transition(s, dues.get(s.subscription_id, []), today) for s in snapshot.subscriptions]
        review.transitions = [t for t in transitions if t is not None]
        moves = [(summary, day) for summary, day in next_reviews(self._catalog, snapshot, dues, today)
                 if summary.invoice_id not in reverted_ids]  # a voided invoice's summary is deleted instead
        review.rescheduled = len(moves)
        if not review.transitions and not moves and not review.reversals:
            return review
        closing = self._closing(snapshot, review.transitions, today)
        review.purge_on = closing.purge_on
        notices = []
        if review.transitions:
            notices.append(overdue_notice(account_id, review.transitions, today, closing.purge_on, clock.now()))
        if review.reversals:
            notices.append(addition_reverted_notice(account_id, [_reverted(r, mrr) for r in review.reversals],
                                                    clock.now()))
        self._commit(clock, snapshot, review.transitions, moves, closing, notices, review.reversals)
        for notice in notices:
            self._notices.deliver(notice, snapshot)
        for transition in review.transitions:
            if transition.after is SubscriptionStatus.CANCELLED:
                self._on_cancelled(account_id, transition.subscription.subscription_id, JOB_ACTOR)
        return review

    def _transition(self, subscription: SubscriptionItem, dues: list[Due], today: date) -> Transition | None:
        current = SubscriptionStatus(subscription.status)
        if current not in MOVABLE:
            return None
        dues = [d for d in dues if not d.addition]  # an addition order is taken back, never blocks
        product = self._catalog.product(subscription.product_id)
        evaluation = evaluate_overdue(contract_of(product), [d.unpaid for d in dues], today,
                                      overdue_policy_of(product))
        if evaluation.status == current:
            return None
        oldest = min(dues, key=lambda d: d.due_date, default=None)
        return Transition(subscription, product, current, evaluation.status, oldest)

    # --- writing ----------------------------------------------------------------------------------
    def _commit(self, clock, snapshot: AccountSnapshot, transitions: list[Transition],
                moves: list[tuple[OpenInvoiceItem, date | None]], closing: Closing, notices: list,
                reversals: list[Reversal]) -> None:
        """The steps, the addition orders taken back, the invoices' next review days, the purge
        schedule and the notices: together."""
        writes = self._billing.writes()
        saved = set()
        for transition in transitions:
            writes.save(transition.subscription)
            saved.add(transition.subscription.subscription_id)
            writes.save(_audit(clock, snapshot.account_id, transition))
        summaries = {summary.invoice_id: summary for summary in snapshot.open_invoices}
        for reversal in reversals:
            subscription = reversal.subscription
            if subscription.subscription_id not in saved:  # one write per item in a transaction
                writes.save(subscription)
                saved.add(subscription.subscription_id)
            writes.save(reversal.invoice)  # version-checked: a payment meanwhile wins, and we read again
            summary = summaries.get(reversal.invoice.invoice_id)
            if summary is not None:
                writes.delete(summary, condition=OpenInvoiceItem.pk.exists())
            writes.save(_reversal_audit(clock, snapshot.account_id, reversal))
        if any(reversal.returned_cents for reversal in reversals):
            writes.save(snapshot.account)
        for summary, day in moves:
            due = review_due(summary.account_id, summary.invoice_id, day) if day else None
            actions = ([OpenInvoiceItem.due_pk.set(due["due_pk"]), OpenInvoiceItem.due_sk.set(due["due_sk"])] if due
                       else [OpenInvoiceItem.due_pk.remove(), OpenInvoiceItem.due_sk.remove()])
            writes.update(summary, actions, condition=OpenInvoiceItem.pk.exists())
        closing.write(writes)
        for notice in notices:
            writes.create(notice)
        writes.commit()

    def _apply(self, snapshot: AccountSnapshot, transitions: list[Transition], today: date) -> None:
        for transition in transitions:
            subscription = transition.subscription
            subscription.status = transition.after.value
            if transition.after is SubscriptionStatus.CANCELLED:
                subscription.auto_renew = False
                subscription.cancellation_cause = NON_PAYMENT  # paying its debt may still reinstate it
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)

    def _closing(self, snapshot: AccountSnapshot, transitions: list[Transition], today: date) -> Closing:
        """Subscriptions moved (in memory); an account left with nothing is scheduled for purge."""
        self._apply(snapshot, transitions, today)
        if not any(t.after is SubscriptionStatus.CANCELLED for t in transitions):
            return Closing()
        return closing_if_nothing_left(self._retention, self._catalog, snapshot, today, JOB_ACTOR,
                                       "Assinaturas canceladas por falta de pagamento.")


def _audit(clock, account_id: str, transition: Transition):
    oldest = transition.oldest
    return audit_entry(clock, account_id, actor=JOB_ACTOR, action=ACTIONS[transition.after],
                       target=transition.subscription.subscription_id,
                       before={"status": transition.before.value}, after={
                           "status": transition.after.value,
                           "oldest_unpaid_due_date": oldest.due_date.isoformat() if oldest else None,
                           "invoice_id": oldest.invoice_id if oldest else None},
                       reason="Pagamento em atraso." if transition.after is not SubscriptionStatus.ACTIVE
                       else "Nada mais em atraso.")


def _reverted(reversal: Reversal, mrr: dict[str, dict]) -> dict:
    """What the notice tells of a reversal, and the `subscription.changed` event it publishes when the
    subscription's MRR moved (the first reversal of a subscription carries its whole move)."""
    told = reverted(reversal)
    block = mrr.pop(reversal.subscription.subscription_id, None)
    if block is not None:
        told["event"] = changed_event(reversal.subscription, ["addition_reverted"], block,
                                      f"addition_reverted:{reversal.invoice.invoice_id}")
    return told


def _reversal_audit(clock, account_id: str, reversal: Reversal):
    subscription = reversal.subscription
    return audit_entry(clock, account_id, actor=JOB_ACTOR, action="subscription.addition_reverted",
                       target=subscription.subscription_id,
                       before=reversal.before,
                       after={"quantity": subscription.quantity, "storage_gb": subscription.storage_gb,
                              "voided_invoice_id": reversal.invoice.invoice_id,
                              "returned_cents": reversal.returned_cents},
                       reason="Pedido de licenças ou armazenamento adicionais não pago no prazo.")
