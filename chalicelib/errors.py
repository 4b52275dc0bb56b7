"""Typed application errors. Each carries its HTTP status and a stable code; the API maps them to
the error shape in one place (chalicelib/api/responses.py). Messages are for people: pt-BR."""


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "Requisição inválida."

    def __init__(self, message: str | None = None, *, code: str | None = None, details: dict | None = None):
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "Requisição inválida."


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "Autenticação necessária ou token inválido."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "Você não tem permissão para esta ação."


class NotFound(AppError):
    status, code, message = 404, "not_found", "Recurso não encontrado."


class Conflict(AppError):
    status, code, message = 409, "conflict", "A operação conflita com o estado atual."


class ConcurrentUpdate(Conflict):
    """Something the operation read changed before its write landed (a version or condition check on
    an item it read failed). Unlike the other conflicts it is not about the request: reading again and
    redoing the use case may succeed, so services/shared/retry.py retries exactly this one."""
    status, code = 409, "concurrent_update"
    message = "O registro foi alterado por outra operação ao mesmo tempo; confira e tente novamente."


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "O corpo da requisição é grande demais."


class UnsupportedMediaType(AppError):
    status, code, message = 415, "unsupported_media_type", "Envie o corpo como application/json."


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "Alguns campos são inválidos."


class ServiceUnavailable(AppError):
    status, code, message = 503, "service_unavailable", "Um serviço externo não respondeu; tente novamente."


class Throttled(AppError):
    status, code, message = 429, "too_many_requests", "Muitas requisições; tente novamente em instantes."
