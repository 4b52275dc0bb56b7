"""Which issue-invoices run bills a subscription's next renewal.

The subscription item itself is the job's work item: it carries due_pk ISSUE#<issue date>#<shard>
(store/subscriptions.renewal_issue_due) for the run that must bill its next renewal, and drops it
when it will not renew. Whoever creates a subscription or moves what it bills next — subscribing, a
plan change, the invoicing job, turning auto-renewal off — calls `schedule_next_issue` before
saving the item, so the index is written in the same transaction as the change."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.invoice_calendar import issue_date_for_renewal
from chalicelib.services.plans.renewals import renews
from chalicelib.store.subscriptions import SubscriptionItem, renewal_issue_due


def next_renewal_start(subscription: SubscriptionItem) -> date:
    """The first day not billed yet: the end of the last renewal billed, or of the current period."""
    billed = subscription.billed_through
    current_end = subscription.current_period_end
    return billed if billed and billed > current_end else current_end


def term_complete(catalog: Catalog, subscription: SubscriptionItem, renewals_billed: int | None = None) -> bool:
    """A fixed_term contract bills its installments and no more (the first one at subscribing)."""
    product = catalog.product(subscription.product_id)
    installments = product.term_installments if product else None
    billed = subscription.renewals_billed if renewals_billed is None else renewals_billed
    return bool(installments) and 1 + billed >= installments


def schedule_next_issue(catalog: Catalog, subscription: SubscriptionItem, due_day: int | None,
                        today: date) -> date | None:
    """Put the subscription on the index for the run that bills its next renewal (never today or
    earlier: today's run may be over); off the index when it will not renew. Returns the day."""
    if not renews(subscription) or term_complete(catalog, subscription):
        subscription.due_pk = subscription.due_sk = None
        return None
    day = issue_date_for_renewal(next_renewal_start(subscription), due_day, after=today)
    due = renewal_issue_due(subscription.account_id, subscription.subscription_id, day)
    subscription.due_pk, subscription.due_sk = due["due_pk"], due["due_sk"]
    return day
