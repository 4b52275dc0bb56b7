"""Subscriptions, the account's card and its storage usage: live items of the account's collection
(pk = ACCOUNT#<id>; sort keys SUB#<id>, CARD, USAGE). See docs/data-model.md."""
from pynamodb.attributes import (
    BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute,
)

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem

CARD_SK = "CARD"
USAGE_SK = "USAGE"


def subscription_sk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


class PaymentPart(MapAttribute):
    """One payment towards the current period, covering [since, period end)."""

    amount_cents = NumberAttribute()
    since = DateAttribute()


class SubscriptionItem(BillingItem, discriminator="subscription"):
    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    periodicity = UnicodeAttribute()
    quantity = NumberAttribute(default=1)  # licenses purchased (1 for flat products)
    storage_gb = NumberAttribute(default=0)  # storage add-on GB purchased
    status = UnicodeAttribute(default="active")
    current_period_start = DateAttribute()
    current_period_end = DateAttribute()  # exclusive: the renewal date
    anchor_day = NumberAttribute()  # day of month the periods end on (month ends clamp)
    renewal_mode = UnicodeAttribute(default="all")
    auto_renew = BooleanAttribute(default=True)
    payment_method = UnicodeAttribute()  # how the current period is paid
    pending_payment_method = UnicodeAttribute(null=True)  # takes over at current_period_end
    # What was paid for the current period, part by part (the credit of a plan change comes from it).
    period_payments = ListAttribute(of=PaymentPart, default=list)
    # Bumped by every plan or periodicity change: a new plan's first period may start on a day
    # already billed for the old plan, and must still be billable once (see BilledPeriodItem).
    plan_revision = NumberAttribute(default=1)
    version = VersionAttribute()

    @property
    def paid_cents(self) -> int:
        return sum(part.amount_cents for part in self.period_payments)

    @property
    def renewal_payment_method(self) -> str:
        return self.pending_payment_method or self.payment_method


class CardItem(BillingItem, discriminator="card"):
    """The account's single card: only the gateway token and what people need to recognise it."""

    account_id = UnicodeAttribute()
    gateway_token = UnicodeAttribute()
    brand = UnicodeAttribute()
    last4 = UnicodeAttribute()
    exp_month = NumberAttribute()
    exp_year = NumberAttribute()


class UsageItem(BillingItem, discriminator="usage"):
    """Storage used, as last reported by the vendor's product through the internal API."""

    account_id = UnicodeAttribute()
    storage_used_bytes = NumberAttribute(default=0)
