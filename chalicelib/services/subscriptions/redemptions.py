"""Redeeming a coupon (docs/promotions.md): is it redeemable for this product today (a 422 saying
why not), the discount it gives the subscription, and the redemption counted in the use case's
transaction — a conditional update of the coupon's counter, so the last redemption is taken once."""
from datetime import date

from chalicelib.domain.promotions import (
    REFUSAL_MESSAGES, CouponDuration, CouponRefusal, CouponTerms, coupon_refusal, discount_window, normalize_code,
)
from chalicelib.errors import ValidationFailed
from chalicelib.store.coupons import CouponItem, redeem
from chalicelib.store.subscriptions import DiscountAttribute


def refused(reason: CouponRefusal) -> ValidationFailed:
    message = REFUSAL_MESSAGES[reason]
    return ValidationFailed(message, code=reason.value,
                            details={"fields": [{"field": "coupon", "code": reason.value, "message": message}]})


def terms_of(coupon: CouponItem) -> CouponTerms:
    return CouponTerms(CouponDuration(coupon.duration), percent_off=coupon.percent_off,
                       amount_off_cents=coupon.amount_off_cents, duration_months=coupon.duration_months)


class Redemptions:
    def __init__(self, coupons):
        self._coupons = coupons  # store.coupons.CouponRepository

    def redeemable(self, code: str, product_id: str, today: date) -> CouponItem:
        coupon = self._coupons.get(normalize_code(code)) if code and code.strip() else None
        reason = coupon_refusal(
            exists=coupon is not None, active=bool(coupon and coupon.active),
            redeem_by=coupon.redeem_by if coupon else None, today=today,
            max_redemptions=coupon.max_redemptions if coupon else None,
            redemptions=(coupon.redemptions or 0) if coupon else 0,
            product_ids=coupon.product_ids if coupon else None, product_id=product_id)
        if reason is not None:
            raise refused(reason)
        return coupon

    @staticmethod
    def discount(coupon: CouponItem, first_period_start: date) -> DiscountAttribute:
        window = discount_window(terms_of(coupon), first_period_start)
        return DiscountAttribute(coupon_code=coupon.code, duration=coupon.duration, percent_off=coupon.percent_off,
                                 amount_off_cents=coupon.amount_off_cents, duration_months=coupon.duration_months,
                                 product_ids=coupon.product_ids or None, starts=window.starts, ends=window.ends)

    @staticmethod
    def redeem(writes, coupon: CouponItem) -> None:
        """Counted by the database when the transaction commits: if another redemption took the last
        one (or the coupon was deactivated) meanwhile, the whole use case fails with this 422."""
        redeem(writes, coupon, refused(CouponRefusal.EXHAUSTED))
