"""When the overdue review looks at an open invoice again: on the next day one of its subscriptions
may change status (off the review list when none can), or on the invoice's first look, the day after
its due date, if that comes sooner."""
from datetime import date

from chalicelib.catalog import overdue_policy_of
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.domain.overdue import next_status_change
from chalicelib.services.collections.unpaid_dues import MOVABLE, PAYABLE, Due, collecting_by_card
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import OpenInvoiceItem
from chalicelib.store.reviews import first_review_day, review_due
from chalicelib.store.subscriptions import SubscriptionItem


def next_reviews(catalog, snapshot: AccountSnapshot, dues: dict[str, list[Due]],
                 today: date) -> list[tuple[OpenInvoiceItem, date | None]]:
    """Each payable invoice goes to the next day one of its subscriptions may change status
    (off the list when none can) — but an invoice not yet due keeps its first look, the day
    after its due date, if that comes sooner: send-reminders finds it there, 3 days before it
    falls due (docs/reminders.md). Only the invoices whose day moves are returned."""
    statuses = {s.subscription_id: s for s in snapshot.subscriptions}
    moves = []
    for summary in snapshot.open_invoices:
        if collecting_by_card(summary):
            continue
        day = None
        if summary.status in PAYABLE:
            day = _with_first_look(summary, _next_day(catalog, summary, statuses, dues, today), today)
        wanted = review_due(summary.account_id, summary.invoice_id, day)["due_pk"] if day else None
        if wanted != summary.due_pk:
            moves.append((summary, day))
    return moves


def _next_day(catalog, summary: OpenInvoiceItem, subscriptions: dict[str, SubscriptionItem],
              dues: dict[str, list[Due]], today: date) -> date | None:
    days = []
    for subscription_id in summary.subscription_ids or []:
        subscription = subscriptions.get(subscription_id)
        if subscription is None or dues.get(subscription_id) is None:
            continue
        if SubscriptionStatus(subscription.status) not in MOVABLE:
            continue  # cancelled, or ending anyway on a scheduled date: nothing more to move
        policy = overdue_policy_of(catalog.product(subscription.product_id))
        # Each item's own first late day (a boleto's waits for its compensation); the oldest's
        # suspension and cancellation days come out of the same computation.
        days.extend(next_status_change(d.due_date, today, policy, d.by_boleto) for d in dues[subscription_id])
    return min((day for day in days if day), default=None)


def _with_first_look(summary: OpenInvoiceItem, day: date | None, today: date) -> date | None:
    """`day`, or the invoice's first look (its due date + 1, where issuing put it) when that is
    still ahead and sooner. Reviewing earlier never misses a change of status: the review of that
    day computes the next one again (an invoice due on a Saturday is looked at on Sunday, then
    moved to the Tuesday after, when its boleto's grace ends)."""
    first_look = first_review_day(summary.due_date)
    if first_look <= today:
        return day
    return first_look if day is None else min(day, first_look)
