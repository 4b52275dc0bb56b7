"""What a subscription adds to MRR (domain.metrics) and the `mrr` block the events that move it carry
(docs/events.md, docs/metrics.md). Here, below every context that publishes such an event, so each
computes it the same way from the catalog it bills with."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import Periodicity, SubscriptionStatus
from chalicelib.domain.metrics import Position, monthly_recurring_cents
from chalicelib.domain.promotions import CouponDuration, CouponTerms, discount_cents, trial_unpaid
from chalicelib.services.plans.pricing import Plan, period_price

# Statuses in which a subscription still counts in MRR: unpaid is not churned until it is cancelled.
RECURRING_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED,
                                SubscriptionStatus.PENDING_CANCELLATION})


def position_of(catalog: Catalog, subscription, counted: bool | None = None) -> Position:
    """The subscription's product and MRR now: 0 while cancelled, and while it is still in its trial
    (its first paid period not paid yet: `domain.promotions.trial_unpaid`). `counted` overrides the
    status (True: what it added before it was cancelled)."""
    product = catalog.product(subscription.product_id)
    if counted is None:
        counted = subscription.status in RECURRING_STATUSES
    if (product is None or not counted or trial_unpaid(subscription.trial_end, subscription.current_period_end)
            or Periodicity(subscription.periodicity) not in product.prices):
        return Position(subscription.product_id, 0)
    plan = Plan(product, Periodicity(subscription.periodicity), subscription.quantity or 1,
                subscription.storage_gb or 0)
    price = period_price(catalog, plan)
    return Position(subscription.product_id, monthly_recurring_cents(price, plan.periodicity,
                                                                     _permanent_discount(subscription, price)))


def _permanent_discount(subscription, price: int) -> int:
    """A `forever` coupon is a lasting price; `once` and `repeating` ones are promotions of a few
    invoices and leave MRR as it is (docs/metrics.md)."""
    discount = getattr(subscription, "discount", None)
    if discount is None or discount.duration != CouponDuration.FOREVER:
        return 0
    terms = CouponTerms(CouponDuration.FOREVER, percent_off=discount.percent_off,
                        amount_off_cents=discount.amount_off_cents)
    return discount_cents(terms, price)


def positions(catalog: Catalog, subscriptions) -> dict[str, Position]:
    return {s.subscription_id: position_of(catalog, s) for s in subscriptions}


def cancellations_mrr(catalog: Catalog, subscriptions, cancelled_ids: list[str], effective: date) -> dict[str, dict]:
    """The `mrr` blocks of subscriptions cancelled together (already cancelled in `subscriptions`),
    taken one after the other, so the account leaves a product (or Renova) in exactly one of them."""
    return _one_after_the_other(catalog, subscriptions, cancelled_ids, effective, counted_before=True)


def reinstatements_mrr(catalog: Catalog, subscriptions, reinstated_ids: list[str], effective: date) -> dict[str, dict]:
    """The `mrr` blocks of subscriptions brought back together (already active in `subscriptions`):
    reactivations."""
    return _one_after_the_other(catalog, subscriptions, reinstated_ids, effective, counted_before=False)


def _one_after_the_other(catalog: Catalog, subscriptions, ids: list[str], effective: date,
                         counted_before: bool) -> dict[str, dict]:
    current = positions(catalog, subscriptions)
    by_id = {s.subscription_id: s for s in subscriptions}
    pending = [sid for sid in ids if sid in by_id]
    state = current | {sid: position_of(catalog, by_id[sid], counted=counted_before) for sid in pending}
    blocks = {}
    for sid in pending:
        after = state | {sid: current[sid]}
        blocks[sid] = mrr_block(sid, state, after, effective, returning=not counted_before)
        state = after
    return blocks


def changes_mrr(catalog: Catalog, subscriptions, before: dict[str, Position], ids: list[str],
                effective: date) -> dict[str, dict]:
    """The `mrr` blocks of subscriptions whose MRR changed in place (a trial's first period paid,
    licenses renewed or taken back, a `forever` coupon), taken one after the other; `before`: every
    position read before the changes, `subscriptions` already changed. Only the ones that moved."""
    current = positions(catalog, subscriptions)
    pending = [sid for sid in dict.fromkeys(ids) if sid in current and sid in before]
    state = current | {sid: before[sid] for sid in pending}
    blocks = {}
    for sid in pending:
        if state[sid] == current[sid]:
            continue
        after = state | {sid: current[sid]}
        blocks[sid] = mrr_block(sid, state, after, effective)
        state = after
    return blocks


def mrr_block(subscription_id: str, before: dict[str, Position], after: dict[str, Position], effective: date,
              returning: bool = False) -> dict:
    """The `mrr` field of an event: one subscription's MRR before and after the change, and the
    products the account had MRR in before and after (its active-account counts)."""
    empty = Position(None, 0)
    was, now = before.get(subscription_id, empty), after.get(subscription_id, empty)
    return {
        "effective_date": effective.isoformat(),
        "before": {"product_id": was.product_id, "mrr_cents": was.mrr_cents},
        "after": {"product_id": now.product_id or was.product_id, "mrr_cents": now.mrr_cents},
        "returning": returning,
        "account_products_before": sorted({p.product_id for p in before.values() if p.mrr_cents}),
        "account_products_after": sorted({p.product_id for p in after.values() if p.mrr_cents}),
    }


def changed_notice(subscription, changes: list[str], mrr: dict, now):
    """The `subscription.changed` event of a change, as a notice (store/notices.py EVENTS_KIND) to
    write in the change's transaction and publish after its commit (a crash in between: the
    check-overdue run publishes it)."""
    from chalicelib.services.shared.ids import sortable_id
    from chalicelib.store.notices import EVENTS_KIND, new_notice

    notice_id = sortable_id("ntc", now)
    event = changed_event(subscription, changes, mrr, notice_id)
    return new_notice(subscription.account_id, notice_id, EVENTS_KIND, {"events": [event]}, now.date(), now)


def changed_event(subscription, changes: list[str], mrr: dict, occurrence: str) -> dict:
    """A `subscription.changed` event (type, id, data), its id stable across retries of the same
    occurrence: `subscription.changed:<subscription_id>:<occurrence>`."""
    return {"type": "subscription.changed", "id": f"subscription.changed:{subscription.subscription_id}:{occurrence}",
            "data": {"subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                     "periodicity": subscription.periodicity, "quantity": subscription.quantity,
                     "storage_gb": subscription.storage_gb, "changes": changes, "mrr": mrr}}
