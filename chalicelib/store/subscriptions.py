"""Subscriptions, the account's card, its customer at the card gateway and its storage usage: live
items of the account's collection (pk = ACCOUNT#<id>; sort keys SUB#<id>, CARD, GATEWAY_CUSTOMER,
USAGE, TRIAL#<product>). See docs/data-model.md."""
from pynamodb.attributes import (
    BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute,
)

from pynamodb.exceptions import TransactWriteError

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem, transaction
from chalicelib.store.conditions import condition_failed
from chalicelib.store.due import day_partitions, due_pk

CARD_SK = "CARD"
GATEWAY_CUSTOMER_SK = "GATEWAY_CUSTOMER"
USAGE_SK = "USAGE"
# `due` index kind of subscriptions whose next renewal the invoicing job bills on a day.
RENEWAL_ISSUE_KIND = "ISSUE"


def subscription_sk(subscription_id: str) -> str:
    return f"SUB#{subscription_id}"


def renewal_issue_due(account_id: str, subscription_id: str, day) -> dict:
    """The `due` attributes that list a subscription for the issue-invoices run of `day` (sharded
    by account: one account's subscriptions share a partition)."""
    return {"due_pk": due_pk(RENEWAL_ISSUE_KIND, day, account_id), "due_sk": f"{account_id}#{subscription_id}"}


class PaymentPart(MapAttribute):
    """One payment towards the current period, covering [since, period end)."""

    amount_cents = NumberAttribute()
    since = DateAttribute()


class DiscountAttribute(MapAttribute):
    """A coupon redeemed on the subscription: its terms as they were when redeemed (deleting the
    coupon later stops new redemptions, not this one) and the periods it covers (domain.promotions)."""

    coupon_code = UnicodeAttribute()
    duration = UnicodeAttribute()  # once | repeating | forever
    percent_off = NumberAttribute(null=True)
    amount_off_cents = NumberAttribute(null=True)
    duration_months = NumberAttribute(null=True)
    product_ids = ListAttribute(of=UnicodeAttribute, null=True)
    starts = DateAttribute()  # the first period it covers starts on this day
    ends = DateAttribute(null=True)  # exclusive; none: forever


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
    # Invoicing: the exclusive end of the last renewal period billed — the period itself
    # only advances when paid (settlement) — and how many renewals were billed (a fixed_term
    # contract stops at its installments). The `due` index lists it under ISSUE#<day> for the run
    # that bills its next renewal (services/plans/invoice_schedule.py).
    billed_through = DateAttribute(null=True)
    renewals_billed = NumberAttribute(default=0)
    # Set by the overdue rules when they cancel it (domain.reinstatement.NON_PAYMENT): paying its debt
    # within the retention window reinstates it; a customer's cancellation leaves it empty.
    cancellation_cause = UnicodeAttribute(null=True)
    # Trial (domain.promotions): the first paid period starts on this day; until then the current
    # period is the trial, unpaid and not invoiced. Kept afterwards, for the history.
    trial_end = DateAttribute(null=True)
    discount = DiscountAttribute(null=True)
    version = VersionAttribute()

    @property
    def paid_cents(self) -> int:
        return sum(part.amount_cents for part in self.period_payments)

    @property
    def renewal_payment_method(self) -> str:
        return self.pending_payment_method or self.payment_method


def trial_sk(product_id: str) -> str:
    return f"TRIAL#{product_id}"


class TrialItem(BillingItem, discriminator="trial"):
    """One per account and product, ever: created (on condition that it does not exist) in the
    transaction that starts a trial, never deleted while the account lives. While the reminder is due
    it sits on the `due` index under TRIAL_REMINDER#<day> (the send-reminders job's list); sending the
    reminder takes it off."""

    account_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    trial_end = DateAttribute()
    reminded_on = DateAttribute(null=True)


# `due` index kind of trials whose reminder e-mail the send-reminders job sends on a day.
TRIAL_REMINDER_KIND = "TRIAL_REMINDER"


def trial_reminder_due(account_id: str, product_id: str, day) -> dict:
    return {"due_pk": due_pk(TRIAL_REMINDER_KIND, day, account_id), "due_sk": f"{account_id}#{product_id}"}


class CardItem(BillingItem, discriminator="card"):
    """The account's single card: only the gateway token and what people need to recognise it."""

    account_id = UnicodeAttribute()
    gateway_token = UnicodeAttribute()
    brand = UnicodeAttribute()
    last4 = UnicodeAttribute()
    exp_month = NumberAttribute()
    exp_year = NumberAttribute()
    # The account's customer at the gateway the token is attached to (charged off session with it).
    gateway_customer = UnicodeAttribute(null=True)


class GatewayCustomerItem(BillingItem, discriminator="gateway_customer"):
    """The account's customer at the card gateway, created with its first card and kept when the card
    is removed, so a later card joins the same customer instead of creating another."""

    account_id = UnicodeAttribute()
    gateway = UnicodeAttribute()
    customer_ref = UnicodeAttribute()


class UsageItem(BillingItem, discriminator="usage"):
    """Storage used, as last reported by the vendor's product through the internal API."""

    account_id = UnicodeAttribute()
    storage_used_bytes = NumberAttribute(default=0)


class TrialRepository:
    """The send-reminders job's list of trials ending soon (the `due` index), and the reminder's claim."""

    def due_on(self, day) -> list[TrialItem]:
        return [item for partition in day_partitions(TRIAL_REMINDER_KIND, day)
                for item in TrialItem.due_index.query(partition) if isinstance(item, TrialItem)]

    def claim_reminder(self, trial: TrialItem, day, audit) -> bool:
        """Off the list with `reminded_on` set, on condition that it is still on it, with its audit
        entry: False when another run claimed it first."""
        try:
            with transaction() as tx:
                tx.update(trial, actions=[TrialItem.reminded_on.set(day), TrialItem.due_pk.remove(),
                                          TrialItem.due_sk.remove()], condition=TrialItem.due_pk.exists())
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True
