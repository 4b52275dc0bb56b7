"""The vendor's finance team (token group `finance`): requests of every account, credits, and the
gateway events that could not be read (dead letters)."""
import json

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import decode_cursor, encode_cursor
from chalicelib.api.requests import message_out, request_out
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.admin import CreditIn, CreditOut, DeadLetterOut, DeadLetterPage, DeadLetterProblem
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.schemas.requests import (
    AdminMessageIn, AdminRequestQuery, MessagePage, MessagePosted, RequestPage,
)
from chalicelib.errors import BadRequest
from chalicelib.wiring import container

bp = Blueprint(__name__)
ADMIN_REQUEST = "/v1/admin/requests/{request_id}"


@endpoint(bp, "/v1/admin/requests", "GET", access=Access.FINANCE_STAFF, query=AdminRequestQuery,
          response=RequestPage, tags=["admin"],
          summary="Solicitações de todas as contas por situação, atividade mais recente primeiro.")
def list_all_requests(ctx: RequestContext):
    services = container()
    secret = services.settings.cursor_secret
    scope = f"admin-requests/{ctx.query.status}"
    position = decode_cursor(secret, scope, ctx.query.cursor)
    try:
        after = json.loads(position) if position else None
    except ValueError as exc:  # signed by us, so only a change of format could land here
        raise BadRequest("Cursor de paginação inválido.", code="invalid_cursor") from exc
    items, last = services.requests.by_status(ctx.query.status, ctx.query.limit, after)
    return RequestPage(items=[request_out(r) for r in items],
                       next_cursor=encode_cursor(secret, scope, json.dumps(last) if last else None))


@endpoint(bp, ADMIN_REQUEST + "/messages", "GET", access=Access.FINANCE_STAFF, query=PageQuery,
          response=MessagePage, summary="A conversa de uma solicitação, para a equipe financeira.", tags=["admin"])
def admin_list_messages(ctx: RequestContext, request_id: str):
    services = container()
    request = services.requests.find(request_id)
    secret = services.settings.cursor_secret
    scope = f"admin/{request_id}"
    items, last = services.requests.messages(request.account_id, request_id, ctx.query.limit,
                                             decode_cursor(secret, scope, ctx.query.cursor))
    return MessagePage(items=[message_out(m) for m in items], next_cursor=encode_cursor(secret, scope, last))


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
    account = container().credits.grant(account_id, ctx.body.amount_cents, ctx.body.reason, ctx.actor)
    return CreditOut(account_id=account_id, granted_cents=ctx.body.amount_cents, credit_cents=account.credit_cents)


@endpoint(bp, "/v1/admin/webhook-dead-letters", "GET", access=Access.FINANCE_STAFF, query=PageQuery,
          response=DeadLetterPage, tags=["admin"],
          summary="Eventos de gateway verificados mas ilegíveis (guardados com o corpo), mais recentes primeiro.")
def list_dead_letters(ctx: RequestContext):
    services = container()
    secret = services.settings.cursor_secret
    scope = "admin-dead-letters"
    position = decode_cursor(secret, scope, ctx.query.cursor)
    items, last = services.dead_letters.page(ctx.query.limit, _index_position(position))
    return DeadLetterPage(
        items=[DeadLetterOut(id=item.dead_letter_id, gateway=item.gateway, received_at=item.received_at,
                             event_id=item.event_id, event_type=item.event_type, raw_body=item.raw_body,
                             problems=[DeadLetterProblem(**problem) for problem in item.problem_list])
               for item in items],
        next_cursor=encode_cursor(secret, scope, json.dumps(last) if last else None))


def _index_position(position: str | None) -> dict | None:
    """The index position a cursor carries (gsi1 keys, as JSON)."""
    try:
        return json.loads(position) if position else None
    except ValueError as exc:  # signed by us, so only a change of format could land here
        raise BadRequest("Cursor de paginação inválido.", code="invalid_cursor") from exc
