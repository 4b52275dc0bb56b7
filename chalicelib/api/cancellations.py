"""Cancelling a subscription under PRODUCT.md §8, and undoing a scheduled cancellation."""
from datetime import timedelta

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.cancellations import CancelIn, CancelOut
from chalicelib.api.schemas.subscriptions import PlanOut
from chalicelib.api.subscriptions import SUBSCRIPTION, plan_out
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, SUBSCRIPTION + "/cancel", "POST", access=Access.PLAN_CHANGE, body=CancelIn, response=CancelOut,
          summary="Cancela a assinatura: na hora com estorno em até 7 dias do pagamento; depois, no fim do "
                  "período (aviso de 30 dias) ou um período depois, com o valor ainda devido.",
          tags=["subscriptions"])
def cancel_subscription(ctx: RequestContext, account_id: str, subscription_id: str):
    result = container().cancellations.cancel(account_id, subscription_id, ctx.body.reason, ctx.actor)
    subscription = result.subscription
    scheduled = subscription.status != "cancelled"
    return CancelOut(
        subscription_id=subscription_id, status=subscription.status, kind=result.kind,
        effective_date=result.effective_date, refund_cents=result.refund_cents, refund_status=result.refund_status,
        amount_owed_cents=result.amount_owed_cents, invoice_id=result.invoice_id,
        voided_invoice_ids=list(result.voided_invoice_ids),
        commitment_ends_on=result.commitment_ends_on, commitment_months_billed=result.commitment_months_billed,
        undo_until=result.effective_date - timedelta(days=1) if scheduled else None,
        auto_renew=subscription.auto_renew)


@endpoint(bp, SUBSCRIPTION + "/reactivate", "POST", access=Access.PLAN_CHANGE, response=PlanOut,
          summary="Desfaz um cancelamento agendado (até a véspera da data em que passaria a valer).",
          tags=["subscriptions"])
def reactivate_subscription(ctx: RequestContext, account_id: str, subscription_id: str):
    from chalicelib.services.subscriptions.views import view_of

    services = container()
    snapshot = services.cancellations.reactivate(account_id, subscription_id, ctx.actor)
    return plan_out(view_of(services.catalog, snapshot, snapshot.subscription(subscription_id)))
