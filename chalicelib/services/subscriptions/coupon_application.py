"""A coupon applied to a subscription after subscribing (`POST .../coupon`): it discounts the periods
not billed yet — from the trial's end during a trial, otherwise from the next renewal the invoicing
job has not issued — for its duration. One coupon per subscription at a time; the redemption is
counted in the same transaction as the subscription (services/subscriptions/redemptions.py). A
`forever` coupon lowers the subscription's MRR from today: its `subscription.changed` event is written
as a notice in the same transaction and published after the commit (docs/metrics.md)."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.errors import Conflict
from chalicelib.services.plans.invoice_schedule import next_renewal_start
from chalicelib.services.plans.recurring import changed_notice, changes_mrr, positions
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.subscriptions.redemptions import Redemptions
from chalicelib.services.subscriptions.subscription_rules import live_subscription
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem


def first_discounted_period_start(subscription: SubscriptionItem) -> date:
    """The start of the first period a coupon applied today can still discount: the first one not
    invoiced yet (during a trial whose first invoice is not issued yet, the trial's end)."""
    return next_renewal_start(subscription)


def has_running_discount(subscription: SubscriptionItem, today: date) -> bool:
    discount = subscription.discount
    if discount is None:
        return False
    return discount.ends is None or max(today, next_renewal_start(subscription)) < discount.ends


class CouponApplication:
    def __init__(self, repository, catalog: Catalog, clock, coupons, notices):
        """`notices`: InvoiceNotices, which publishes the events a change recorded as a notice."""
        self._notices = notices
        self._repo = repository
        self._catalog = catalog
        self._clock = clock
        self._redemptions = Redemptions(coupons)

    def apply(self, account_id: str, subscription_id: str, code: str, actor: str) -> AccountSnapshot:
        return retrying(lambda: self._apply(account_id, subscription_id, code, actor))

    def _apply(self, account_id: str, subscription_id: str, code: str, actor: str) -> AccountSnapshot:
        clock = frozen(self._clock)
        today = clock.today()
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = live_subscription(snapshot, subscription_id)
        if not subscription.auto_renew:
            raise Conflict("A assinatura não será renovada: não há próximas faturas para o cupom descontar.",
                           code="subscription_not_renewing")
        if has_running_discount(subscription, today):
            raise Conflict(f"A assinatura já tem o cupom {subscription.discount.coupon_code} em vigor; só é "
                           "possível um cupom por vez.", code="coupon_already_applied")
        coupon = self._redemptions.redeemable(code, subscription.product_id, today)
        before = {"coupon": subscription.discount.coupon_code if subscription.discount else None}
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        subscription.discount = self._redemptions.discount(coupon, first_discounted_period_start(subscription))
        writes = self._repo.writes()
        writes.save(subscription)
        self._redemptions.redeem(writes, coupon)
        discount = subscription.discount
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.coupon_applied",
                                target=subscription_id, before=before, after={
                                    "coupon": coupon.code, "starts": discount.starts.isoformat(),
                                    "ends": discount.ends.isoformat() if discount.ends else None,
                                    "duration": discount.duration, "percent_off": discount.percent_off,
                                    "amount_off_cents": discount.amount_off_cents}))
        mrr = changes_mrr(self._catalog, snapshot.subscriptions, mrr_before, [subscription_id], today)
        changed = changed_notice(subscription, ["coupon"], mrr[subscription_id], clock.now()) if mrr else None
        if changed is not None:
            writes.create(changed)
        writes.commit()
        if changed is not None:
            self._notices.publish_events(changed)
        return snapshot
