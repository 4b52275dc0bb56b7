"""The `endpoint` decorator: every route is declared once with its access rule and its pydantic
models. The same declaration drives parsing, authorization, error mapping, logging and the OpenAPI
document, so no handler repeats any of it."""
import logging
import re
import uuid
from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Callable

from chalice import Blueprint, IAMAuthorizer, Response
from pydantic import BaseModel

from chalicelib.api import access as access_rules
from chalicelib.api import cors
from chalicelib.api.access import Access
from chalicelib.api.auth import Principal, bearer_token, verify_internal_token, verify_token
from chalicelib.api.idempotency import guard_for
from chalicelib.api.pagination import Page, Paged, decode_cursor, encode_cursor
from chalicelib.api.responses import error_response, internal_error_response, json_response
from chalicelib.api.schemas.common import PageQuery
from chalicelib.api.validation import parse_json_body, refuse_card_numbers, validate_body, validate_model
from chalicelib.domain.errors import DomainError
from chalicelib.errors import AppError, Forbidden, NotFound, PayloadTooLarge, ValidationFailed
from chalicelib.observability.logging import account_id_var, get_logger, log_event, request_id_var
from chalicelib.wiring import container

_log = get_logger("api")
_PATH_PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class EndpointSpec:
    path: str
    method: str
    access: Access
    summary: str
    handler_name: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    tags: tuple[str, ...] = ()
    raw_body: bool = False  # the handler reads the raw bytes itself (webhooks, bank files)
    # The documented JSON shape of a raw body the handler reads itself (a webhook verifies the bytes
    # before it parses them): in the OpenAPI document only, never parsed here. A function returning the
    # model (imported there) keeps it out of `import app`; openapi.raw_schema_of resolves either.
    raw_schema: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    # A list route: what its cursors are signed for, formatted with the path parameters, the query's
    # fields and `user` (the caller), so a cursor from another account, list or caller is refused.
    cursor_scope: str | None = None
    # A route answering something other than JSON (a CSV file): its media type, for the OpenAPI document.
    media_type: str | None = None

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


@dataclass
class RequestContext:
    request_id: str
    headers: Any
    raw_body: bytes
    principal: Principal | None = None
    member: Any = None
    body: Any = None
    query: Any = None
    page: Page | None = None  # list routes only: the verified cursor and the limit
    extra: dict = field(default_factory=dict)

    @property
    def actor(self) -> str:
        return self.principal.user_id if self.principal else "system"


ENDPOINTS: list[EndpointSpec] = []


def endpoint(bp: Blueprint, path: str, method: str, *, access: Access, summary: str,
             body=None, query=None, response=None, status: int = 200, tags=(), raw_body=False, raw_schema=None,
             cursor_scope: str | None = None, media_type: str | None = None):
    """`cursor_scope` makes a list route: the handler gets `ctx.page` and returns a `Paged`.
    `media_type`: the handler returns a Response of that type instead of JSON."""
    if cursor_scope is not None:
        query = query or PageQuery
        _check_list_route(path, cursor_scope, query, response)
    spec = EndpointSpec(path=path, method=method, access=access, summary=summary, body=body,
                        query=query, response=response, status=status, tags=tuple(tags),
                        raw_body=raw_body, raw_schema=raw_schema, cursor_scope=cursor_scope, handler_name="",
                        media_type=media_type)

    def decorator(handler: Callable):
        registered = EndpointSpec(**{**spec.__dict__, "handler_name": handler.__name__})
        ENDPOINTS.append(registered)
        route_kwargs = {"methods": [method], "content_types": ["*/*"]}
        if access is Access.INTERNAL:
            route_kwargs["authorizer"] = IAMAuthorizer()

        def view(**path_params):
            return _handle(bp, registered, handler, path_params)

        view.__name__ = handler.__name__
        bp.route(path, **route_kwargs)(view)
        return handler

    return decorator


def _check_list_route(path: str, cursor_scope: str, query: type[BaseModel], response) -> None:
    """Fails at import, not on the first request, when a list route is declared wrong."""
    if not issubclass(query, PageQuery):
        raise TypeError(f"{path}: a list route's query must extend PageQuery (cursor and limit)")
    if response is None or "next_cursor" not in response.model_fields:
        raise TypeError(f"{path}: a list route's response must have a next_cursor")
    known = set(_PATH_PARAM.findall(path)) | set(query.model_fields) | {"user"}
    unknown = {name for _, name, _, _ in Formatter().parse(cursor_scope) if name is not None} - known
    if unknown:
        raise TypeError(f"{path}: the cursor scope names {sorted(unknown)}, neither path nor query fields")


