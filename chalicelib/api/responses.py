"""The one place where results and errors become HTTP responses."""
import json

from chalice import Response
from pydantic import BaseModel

from chalicelib.errors import AppError

JSON = "application/json; charset=utf-8"


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(mode="json")
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={"Content-Type": JSON, **(headers or {})},
    )


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


# A 429 without a window of its own (DynamoDB still throttling after the retries): a client may try again
# after this many seconds.
DEFAULT_RETRY_AFTER_SECONDS = 1


def error_response(error: AppError, headers: dict | None = None) -> Response:
    if error.status == 429:  # RFC 9110 §10.2.3: how long to wait, for clients that read headers only
        seconds = error.details.get("retry_after_seconds", DEFAULT_RETRY_AFTER_SECONDS)
        headers = {**(headers or {}), "Retry-After": str(max(int(seconds), 1))}
    return json_response(error_body(error.code, error.message, error.details), error.status, headers)


def internal_error_response(headers: dict | None = None) -> Response:
    body = error_body("internal_error", "Erro interno. Tente novamente; se persistir, contate o suporte.")
    return json_response(body, 500, headers)
