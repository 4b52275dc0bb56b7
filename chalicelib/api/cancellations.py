"""Cancelling a subscription under PRODUCT.md §8, what cancelling would do now (the quote, by the same
service code, nothing written), and undoing a scheduled cancellation."""
from datetime import timedelta

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.cancellations import CancellationQuoteOut, CancelIn, CancelOut
from chalicelib.api.schemas.subscriptions import PlanOut
from chalicelib.api.subscriptions import SUBSCRIPTION, plan_out
from chalicelib.wiring import container

bp = Blueprint(__name__)


@endpoint(bp, SUBSCRIPTION + "/cancellation-quote", "GET", access=Access.PLAN_CHANGE, response=CancellationQuoteOut,
          summary="O que o cancelamento faria agora (tipo, data em que passa a valer, estorno, valor ainda devido, "
                  "faturas anuladas, fidelidade), pelas mesmas regras e sem alterar nada.",
          tags=["subscriptions"])
def cancellation_quote(ctx: RequestContext, account_id: str, subscription_id: str):
    services = container()
    ended = services.trials.quote_end(account_id, subscription_id)
    if ended is not None:
        return CancellationQuoteOut(**_trial_effect(subscription_id, ended))
    result = services.cancellations.quote(account_id, subscription_id)
    return CancellationQuoteOut(**_effect(subscription_id, result))


def _trial_effect(subscription_id: str, ended) -> dict:
    """In trial (services/subscriptions/trials.py): ended at once, nothing billed, nothing refunded."""
    return dict(subscription_id=subscription_id, status=ended.subscription.status, kind="trial",
                effective_date=ended.effective_date, refund_cents=0, amount_owed_cents=0,
                voided_invoice_ids=list(ended.voided_invoice_ids))


def _effect(subscription_id: str, result) -> dict:
    """The fields the cancel's answer and its quote share, from a CancellationResult."""
    scheduled = result.subscription.status != "cancelled"
    return dict(subscription_id=subscription_id, status=result.subscription.status, kind=result.kind,
                effective_date=result.effective_date, refund_cents=result.refund_cents,
                amount_owed_cents=result.amount_owed_cents, voided_invoice_ids=list(result.voided_invoice_ids),
                commitment_ends_on=result.commitment_ends_on,
                commitment_months_billed=result.commitment_months_billed,
                undo_until=result.effective_date - timedelta(days=1) if scheduled else None)


@endpoint(bp, SUBSCRIPTION + "/cancel", "POST", access=Access.PLAN_CHANGE, body=CancelIn, response=CancelOut,
          summary="Cancela a assinatura: no período de teste, na hora e sem cobrança; na hora com estorno em até "
                  "7 dias do pagamento; depois, no fim do período (aviso de 30 dias) ou um período depois, com o "
                  "valor ainda devido.",
          tags=["subscriptions"])
def cancel_subscription(ctx: RequestContext, account_id: str, subscription_id: str):
    services = container()
    ended = services.trials.end_if_in_trial(account_id, subscription_id, ctx.actor)
    if ended is not None:
        return CancelOut(**_trial_effect(subscription_id, ended), auto_renew=False)
    result = services.cancellations.cancel(account_id, subscription_id, ctx.body.reason, ctx.actor)
    return CancelOut(**_effect(subscription_id, result), refund_status=result.refund_status,
                     invoice_id=result.invoice_id, auto_renew=result.subscription.auto_renew)


@endpoint(bp, SUBSCRIPTION + "/reactivate", "POST", access=Access.PLAN_CHANGE, response=PlanOut,
          summary="Desfaz um cancelamento agendado (até a véspera da data em que passaria a valer).",
          tags=["subscriptions"])
def reactivate_subscription(ctx: RequestContext, account_id: str, subscription_id: str):
    from chalicelib.services.subscriptions.views import view_of

    services = container()
    snapshot = services.cancellations.reactivate(account_id, subscription_id, ctx.actor)
    return plan_out(view_of(services.catalog, snapshot, snapshot.subscription(subscription_id)))
