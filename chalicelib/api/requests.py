"""Requests to the finance team ("Solicitações"): the account's side. Billing roles only: a member
gets 403, another account 404 (PRODUCT.md §1, §10)."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.requests import (
    MessageIn, MessageOut, MessagePage, MessagePosted, RequestIn, RequestOut, RequestPage,
)
from chalicelib.api.times import in_sao_paulo
from chalicelib.wiring import container

bp = Blueprint(__name__)
REQUESTS = "/v1/accounts/{account_id}/requests"
MESSAGES = REQUESTS + "/{request_id}/messages"


def request_out(request) -> RequestOut:
    return RequestOut(id=request.request_id, account_id=request.account_id, type=request.request_type,
                      status=request.status, text=request.text, opened_by=request.opened_by,
                      created_at=in_sao_paulo(request.created_at),
                      last_activity_at=in_sao_paulo(request.last_activity_at),
                      message_count=request.message_count)


def message_out(message) -> MessageOut:
    return MessageOut(id=message.message_id, request_id=message.request_id, author=message.author,
                      author_id=message.author_id, text=message.text,
                      created_at=in_sao_paulo(message.created_at))


@endpoint(bp, REQUESTS, "POST", access=Access.BILLING, body=RequestIn, response=RequestOut, status=201,
          summary="Abre uma solicitação à equipe financeira (nota fiscal, licenças, outro).", tags=["requests"])
def open_request(ctx: RequestContext, account_id: str):
    return request_out(container().requests.open(account_id, ctx.body.type, ctx.body.text, ctx.actor))


@endpoint(bp, REQUESTS, "GET", access=Access.BILLING, cursor_scope="{account_id}", response=RequestPage,
          summary="Solicitações da conta, da mais nova para a mais antiga.", tags=["requests"])
def list_requests(ctx: RequestContext, account_id: str):
    items, last = container().requests.list(account_id, ctx.page.limit, ctx.page.after)
    return Paged(RequestPage(items=[request_out(r) for r in items]), last)


@endpoint(bp, MESSAGES, "GET", access=Access.BILLING, cursor_scope="{account_id}/{request_id}", response=MessagePage,
          summary="Mensagens da solicitação, da mais antiga para a mais nova.", tags=["requests"])
def list_messages(ctx: RequestContext, account_id: str, request_id: str):
    items, last = container().requests.messages(account_id, request_id, ctx.page.limit, ctx.page.after)
    return Paged(MessagePage(items=[message_out(m) for m in items]), last)


@endpoint(bp, MESSAGES, "POST", access=Access.BILLING, body=MessageIn, response=MessagePosted, status=201,
          summary="Escreve na solicitação; ela volta a aguardar a equipe financeira.", tags=["requests"])
def post_message(ctx: RequestContext, account_id: str, request_id: str):
    request, message = container().requests.customer_message(account_id, request_id, ctx.body.text, ctx.actor)
    return MessagePosted(request=request_out(request), message=message_out(message))
