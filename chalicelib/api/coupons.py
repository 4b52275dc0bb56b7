"""Coupons: the finance team (token group `finance`) creates, lists and deletes them; an account's
owner or admin applies one to a subscription (subscribing also takes `coupon`). docs/promotions.md."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.coupons import CouponApplyIn, CouponIn, CouponList, CouponOut
from chalicelib.api.schemas.subscriptions import PlanOut
from chalicelib.api.subscriptions import SUBSCRIPTION, plan_from
from chalicelib.wiring import container

bp = Blueprint(__name__)
COUPONS = "/v1/admin/coupons"


def coupon_out(coupon) -> CouponOut:
    return CouponOut(code=coupon.code, percent_off=coupon.percent_off, amount_off_cents=coupon.amount_off_cents,
                     duration=coupon.duration, duration_months=coupon.duration_months,
                     product_ids=coupon.product_ids or None, max_redemptions=coupon.max_redemptions,
                     redeem_by=coupon.redeem_by, redemptions=coupon.redemptions or 0, active=bool(coupon.active))


@endpoint(bp, COUPONS, "POST", access=Access.FINANCE_STAFF, body=CouponIn, response=CouponOut, status=201,
          summary="Cria um cupom de desconto (percentual ou valor fixo; uma vez, por N meses ou para sempre).",
          tags=["admin"])
def create_coupon(ctx: RequestContext):
    from chalicelib.services.subscriptions.coupons import NewCoupon

    coupon = container().coupons.create(NewCoupon(**ctx.body.model_dump()), ctx.actor)
    return coupon_out(coupon)


@endpoint(bp, COUPONS, "GET", access=Access.FINANCE_STAFF, cursor_scope="admin-coupons", response=CouponList,
          summary="Cupons, em ordem de código, com os resgates feitos.", tags=["admin"])
def list_coupons(ctx: RequestContext):
    after, limit = ctx.page.after, ctx.page.limit
    coupons = [c for c in container().coupons.all() if after is None or c.code > after][:limit + 1]
    more = len(coupons) > limit
    coupons = coupons[:limit]
    return Paged(CouponList(items=[coupon_out(c) for c in coupons]), coupons[-1].code if more else None)


@endpoint(bp, COUPONS + "/{code}", "DELETE", access=Access.FINANCE_STAFF, response=CouponOut,
          summary="Desativa o cupom: não aceita novos resgates; quem já resgatou mantém o desconto.",
          tags=["admin"])
def delete_coupon(ctx: RequestContext, code: str):
    return coupon_out(container().coupons.delete(code, ctx.actor))


@endpoint(bp, SUBSCRIPTION + "/coupon", "POST", access=Access.PLAN_CHANGE, body=CouponApplyIn, response=PlanOut,
          summary="Aplica um cupom à assinatura: desconta as próximas faturas que a duração do cupom cobre.",
          tags=["subscriptions"])
def apply_coupon(ctx: RequestContext, account_id: str, subscription_id: str):
    snapshot = container().coupon_application.apply(account_id, subscription_id, ctx.body.code, ctx.actor)
    return plan_from(snapshot, subscription_id)
