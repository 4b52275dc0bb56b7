"""Overdue (PRODUCT.md §7): the check-overdue job's review of one account.

Each subscription moves on its own unpaid items only — the original due dates of the open invoices'
lines that bill it (a carried line keeps the due date of the invoice it came from) — through
`past_due` (with the "fatura vencida" e-mail; for a boleto invoice only after its compensation
deadline, one business day after the due date), `suspended` (after the product's grace in business
days) and `cancelled` (after its N days), per the product's policy (domain.overdue). The subscriptions, their audit entries and the
invoices' next review days are written in one transaction; e-mails and domain events follow.

An order for added licenses or storage (PRODUCT.md §7) is no part of the subscription's dues: the
base period it was bought on is paid, and stays active. Unpaid once the same grace is over, the
order is taken back instead — the licenses and GB it added removed, its invoice voided, the account
credit it used (and any part paid) returned to the account — with the "pedido desfeito" e-mail; in the
same transaction as the rest of the review.

Idempotent: the statuses are a function of the stored dues and the day, so a second review on the
same day finds nothing to change (and the invoices it moved on are no longer on that day's list).
Paying everything overdue restores `active` at once in settlement; a review that finds a late
subscription with nothing overdue any more restores it too (say an invoice was voided)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod, SubscriptionStatus
from chalicelib.domain.overdue import UnpaidItem, addition_order_lapsed, evaluate_overdue, next_status_change
from chalicelib.domain.reinstatement import NON_PAYMENT
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.lifecycle.closing import Closing, closing_if_nothing_left
from chalicelib.catalog import contract_of, overdue_policy_of
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.subscriptions.standing_notices import addition_reverted_notice, overdue_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import CARD_CHARGE_KIND, InvoiceItem, OpenInvoiceItem
from chalicelib.store.reviews import first_review_day, review_due
from chalicelib.store.subscriptions import SubscriptionItem

JOB_ACTOR = "job:check-overdue"
PAYABLE = frozenset({"open", "partially_paid"})
# The statuses overdue moves. A scheduled cancellation keeps its access to the effective date.
MOVABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED})
# What an order's addition line adds, by its kind (services/subscriptions/change_quotes.py).
ADDED_LICENSES, ADDED_STORAGE = "proration", "addon"
ACTIONS = {SubscriptionStatus.PAST_DUE: "subscription.past_due", SubscriptionStatus.SUSPENDED: "subscription.suspended",
           SubscriptionStatus.CANCELLED: "subscription.cancelled", SubscriptionStatus.ACTIVE: "subscription.restored"}


@dataclass(frozen=True)
class Due:
    due_date: date
    invoice_id: str  # the open invoice that holds the item now
    by_boleto: bool = False  # that invoice is paid by boleto: compensation takes a business day
    addition: bool = False  # an order for added licenses or storage: taken back, never blocking

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


@dataclass(frozen=True)
class Reversal:
    """An unpaid addition order taken back: its invoice voided, what it added removed."""
    invoice: InvoiceItem
    subscription: SubscriptionItem
    licenses: int  # taken back
    storage_gb: int  # taken back
    returned_cents: int  # account credit it had used + any part paid: back to the account
    before: dict  # the subscription's quantity and storage_gb before


@dataclass
class AccountReview:
    account_id: str
    transitions: list[Transition] = field(default_factory=list)
    rescheduled: int = 0
    purge_on: date | None = None
    reversals: list[Reversal] = field(default_factory=list)


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
        invoices = self._payable_invoices(snapshot)
        dues = self.unpaid_dues(snapshot, invoices)
        review.reversals = self._lapsed_additions(snapshot, invoices, today)
        reverted = {reversal.invoice.invoice_id for reversal in review.reversals}
        dues = {subscription_id: [d for d in items if d.invoice_id not in reverted]
                for subscription_id, items in dues.items()}
        transitions = [self._transition(s, dues.get(s.subscription_id, []), today) for s in snapshot.subscriptions]
        review.transitions = [t for t in transitions if t is not None]
        moves = [(summary, day) for summary, day in self._next_reviews(snapshot, dues, today)
                 if summary.invoice_id not in reverted]  # a voided invoice's summary is deleted instead
        review.rescheduled = len(moves)
        if not review.transitions and not moves and not review.reversals:
            return review
        closing = self._closing(snapshot, review.transitions, today)
        review.purge_on = closing.purge_on
        notices = []
        if review.transitions:
            notices.append(overdue_notice(account_id, review.transitions, today, closing.purge_on, clock.now()))
        if review.reversals:
            notices.append(addition_reverted_notice(account_id, [_reverted(r) for r in review.reversals],
                                                    clock.now()))
        self._commit(clock, snapshot, review.transitions, moves, closing, notices, review.reversals)
        for notice in notices:
            self._notices.deliver(notice, snapshot)
        return review

    # --- what is unpaid ---------------------------------------------------------------------------
    def _payable_invoices(self, snapshot: AccountSnapshot) -> list[InvoiceItem]:
        """The payable open invoices. Card invoices still on the charge-cards list are being
        collected: they join once retries end."""
        summaries = [s for s in snapshot.open_invoices if s.status in PAYABLE and not _collecting_by_card(s)]
        return self._invoices.get_many(snapshot.account_id, [s.invoice_id for s in summaries])

    def unpaid_dues(self, snapshot: AccountSnapshot,
                    invoices: list[InvoiceItem] | None = None) -> dict[str, list[Due]]:
        """Per subscription, the original due dates of its items on payable open invoices."""
        if invoices is None:
            invoices = self._payable_invoices(snapshot)
        sources = {line.source_invoice_id for invoice in invoices for line in invoice.lines if line.source_invoice_id}
        source_dues = {i.invoice_id: i.due_date for i in self._invoices.get_many(snapshot.account_id, sorted(sources))}
        dues: dict[str, list[Due]] = defaultdict(list)
        for invoice in invoices:
            addition = is_addition_order(invoice)
            for line in invoice.lines:
                if line.subscription_id:
                    original = source_dues.get(line.source_invoice_id, invoice.due_date)
                    dues[line.subscription_id].append(Due(original, invoice.invoice_id,
                                                          invoice.payment_method == PaymentMethod.BOLETO,
                                                          addition))
        return dues

    # --- unpaid addition orders -------------------------------------------------------------------
    def _lapsed_additions(self, snapshot: AccountSnapshot, invoices: list[InvoiceItem],
                          today: date) -> list[Reversal]:
        """The addition orders whose grace is over, each taken back (in memory: subscription,
        invoice, account credit); the commit writes them."""
        reversals = []
        for invoice in invoices:
            if not is_addition_order(invoice):
                continue
            (subscription_id,) = {line.subscription_id for line in invoice.lines if line.subscription_id}
            subscription = next((s for s in snapshot.subscriptions if s.subscription_id == subscription_id), None)
            if subscription is None or SubscriptionStatus(subscription.status) not in MOVABLE:
                continue  # cancelled or ending on a scheduled date: nothing left to take back from
            policy = overdue_policy_of(self._catalog.product(subscription.product_id))
            if addition_order_lapsed(invoice.due_date, today, policy, invoice.payment_method == PaymentMethod.BOLETO):
                reversals.append(_take_back(snapshot, subscription, invoice))
        return reversals


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


def is_addition_order(invoice: InvoiceItem) -> bool:
    """An order for added licenses or storage on one subscription: a change's invoice whose lines
    say what they add (a plan change's order bills a new period instead)."""
    if invoice.origin != "change" or any(line.source_invoice_id for line in invoice.lines):
        return False
    billed = [line for line in invoice.lines if line.subscription_id]
    return len({line.subscription_id for line in billed}) == 1 and all(line.kind in (ADDED_LICENSES, ADDED_STORAGE) and line.added_quantity
                                for line in billed)


def _take_back(snapshot: AccountSnapshot, subscription: SubscriptionItem, invoice: InvoiceItem) -> Reversal:
    """Undo the order: the licenses and GB it added, the period payment it recorded (money never
    received), the invoice voided with its boleto; the account credit it used and any part paid go
    back to the account — no centavo created or lost."""
    added = [line for line in invoice.lines if line.subscription_id]
    licenses = sum(line.added_quantity for line in added if line.kind == ADDED_LICENSES)
    storage_gb = sum(line.added_quantity for line in added if line.kind == ADDED_STORAGE)
    before = {"quantity": subscription.quantity, "storage_gb": subscription.storage_gb}
    subscription.quantity = max(1, subscription.quantity - licenses)
    subscription.storage_gb = max(0, (subscription.storage_gb or 0) - storage_gb)
    charge, since = sum(line.amount_cents for line in added), min(line.period_start for line in added)
    parts = list(subscription.period_payments or [])
    recorded = next((part for part in parts if part.amount_cents == charge and part.since == since), None)
    if recorded is not None:
        parts.remove(recorded)
        subscription.period_payments = parts
    credit_used = -sum(line.amount_cents for line in invoice.lines if not line.subscription_id and line.amount_cents < 0)
    returned = credit_used + (invoice.paid_cents or 0)
    if returned:
        snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + returned
    invoice.status = InvoiceStatus.VOID.value
    for document in invoice.documents:
        if document.status == "current":
            document.status = "void"  # a late payment of it still counts: it becomes account credit
    return Reversal(invoice, subscription, licenses, storage_gb, returned, before)


def _reverted(reversal: Reversal) -> dict:
    invoice, subscription = reversal.invoice, reversal.subscription
    return {"subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
            "invoice_id": invoice.invoice_id, "invoice_number": invoice.label, "total_cents": invoice.total_cents,
            "due_date": invoice.due_date.isoformat(), "licenses": reversal.licenses,
            "storage_gb": reversal.storage_gb, "quantity": subscription.quantity,
            "storage_gb_after": subscription.storage_gb, "returned_cents": reversal.returned_cents}


def _reversal_audit(clock, account_id: str, reversal: Reversal):
    subscription = reversal.subscription
    return audit_entry(clock, account_id, actor=JOB_ACTOR, action="subscription.addition_reverted",
                       target=subscription.subscription_id,
                       before=reversal.before,
                       after={"quantity": subscription.quantity, "storage_gb": subscription.storage_gb,
                              "voided_invoice_id": reversal.invoice.invoice_id,
                              "returned_cents": reversal.returned_cents},
                       reason="Pedido de licenças ou armazenamento adicionais não pago no prazo.")


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
