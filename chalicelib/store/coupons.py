"""Coupons of the finance team: one partition (pk = COUPONS, sk = COUPON#<CODE>) of the billing
table — a vendor has tens of coupons, not millions, and the admin list reads them in one Query.

The code is the key, upper-case: creating a code that exists (in any case) fails its condition.
A redemption is one conditional update of the coupon's counter (`redemptions < max_redemptions`,
still active), written in the same transaction as the subscription it discounts: under any
concurrency the last redemption is taken once (tests/integration/test_ddblocal_coupons.py)."""
from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import AppError, Conflict
from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem, transaction
from chalicelib.store.conditions import condition_failed

COUPONS_PK = "COUPONS"


def coupon_sk(code: str) -> str:
    return f"COUPON#{code}"


class CouponItem(BillingItem, discriminator="coupon"):
    code = UnicodeAttribute()  # upper-case (domain.promotions.normalize_code)
    duration = UnicodeAttribute()
    percent_off = NumberAttribute(null=True)
    amount_off_cents = NumberAttribute(null=True)
    duration_months = NumberAttribute(null=True)
    product_ids = ListAttribute(of=UnicodeAttribute, null=True)
    max_redemptions = NumberAttribute(null=True)
    redeem_by = DateAttribute(null=True)  # last day it can be redeemed (São Paulo)
    redemptions = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)  # DELETE turns it off: no new redemptions
    created_by = UnicodeAttribute(null=True)


def new_coupon(code: str, **fields) -> CouponItem:
    return CouponItem(pk=COUPONS_PK, sk=coupon_sk(code), code=code, **fields)


def redemption_condition(coupon: CouponItem):
    """Still active and, when limited, not yet at its limit — judged by DynamoDB on the write."""
    condition = CouponItem.active == True  # noqa: E712 (a PynamoDB condition, not a comparison)
    if coupon.max_redemptions is not None:
        condition &= CouponItem.redemptions < coupon.max_redemptions
    return condition


def redeem(writes, coupon: CouponItem, conflict: AppError) -> None:
    """One more redemption, in the use case's transaction (store.billing.WriteSet)."""
    writes.update(CouponItem(pk=coupon.pk, sk=coupon.sk), [CouponItem.redemptions.add(1)],
                  condition=redemption_condition(coupon), conflict=conflict)


class CouponRepository:
    def get(self, code: str) -> CouponItem | None:
        try:
            return CouponItem.get(COUPONS_PK, coupon_sk(code), consistent_read=True)
        except CouponItem.DoesNotExist:
            return None

    def all(self) -> list[CouponItem]:
        return list(CouponItem.query(COUPONS_PK, CouponItem.sk.startswith("COUPON#")))

    def create(self, coupon: CouponItem, audit) -> None:
        try:
            with transaction() as tx:
                tx.save(coupon, condition=CouponItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise _code_taken(coupon.code) from exc
            raise

    def deactivate(self, coupon: CouponItem, audit) -> None:
        with transaction() as tx:
            tx.update(coupon, actions=[CouponItem.active.set(False)], condition=CouponItem.pk.exists())
            tx.save(audit)
        coupon.active = False


def _code_taken(code: str) -> Conflict:
    return Conflict(f"Já existe um cupom com o código {code}.", code="coupon_code_taken")
