"""Answers that no route of ours produced, in the error shape of API.md.

Chalice answers some requests itself, before or around our views: a method the path does not have
(405 `{"Code": "MethodNotAllowedError", ...}`), a bad request it refuses, an unexpected error. The
`http` middleware `errors_in_error_shape` rewrites those bodies; the local gateway
(scripts/local_api.py) uses `fallback_response` for what `chalice local` answers on its own (unknown
paths); API Gateway's own answers are gateway responses of the template (infra/build_resources.py),
built from the same `FALLBACK_ERRORS`. Nothing here ever repeats a request header (a token).
"""
import uuid

from chalice import Response

from chalicelib.api import cors
from chalicelib.api.responses import error_body, json_response

# status -> (code, pt-BR message) for answers that did not come from a route of ours.
FALLBACK_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Requisição inválida."),
    401: ("unauthorized", "Autenticação necessária ou token inválido."),
    403: ("forbidden", "Acesso negado."),
    404: ("route_not_found", "Rota não encontrada."),
    405: ("method_not_allowed", "Método não permitido nesta rota."),
    408: ("request_timeout", "A requisição demorou demais para chegar; tente novamente."),
    413: ("payload_too_large", "O corpo da requisição é grande demais."),
    414: ("uri_too_long", "O endereço da requisição é longo demais."),
    415: ("unsupported_media_type", "Envie o corpo como application/json."),
    429: ("too_many_requests", "Muitas requisições; tente novamente em instantes."),
    431: ("headers_too_large", "Os cabeçalhos da requisição são grandes demais."),
    500: ("internal_error", "Erro interno. Tente novamente; se persistir, contate o suporte."),
    502: ("bad_gateway", "O serviço não respondeu corretamente; tente novamente em instantes."),
    503: ("service_unavailable", "Serviço indisponível; tente novamente em instantes."),
    504: ("gateway_timeout", "O serviço demorou demais para responder; tente novamente em instantes."),
}


def fallback_error(status: int) -> tuple[str, str]:
    if status in FALLBACK_ERRORS:
        return FALLBACK_ERRORS[status]
    return FALLBACK_ERRORS[500] if status >= 500 else FALLBACK_ERRORS[400]


def fallback_response(status: int, request_headers, request_id: str | None = None,
                      extra_headers: dict | None = None) -> Response:
    """`status` in the error shape, with CORS headers for a configured origin and the request id."""
    code, message = fallback_error(status)
    headers = {"X-Request-Id": request_id or uuid.uuid4().hex, **cors.response_headers(request_headers),
               **(extra_headers or {})}
    return json_response(error_body(code, message), status, headers)


def is_chalice_error(response) -> bool:
    """Chalice's own error answers carry a dict body {"Code": ..., "Message": ...}."""
    body = getattr(response, "body", None)
    return isinstance(body, dict) and set(body) == {"Code", "Message"}


def errors_in_error_shape(event, get_response):
    """`http` middleware: Chalice's own error answers become the error shape; ours pass untouched."""
    response = get_response(event)
    if not is_chalice_error(response):
        return response
    request_id = (getattr(event, "context", None) or {}).get("requestId")
    extra = {}
    allow = (response.headers or {}).get("Allow")
    if allow:  # 405: the methods the path has, preflight included
        extra["Allow"] = ",".join(sorted({*(m.strip() for m in allow.split(",")), cors.PREFLIGHT}))
    return fallback_response(response.status_code, getattr(event, "headers", None), request_id, extra)
