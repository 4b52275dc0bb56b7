"""The vendor's finance team (token group `finance`): requests of every account, credits, and the
gateway events that could not be read (dead letters)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.requests import message_out, request_out
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.admin import CreditIn, CreditOut, DeadLetterOut, DeadLetterPage, DeadLetterProblem
from chalicelib.api.schemas.requests import (
    AdminMessageIn, AdminRequestQuery, MessagePage, MessagePosted, RequestPage,
)
from chalicelib.wiring import container

bp = Blueprint(__name__)
ADMIN_REQUEST = "/v1/admin/requests/{request_id}"


@endpoint(bp, "/v1/admin/requests", "GET", access=Access.FINANCE_STAFF, query=AdminRequestQuery,
          cursor_scope="admin-requests/{status}", response=RequestPage, tags=["admin"],
          summary="Solicitações de todas as contas por situação, atividade mais recente primeiro.")
def list_all_requests(ctx: RequestContext):
    items, last = container().requests.by_status(ctx.query.status, ctx.page.limit, ctx.page.after_keys())
    return Paged(RequestPage(items=[request_out(r) for r in items]), last)


@endpoint(bp, ADMIN_REQUEST + "/messages", "GET", access=Access.FINANCE_STAFF, cursor_scope="admin/{request_id}",
          response=MessagePage, summary="A conversa de uma solicitação, para a equipe financeira.", tags=["admin"])
def admin_list_messages(ctx: RequestContext, request_id: str):
    services = container()
    request = services.requests.find(request_id)
    items, last = services.requests.messages(request.account_id, request_id, ctx.page.limit, ctx.page.after)
    return Paged(MessagePage(items=[message_out(m) for m in items]), last)


@endpoint(bp, ADMIN_REQUEST + "/messages", "POST", access=Access.FINANCE_STAFF, body=AdminMessageIn,
          response=MessagePosted, status=201,
          summary="Responde a uma solicitação (e opcionalmente a encerra); a conta recebe um e-mail.",
          tags=["admin"])
def answer_request(ctx: RequestContext, request_id: str):
    request, message = container().requests.answer(request_id, ctx.body.text, ctx.body.close, ctx.actor)
    return MessagePosted(request=request_out(request), message=message_out(message))


@endpoint(bp, "/v1/admin/accounts/{account_id}/credits", "POST", access=Access.FINANCE_STAFF, body=CreditIn,
          response=CreditOut, status=201, summary="Concede crédito à conta, com o motivo.", tags=["admin"])
def grant_credit(ctx: RequestContext, account_id: str):
    account, grant = container().credits.grant(account_id, ctx.body.amount_cents, ctx.body.reason, ctx.actor)
    return CreditOut(id=grant.grant_id, account_id=account_id, granted_cents=ctx.body.amount_cents,
                     credit_cents=account.credit_cents)


@endpoint(bp, "/v1/admin/webhook-dead-letters", "GET", access=Access.FINANCE_STAFF, cursor_scope="admin-dead-letters",
          response=DeadLetterPage, tags=["admin"],
          summary="Eventos de gateway verificados mas ilegíveis (guardados com o corpo), mais recentes primeiro.")
def list_dead_letters(ctx: RequestContext):
    items, last = container().dead_letters.page(ctx.page.limit, ctx.page.after_keys())
    return Paged(DeadLetterPage(
        items=[DeadLetterOut(id=item.dead_letter_id, gateway=item.gateway, received_at=item.received_at,
                             event_id=item.event_id, event_type=item.event_type, raw_body=item.raw_body,
                             problems=[DeadLetterProblem(**problem) for problem in item.problem_list])
               for item in items]), last)
