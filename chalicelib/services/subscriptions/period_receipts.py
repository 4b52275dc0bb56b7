"""What of a subscription's current period was billed, received and left unpaid, for the credit of a
plan change (PRODUCT.md §3: only money actually received gives credit, after discounts and credits),
and which of the period's unpaid invoices the change voids."""
from collections import defaultdict
from datetime import date

from chalicelib.domain.money import prorate
from chalicelib.domain.periods import Period
from chalicelib.errors import Conflict
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem


def current_period_lines(invoice: InvoiceItem, subscription: SubscriptionItem, current: Period) -> list:
    """What the invoice bills of the subscription's current period (not credits, not other periods)."""
    return [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
            and line.amount_cents > 0 and line.kind != "credit" and line.period_start is not None
            and current.start <= line.period_start < current.end]


def unpaid_by_since(subscription: SubscriptionItem, current: Period, unpaid: list[InvoiceItem],
                     superseded: InvoiceItem | None) -> dict[date, int]:
    """Billed for the current period but not received, by the day each part starts covering (a
    payment part's `since`). An invoice paid in part counts its payment pro rata over its lines;
    the superseded next-period invoice's payments go back to the account whole, so what it carried
    of the current period counts as unpaid."""
    withheld: dict[date, int] = defaultdict(int)
    for invoice in unpaid:
        billed = sum(line.amount_cents for line in invoice.lines if line.amount_cents > 0)
        owed = max(invoice.total_cents - (invoice.paid_cents or 0), 0)
        by_since: dict[date, int] = defaultdict(int)
        for line in current_period_lines(invoice, subscription, current):
            by_since[line.period_start] += line.amount_cents
        for since, amount in by_since.items():
            withheld[since] += min(amount, prorate(owed, amount, billed))
    if superseded is not None:
        for line in current_period_lines(superseded, subscription, current):
            withheld[line.period_start] += line.amount_cents
    return dict(withheld)


def received_parts(subscription: SubscriptionItem, current: Period,
                    withheld: dict[date, int]) -> list[tuple[int, int, Period]]:
    """(billed, received, covered) of each payment part of the current period."""
    left = dict(withheld)
    parts = []
    for part in subscription.period_payments:
        unpaid = min(part.amount_cents, left.get(part.since, 0))
        left[part.since] = left.get(part.since, 0) - unpaid
        parts.append((part.amount_cents, part.amount_cents - unpaid, Period(part.since, current.end)))
    return parts


def voided_invoices(subscription: SubscriptionItem, current: Period,
                    unpaid: list[InvoiceItem]) -> tuple[InvoiceItem, ...]:
    """The current period's unpaid invoices a plan change voids, with the late fees a 2ª via added to
    them (fees of a debt that is voided). One that also bills something else cannot be voided whole:
    the change waits until it is paid."""
    for invoice in unpaid:
        own = {id(line) for line in current_period_lines(invoice, subscription, current)}
        if any(line.amount_cents > 0 and id(line) not in own and (line.subscription_id or line.kind != "fee")
               for line in invoice.lines):
            raise Conflict("Há uma fatura em aberto deste período que cobra também outros itens; pague-a "
                           "antes de alterar o plano.", code="open_invoice_bills_other_items",
                           details={"invoice_id": invoice.invoice_id})
    return tuple(unpaid)
