"""What a subscription's next renewal will bill: the period (landing on the account's due day when
one is set, PRODUCT.md §3), the licenses (all, or the active members), the amount. Meu Plano shows
it; the renewal job bills it."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.due_day import change_due_day
from chalicelib.domain.enums import Periodicity, Pricing
from chalicelib.domain.periods import Period, next_period
from chalicelib.domain.proration import renewal_quantity
from chalicelib.services.plans.pricing import Plan, period_price
from chalicelib.store.subscriptions import SubscriptionItem

RENEWING_STATUSES = frozenset({"active", "past_due", "suspended"})


@dataclass(frozen=True)
class RenewalTerms:
    period: Period
    quantity: int
    storage_gb: int
    period_price_cents: int
    proration_cents: int  # moving onto the due day: extra days charged (+) or discounted (-)
    payment_method: str

    @property
    def amount_cents(self) -> int:
        return self.period_price_cents + self.proration_cents

    @property
    def due_date(self) -> date:
        return self.period.start


def current_period(subscription: SubscriptionItem) -> Period:
    return Period(subscription.current_period_start, subscription.current_period_end)


def renews(subscription: SubscriptionItem) -> bool:
    return subscription.auto_renew and subscription.status in RENEWING_STATUSES


def renewal_terms(catalog: Catalog, subscription: SubscriptionItem, due_day: int | None,
                  active_members: int, after: date | None = None) -> RenewalTerms | None:
    """None when the subscription will not renew (auto-renewal off, cancelled). `after`: the end of
    the last period already billed, when later than the current period's (invoicing bills ahead of
    payment); the renewal is the period that follows it."""
    if not renews(subscription):
        return None
    product = catalog.product(subscription.product_id)
    periodicity = Periodicity(subscription.periodicity)
    quantity = subscription.quantity
    if product.pricing is Pricing.PER_SEAT:
        quantity = renewal_quantity(subscription.renewal_mode, subscription.quantity, active_members)
    price = period_price(catalog, Plan(product, periodicity, quantity, subscription.storage_gb))
    current = current_period(subscription)
    if after is not None and after > current.end:
        current = Period(current.start, after)
    method = subscription.renewal_payment_method
    if due_day and current.end.day != due_day:
        # A due-day change applies from the next period: the current one keeps its end.
        landed = change_due_day(current, periodicity, due_day, price, subscription.anchor_day)
        return RenewalTerms(landed.period, quantity, subscription.storage_gb, price,
                            landed.proration_cents, method)
    period = next_period(current, periodicity, due_day or subscription.anchor_day)
    return RenewalTerms(period, quantity, subscription.storage_gb, price, 0, method)