def _handle(bp: Blueprint, spec: EndpointSpec, handler: Callable, path_params: dict) -> Response:
    request = bp.current_request
    request_id = (request.context or {}).get("requestId") or uuid.uuid4().hex
    request_id_var.set(request_id)
    account_id_var.set(path_params.get("account_id"))
    headers = {"X-Request-Id": request_id, **cors.response_headers(request.headers)}
    ctx = RequestContext(request_id=request_id, headers=request.headers, raw_body=request.raw_body or b"")
    response = _respond(spec, handler, ctx, request, path_params, headers)
    guard = ctx.extra.get("idempotency")
    if guard is not None:
        guard.finish(response)
    return response


def _respond(spec: EndpointSpec, handler: Callable, ctx: RequestContext, request, path_params: dict,
             headers: dict) -> Response:
    try:
        result = _run(spec, handler, ctx, request, path_params)
    except DomainError as error:  # a billing rule refused the values: 422 with the rule's message
        return _refused(spec, ValidationFailed(str(error), code="business_rule_violated"), headers)
    except AppError as error:
        return _refused(spec, error, headers)
    except Exception as error:  # noqa: BLE001 — the last line of defence: log it, answer in the error shape
        from chalicelib.store.base import store_busy  # the store loads only when a route needs it

        busy = store_busy(error)  # DynamoDB still busy after the retries: 429 or 409, not 500
        if busy is not None:
            _log.warning("store busy", extra={"fields": {"method": spec.method, "path": spec.path,
                                                         "code": busy.code}})
            return _refused(spec, busy, headers)
        _log.exception("unhandled error", extra={"fields": {"method": spec.method, "path": spec.path}})
        return internal_error_response(headers)
    if isinstance(result, Response):
        result.headers = {**headers, **(result.headers or {})}
        return result
    return json_response(result, spec.status, headers)


def _refused(spec: EndpointSpec, error: AppError, headers: dict) -> Response:
    log_event(_log, "request refused", logging.INFO, method=spec.method, path=spec.path,
              status=error.status, code=error.code)
    return error_response(error, headers)


def _run(spec: EndpointSpec, handler: Callable, ctx: RequestContext, request, path_params: dict):
    services = container()
    settings = services.settings
    if spec.access is Access.DEV and not settings.is_local:
        raise NotFound("Rota não encontrada.", code="route_not_found")
    if spec.access is Access.INTERNAL:
        verify_internal_token(request.headers, settings)
    elif spec.access not in (Access.PUBLIC, Access.WEBHOOK, Access.DEV):
        ctx.principal = verify_token(bearer_token(request.headers), settings)
    if spec.access is Access.FINANCE_STAFF and not ctx.principal.is_finance_staff:
        raise Forbidden("Apenas a equipe financeira pode usar esta rota.", code="finance_only")
    if spec.access in access_rules.PARTNER_ROLES:
        ctx.member = services.client_access.authorize(
            ctx.principal, path_params["account_id"], access_rules.ACCOUNT_ROLES[spec.access],
            access_rules.PARTNER_ROLES[spec.access])
    elif spec.access.account_scoped:
        ctx.member = services.memberships.authorize(
            ctx.principal, path_params["account_id"], access_rules.ACCOUNT_ROLES[spec.access])
    if spec.body is not None:
        data = parse_json_body(request.headers, ctx.raw_body, settings.max_body_bytes)
        refuse_card_numbers(spec.body, data)
        ctx.body = validate_body(spec.body, data)
    elif len(ctx.raw_body) > settings.max_body_bytes:
        raise PayloadTooLarge()
    if spec.query is not None:
        ctx.query = validate_model(spec.query, dict(request.query_params or {}))
    if spec.cursor_scope is not None:
        scope = _cursor_scope(spec, ctx, path_params)
        ctx.page = Page(limit=ctx.query.limit, after=decode_cursor(settings.cursor_secret, scope, ctx.query.cursor))
    guard = guard_for(spec, ctx, request, path_params, services.idempotency_repository)
    if guard is not None:
        replay = guard.begin()
        if replay is not None:
            return replay
        ctx.extra["idempotency"] = guard
    result = handler(ctx, **path_params)
    if spec.cursor_scope is not None:
        if not isinstance(result, Paged):
            raise TypeError(f"{spec.handler_name} is a list route: it must return a Paged")
        next_cursor = encode_cursor(settings.cursor_secret, scope, result.position())
        return result.body.model_copy(update={"next_cursor": next_cursor})
    return result


def _cursor_scope(spec: EndpointSpec, ctx: RequestContext, path_params: dict) -> str:
    fields = {name: getattr(ctx.query, name) for name in type(ctx.query).model_fields}
    fields.update(path_params)
    if ctx.principal is not None:
        fields["user"] = ctx.principal.user_id
    return spec.cursor_scope.format_map(fields)

