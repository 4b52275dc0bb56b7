"""The discount line of a coupon redeemed on a subscription (docs/promotions.md): its own invoice line
(`kind: discount`), on every invoice that bills a period the coupon covers — the first period at
subscribing, each renewal the invoicing job bills, a plan change's new period, a re-priced period —
so what the customer pays, and what settlement records as received for the period, is the discounted
amount. Never more than the period's charges (domain.promotions.discount_cents)."""
from collections.abc import Sequence

from chalicelib.domain.periods import Period
from chalicelib.domain.promotions import CouponDuration, CouponTerms, DiscountWindow, discount_cents
from chalicelib.services.invoicing.orders import Line

DISCOUNT = "discount"
DISCOUNTED_KINDS = frozenset({"subscription", "addon", "proration"})


def coupon_terms(discount) -> CouponTerms:
    """The terms a subscription's discount (store DiscountAttribute) was redeemed with."""
    return CouponTerms(CouponDuration(discount.duration), percent_off=discount.percent_off,
                       amount_off_cents=discount.amount_off_cents, duration_months=discount.duration_months)


def discount_window(discount) -> DiscountWindow:
    return DiscountWindow(discount.starts, discount.ends)


def applies(discount, product_id: str, period_start) -> bool:
    """The discount covers the period starting on `period_start` of a plan of `product_id`."""
    if discount is None:
        return False
    if discount.product_ids and product_id not in discount.product_ids:
        return False
    return discount_window(discount).covers(period_start)


def discount_line(discount, product_id: str, lines: Sequence[Line], subscription_id: str,
                  period: Period) -> Line | None:
    """The line taking the coupon off the subscription's charges for `period` among `lines`, or None
    when the coupon does not cover that period (or there is nothing to discount)."""
    if not applies(discount, product_id, period.start):
        return None
    base = sum(line.amount_cents for line in lines if line.subscription_id == subscription_id
               and line.kind in DISCOUNTED_KINDS and line.period_start == period.start)
    off = discount_cents(coupon_terms(discount), base)
    if not off:
        return None
    terms = coupon_terms(discount)
    return Line(f"Desconto — cupom {discount.coupon_code} ({terms.describe()})", -off, DISCOUNT,
                subscription_id, period.start, period.end)


def discounted_price(discount, product_id: str, period_start, price_cents: int) -> int:
    """One period's price after the coupon, when it covers the period starting on `period_start`."""
    if not applies(discount, product_id, period_start):
        return price_cents
    return price_cents - discount_cents(coupon_terms(discount), price_cents)
