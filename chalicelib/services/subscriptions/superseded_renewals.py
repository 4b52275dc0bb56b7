"""The renewal invoice of the next period, issued 7 days ahead and still unpaid, when a change
supersedes it: which invoice it is, what goes back to the account, and its replacement — the same
invoice without the old plan's next period (a new plan bills its own periods) or with it re-priced
(licenses or storage added), same due date and method (domain.reissue)."""
import copy

from chalicelib.catalog import Catalog
from chalicelib.domain.money import format_brl
from chalicelib.domain.periods import Period
from chalicelib.domain.reissue import reissue, returned_to_account
from chalicelib.services.invoicing.orders import Line
from chalicelib.services.invoicing.renewal_billing import renewal_lines
from chalicelib.services.plans.renewals import renewal_terms
from chalicelib.services.subscriptions.change_terms import PAYABLE, NextPeriod, Quote
from chalicelib.services.subscriptions.period_receipts import current_period_lines
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem


def issued_next_period(subscription: SubscriptionItem, issued: InvoiceItem | None) -> InvoiceItem | None:
    if issued is None or issued.status not in PAYABLE or not next_period_lines(issued, subscription):
        return None
    return issued


def pick_next_period_invoice(invoices: list[InvoiceItem], subscription: SubscriptionItem) -> InvoiceItem | None:
    """Of the candidates read, the payable one billing the period that starts at the current end."""
    return next((invoice for invoice in invoices if issued_next_period(subscription, invoice) is not None), None)


def next_period_lines(invoice: InvoiceItem, subscription: SubscriptionItem) -> list:
    start = subscription.current_period_end
    return [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
            and line.period_start is not None and line.period_start >= start]


def returned_to_account_cents(invoice: InvoiceItem | None) -> int:
    if invoice is None:
        return 0
    applied = -sum(line.amount_cents for line in invoice.lines
                   if not line.subscription_id and line.amount_cents < 0)
    return returned_to_account(applied, invoice.paid_cents or 0)


def next_period_of(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem, result: Quote,
                 superseded: InvoiceItem, returned: int, current: Period) -> NextPeriod | None:
    old = next_period_lines(superseded, subscription)
    taken = {id(line) for line in old}
    if result.is_plan_change:  # current-period items it carried are voided with the old plan
        taken |= {id(line) for line in current_period_lines(superseded, subscription, current)}
    kept = [line for line in superseded.lines
            if id(line) not in taken and (line.subscription_id or line.amount_cents >= 0)]
    repriced: list[Line] = []
    start = None
    if not result.is_plan_change:  # the same plan, more licenses or storage: the period re-priced
        repriced = list(repriced_lines(catalog, snapshot, subscription, result))
        if [(l.amount_cents, l.kind, l.period_start, l.period_end) for l in repriced] == [
                (l.amount_cents, l.kind, l.period_start, l.period_end) for l in old]:
            return None
        start = subscription.current_period_end
    amounts = reissue([line.amount_cents for line in kept], [line.amount_cents for line in repriced],
                      result.order.remaining_account_credit_cents)
    added = repriced
    if amounts.credit_applied_cents:
        added.append(Line(f"Crédito da conta aplicado ({format_brl(amounts.credit_applied_cents)})",
                          -amounts.credit_applied_cents, "credit"))
    return NextPeriod(superseded, returned, tuple(kept), tuple(added), amounts, start)


def repriced_lines(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                    result: Quote) -> tuple[Line, ...]:
    """The next period as the invoicing job bills it, with the licenses and storage after the change."""
    changed = copy.deepcopy(subscription)
    changed.quantity, changed.storage_gb = result.plan.quantity, result.plan.storage_gb
    members = sum(1 for member in snapshot.members if member.active)
    terms = renewal_terms(catalog, changed, snapshot.account.due_day, members)
    return renewal_lines(catalog, changed, terms) if terms is not None else ()
