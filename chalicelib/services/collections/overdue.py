"""Overdue (PRODUCT.md §7): the check-overdue job's review of one account.

Each subscription moves on its own unpaid items only — the original due dates of the open invoices'
lines that bill it (a carried line keeps the due date of the invoice it came from) — through
`past_due` (with the "fatura vencida" e-mail; for a boleto invoice only after its compensation
deadline, one business day after the due date), `suspended` (after the product's grace in business
days) and `cancelled` (after its N days), per the product's policy (domain.overdue). The subscriptions, their audit entries and the
invoices' next review days are written in one transaction; e-mails and domain events follow.

Idempotent: the statuses are a function of the stored dues and the day, so a second review on the
same day finds nothing to change (and the invoices it moved on are no longer on that day's list).
Paying everything overdue restores `active` at once in settlement; a review that finds a late
subscription with nothing overdue any more restores it too (say an invoice was voided)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import PaymentMethod, SubscriptionStatus
from chalicelib.domain.overdue import UnpaidItem, evaluate_overdue, next_status_change
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.lifecycle.closing import Closing, closing_if_nothing_left
from chalicelib.catalog import contract_of, overdue_policy_of
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.subscriptions.standing_notices import overdue_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import CARD_CHARGE_KIND, OpenInvoiceItem
from chalicelib.store.reviews import first_review_day, review_due
from chalicelib.store.subscriptions import SubscriptionItem

JOB_ACTOR = "job:check-overdue"
PAYABLE = frozenset({"open", "partially_paid"})
# The statuses overdue moves. A scheduled cancellation keeps its access to the effective date.
MOVABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED})
ACTIONS = {SubscriptionStatus.PAST_DUE: "subscription.past_due", SubscriptionStatus.SUSPENDED: "subscription.suspended",
           SubscriptionStatus.CANCELLED: "subscription.cancelled", SubscriptionStatus.ACTIVE: "subscription.restored"}


@dataclass(frozen=True)
class Due:
    due_date: date
    invoice_id: str  # the open invoice that holds the item now
    by_boleto: bool = False  # that invoice is paid by boleto: compensation takes a business day

    @property
    def unpaid(self) -> UnpaidItem:
        return UnpaidItem(self.due_date, self.by_boleto)


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


class OverdueService:
    def __init__(self, billing, invoices, catalog: Catalog, notices, retention, clock):
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
        dues = self.unpaid_dues(snapshot)
        transitions = [self._transition(s, dues[s.subscription_id], today) for s in snapshot.subscriptions]
        review.transitions = [t for t in transitions if t is not None]
        moves = self._next_reviews(snapshot, dues, today)
        review.rescheduled = len(moves)
        if not review.transitions and not moves:
            return review
        closing = self._closing(snapshot, review.transitions, today)
        review.purge_on = closing.purge_on
        notice = None
        if review.transitions:
            notice = overdue_notice(account_id, review.transitions, today, closing.purge_on, clock.now())
        self._commit(clock, snapshot, review.transitions, moves, closing, notice)
        if notice is not None:
            self._notices.deliver(notice, snapshot)
        return review

    # --- what is unpaid ---------------------------------------------------------------------------
    def unpaid_dues(self, snapshot: AccountSnapshot) -> dict[str, list[Due]]:
        """Per subscription, the original due dates of its items on payable open invoices. Card
        invoices still on the charge-cards list are being collected: they join once retries end."""
        summaries = [s for s in snapshot.open_invoices if s.status in PAYABLE and not _collecting_by_card(s)]
        invoices = self._invoices.get_many(snapshot.account_id, [s.invoice_id for s in summaries])
        sources = {line.source_invoice_id for invoice in invoices for line in invoice.lines if line.source_invoice_id}
        source_dues = {i.invoice_id: i.due_date for i in self._invoices.get_many(snapshot.account_id, sorted(sources))}
        dues: dict[str, list[Due]] = defaultdict(list)
        for invoice in invoices:
            for line in invoice.lines:
                if line.subscription_id:
                    original = source_dues.get(line.source_invoice_id, invoice.due_date)
                    dues[line.subscription_id].append(Due(original, invoice.invoice_id,
                                                          invoice.payment_method == PaymentMethod.BOLETO))
        return dues

    def _transition(self, subscription: SubscriptionItem, dues: list[Due], today: date) -> Transition | None:
        current = SubscriptionStatus(subscription.status)
        if current not in MOVABLE:
            return None
        product = self._catalog.product(subscription.product_id)
        evaluation = evaluate_overdue(contract_of(product), [d.unpaid for d in dues], today,
                                      overdue_policy_of(product))
        if evaluation.status == current:
            return None
        oldest = min(dues, key=lambda d: d.due_date, default=None)
        return Transition(subscription, product, current, evaluation.status, oldest)

    # --- when to look again -----------------------------------------------------------------------
    def _next_reviews(self, snapshot: AccountSnapshot, dues: dict[str, list[Due]],
                      today: date) -> list[tuple[OpenInvoiceItem, date | None]]:
        """Each payable invoice goes to the next day one of its subscriptions may change status
        (off the list when none can) — but an invoice not yet due keeps its first look, the day
        after its due date, if that comes sooner: send-reminders finds it there, 3 days before it
        falls due (docs/reminders.md). Only the invoices whose day moves are returned."""
        statuses = {s.subscription_id: s for s in snapshot.subscriptions}
        moves = []
        for summary in snapshot.open_invoices:
            if _collecting_by_card(summary):
                continue
            day = None
            if summary.status in PAYABLE:
                day = _with_first_look(summary, self._next_day(summary, statuses, dues, today), today)
            wanted = review_due(summary.account_id, summary.invoice_id, day)["due_pk"] if day else None
            if wanted != summary.due_pk:
                moves.append((summary, day))
        return moves

    def _next_day(self, summary: OpenInvoiceItem, subscriptions: dict[str, SubscriptionItem],
                  dues: dict[str, list[Due]], today: date) -> date | None:
        days = []
        for subscription_id in summary.subscription_ids or []:
            subscription = subscriptions.get(subscription_id)
            if subscription is None or dues.get(subscription_id) is None:
                continue
            if SubscriptionStatus(subscription.status) not in MOVABLE:
                continue  # cancelled, or ending anyway on a scheduled date: nothing more to move
            policy = overdue_policy_of(self._catalog.product(subscription.product_id))
            # Each item's own first late day (a boleto's waits for its compensation); the oldest's
            # suspension and cancellation days come out of the same computation.
            days.extend(next_status_change(d.due_date, today, policy, d.by_boleto) for d in dues[subscription_id])
        return min((day for day in days if day), default=None)

    # --- writing ----------------------------------------------------------------------------------
    def _commit(self, clock, snapshot: AccountSnapshot, transitions: list[Transition],
                moves: list[tuple[OpenInvoiceItem, date | None]], closing: Closing, notice) -> None:
        """The steps, the invoices' next review days, the purge schedule and the notice: together."""
        writes = self._billing.writes()
        for transition in transitions:
            writes.save(transition.subscription)
            writes.save(_audit(clock, snapshot.account_id, transition))
        for summary, day in moves:
            due = review_due(summary.account_id, summary.invoice_id, day) if day else None
            actions = ([OpenInvoiceItem.due_pk.set(due["due_pk"]), OpenInvoiceItem.due_sk.set(due["due_sk"])] if due
                       else [OpenInvoiceItem.due_pk.remove(), OpenInvoiceItem.due_sk.remove()])
            writes.update(summary, actions, condition=OpenInvoiceItem.pk.exists())
        closing.write(writes)
        if notice is not None:
            writes.create(notice)
        writes.commit()

    def _apply(self, snapshot: AccountSnapshot, transitions: list[Transition], today: date) -> None:
        for transition in transitions:
            subscription = transition.subscription
            subscription.status = transition.after.value
            if transition.after is SubscriptionStatus.CANCELLED:
                subscription.auto_renew = False
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, today)

    def _closing(self, snapshot: AccountSnapshot, transitions: list[Transition], today: date) -> Closing:
        """Subscriptions moved (in memory); an account left with nothing is scheduled for purge."""
        self._apply(snapshot, transitions, today)
        if not any(t.after is SubscriptionStatus.CANCELLED for t in transitions):
            return Closing()
        return closing_if_nothing_left(self._retention, self._catalog, snapshot, today, JOB_ACTOR,
                                       "Assinaturas canceladas por falta de pagamento.")


def _collecting_by_card(summary: OpenInvoiceItem) -> bool:
    return bool(summary.due_pk and summary.due_pk.startswith(f"{CARD_CHARGE_KIND}#"))


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


def _with_first_look(summary: OpenInvoiceItem, day: date | None, today: date) -> date | None:
    """`day`, or the invoice's first look (its due date + 1, where issuing put it) when that is
    still ahead and sooner. Reviewing earlier never misses a change of status: the review of that
    day computes the next one again (an invoice due on a Saturday is looked at on Sunday, then
    moved to the Tuesday after, when its boleto's grace ends)."""
    first_look = first_review_day(summary.due_date)
    if first_look <= today:
        return day
    return first_look if day is None else min(day, first_look)
