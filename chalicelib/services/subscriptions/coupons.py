"""The finance team's coupons (docs/promotions.md): create (code unique, case-insensitive), list with
their redemptions, and delete — which only stops new redemptions: subscriptions that redeemed the
coupon keep its discount for the duration they got. Every change is audited under the vendor's own
audit trail (COUPON_AUDIT_ACCOUNT)."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.errors import DomainError
from chalicelib.domain.promotions import CouponDuration, CouponTerms, normalize_code
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.coupons import CouponItem, new_coupon

# The audit trail of the vendor's own changes (coupons belong to no customer account).
COUPON_AUDIT_ACCOUNT = "vendor"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$"


@dataclass(frozen=True)
class NewCoupon:
    code: str
    duration: CouponDuration
    percent_off: int | None = None
    amount_off_cents: int | None = None
    duration_months: int | None = None
    product_ids: list[str] | None = None
    max_redemptions: int | None = None
    redeem_by: date | None = None


class CouponService:
    def __init__(self, coupons, catalog, clock):
        self._coupons = coupons  # store.coupons.CouponRepository
        self._catalog = catalog
        self._clock = clock

    def create(self, request: NewCoupon, actor: str) -> CouponItem:
        try:
            CouponTerms(CouponDuration(request.duration), percent_off=request.percent_off,
                        amount_off_cents=request.amount_off_cents, duration_months=request.duration_months)
        except DomainError as error:
            raise ValidationFailed(str(error), code="invalid_coupon_terms") from error
        unknown = [p for p in request.product_ids or [] if self._catalog.product(p) is None]
        if unknown:
            message = f"Produto(s) inexistente(s) no catálogo: {', '.join(unknown)}."
            raise ValidationFailed(message, code="unknown_product", details={
                "fields": [{"field": "product_ids", "code": "unknown_product", "message": message}]})
        if request.redeem_by is not None and request.redeem_by < self._clock.today():
            message = "A data limite de resgate (redeem_by) já passou."
            raise ValidationFailed(message, code="redeem_by_past", details={
                "fields": [{"field": "redeem_by", "code": "redeem_by_past", "message": message}]})
        code = normalize_code(request.code)
        coupon = new_coupon(code, duration=CouponDuration(request.duration).value, percent_off=request.percent_off,
                            amount_off_cents=request.amount_off_cents, duration_months=request.duration_months,
                            product_ids=list(request.product_ids) if request.product_ids else None,
                            max_redemptions=request.max_redemptions, redeem_by=request.redeem_by,
                            redemptions=0, active=True, created_by=actor, created_at=self._clock.now())
        self._coupons.create(coupon, audit_entry(self._clock, COUPON_AUDIT_ACCOUNT, actor=actor,
                                                 action="coupon.created", target=code, after=summary(coupon)))
        return coupon

    def all(self) -> list[CouponItem]:
        return sorted(self._coupons.all(), key=lambda c: c.code)

    def delete(self, code: str, actor: str) -> CouponItem:
        coupon = self._coupons.get(normalize_code(code))
        if coupon is None:
            raise NotFound("Cupom não encontrado.", code="coupon_not_found")
        if coupon.active:
            self._coupons.deactivate(coupon, audit_entry(
                self._clock, COUPON_AUDIT_ACCOUNT, actor=actor, action="coupon.deactivated", target=coupon.code,
                before={"active": True}, after={"active": False, "redemptions": coupon.redemptions}))
        return coupon


def summary(coupon: CouponItem) -> dict:
    return {"code": coupon.code, "duration": coupon.duration, "percent_off": coupon.percent_off,
            "amount_off_cents": coupon.amount_off_cents, "duration_months": coupon.duration_months,
            "product_ids": coupon.product_ids, "max_redemptions": coupon.max_redemptions,
            "redeem_by": coupon.redeem_by.isoformat() if coupon.redeem_by else None}
