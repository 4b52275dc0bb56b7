"""Pix Automático: a subscription's recurrence (authorise, read, cancel), the PSP's webhook, and the
local stage's payer's bank (approve / reject through the webhook path) and fake PSP log."""
import json

from chalice import Blueprint
from pydantic import ValidationError

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.pix_automatico import (
    DevPixAnswerOut, DevPixApproveQuery, DevPixRequestOut, DevPixRequestsOut, PixAutomaticoOut, PixWebhookAck, PixWebhookIn,
    PixWebhookItemOut,
)
from chalicelib.errors import BadRequest
from chalicelib.wiring import container

bp = Blueprint(__name__)

PIX_AUTOMATICO = "/v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico"


def authorisation_out(item) -> PixAutomaticoOut:
    import json

    from chalicelib.adapters.pix_automatico.qr_image import qr_data_url

    live = item.status in ("CRIADA",)
    return PixAutomaticoOut(
        subscription_id=item.subscription_id, rec_id=item.rec_id, status=item.status, journey=item.journey,
        qr_payload=item.qr_payload if live else None,
        qr_url=qr_data_url(item.qr_payload) if live and item.qr_payload else None,
        periodicity=item.periodicidade, start_date=item.start, amount=json.loads(item.amount) if item.amount else None,
        status_changed_at=item.status_changed_at, previous_payment_method=item.previous_method,
        first_payment_invoice_id=item.first_invoice_id, first_payment_cents=item.first_cents)


def _items(outcomes) -> list[PixWebhookItemOut]:
    return [PixWebhookItemOut(kind=o.kind, id=o.id, status=o.status, outcome=o.outcome) for o in outcomes]


@endpoint(bp, PIX_AUTOMATICO, "POST", access=Access.PLAN_CHANGE, response=PixAutomaticoOut, status=201,
          tags=["subscriptions"],
          summary="Autoriza o Pix Automático: cria a recorrência no PSP e devolve o QR (Pix copia e cola) para o "
                  "cliente aprovar no app do banco. Aprovada, as renovações passam ao Pix Automático a partir do "
                  "próximo ciclo.")
def post_pix_automatico(ctx: RequestContext, account_id: str, subscription_id: str):
    return authorisation_out(container().pix_automatico.authorise(account_id, subscription_id, ctx.actor))


@endpoint(bp, PIX_AUTOMATICO, "GET", access=Access.PLAN_CHANGE, response=PixAutomaticoOut, tags=["subscriptions"],
          summary="A autorização de Pix Automático da assinatura e seu estado.")
def get_pix_automatico(ctx: RequestContext, account_id: str, subscription_id: str):
    return authorisation_out(container().pix_automatico.read(account_id, subscription_id))


@endpoint(bp, PIX_AUTOMATICO, "DELETE", access=Access.PLAN_CHANGE, response=PixAutomaticoOut,
          tags=["subscriptions"],
          summary="Cancela a recorrência no PSP; as renovações voltam à forma de pagamento anterior.")
def delete_pix_automatico(ctx: RequestContext, account_id: str, subscription_id: str):
    return authorisation_out(container().pix_automatico.cancel(account_id, subscription_id, ctx.actor))


@endpoint(bp, "/v1/webhooks/pix", "POST", access=Access.WEBHOOK, raw_body=True, raw_schema=PixWebhookIn,
          response=PixWebhookAck,
          tags=["webhooks"],
          summary="Notificações do PSP de recorrências (recs) e cobranças recorrentes (cobsr) do Pix Automático: "
                  "mTLS no domínio da API na AWS; cabeçalho X-Webhook-Token no estágio local. Repetidas ou fora "
                  "de ordem não mudam nada.")
def pix_webhook(ctx: RequestContext):
    context = bp.current_request.context or {}
    client_certificate = bool((context.get("identity") or {}).get("clientCert"))
    webhooks = container().pix_webhooks
    token = ctx.headers.get("x-webhook-token")
    webhooks.verify(token, client_certificate)  # before the body is read at all
    _documented_shape(ctx.raw_body)
    return PixWebhookAck(items=_items(webhooks.receive(ctx.raw_body, token, client_certificate)))


def _documented_shape(raw_body: bytes | None) -> None:
    """A delivery the document's schema (PixWebhookIn) refuses is refused whole: 400, nothing applied,
    so the PSP's retry finds nothing half-done. Not JSON at all: `receive` says so."""
    try:
        payload = json.loads(raw_body or b"null")
    except ValueError:
        return
    try:
        PixWebhookIn.model_validate(payload)
    except ValidationError as error:
        where = ".".join(str(part) for part in error.errors()[0]["loc"]) or "corpo"
        raise BadRequest(f"Webhook Pix fora do formato documentado (em {where}).", code="malformed_webhook",
                         details={"field": where}) from error


def _answer(rec_id: str, action: str, payer_max_cents: int | None = None) -> DevPixAnswerOut:
    notification, outcomes = container().dev_pix_automatico.answer(rec_id, action, payer_max_cents)
    return DevPixAnswerOut(rec_id=rec_id, notification=notification, items=_items(outcomes))


@endpoint(bp, "/v1/_dev/pix-automatico/{rec_id}/approve", "POST", access=Access.DEV, query=DevPixApproveQuery,
          response=DevPixAnswerOut, tags=["dev"],
          summary="O banco do pagador aprova a recorrência (com um máximo por pagamento, se informado); chega pelo "
                  "webhook do PSP.")
def dev_pix_approve(ctx: RequestContext, rec_id: str):
    return _answer(rec_id, "approve", ctx.query.max_amount_cents)


@endpoint(bp, "/v1/_dev/pix-automatico/{rec_id}/reject", "POST", access=Access.DEV, response=DevPixAnswerOut,
          tags=["dev"], summary="O banco do pagador rejeita a recorrência; chega pelo webhook do PSP.")
def dev_pix_reject(ctx: RequestContext, rec_id: str):
    return _answer(rec_id, "reject")


@endpoint(bp, "/v1/_dev/pix-automatico", "GET", access=Access.DEV, response=DevPixRequestsOut, tags=["dev"],
          summary="O que o PSP local recebeu, mais recente primeiro.")
def dev_pix_requests(ctx: RequestContext):
    return DevPixRequestsOut(items=[DevPixRequestOut(**{k: v for k, v in item.items()
                                                         if k in DevPixRequestOut.model_fields})
                                    for item in container().dev_pix_automatico.received()])
