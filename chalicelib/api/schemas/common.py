"""Shapes shared by many routes.

Models defer building their validators until first use (`defer_build`): a Lambda that serves one
route should not pay at cold start for the schemas of every other route."""
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema


class ApiModel(BaseModel):
    model_config = ConfigDict(defer_build=True)


class RequestModel(ApiModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


def _valid_email(value: str) -> str:
    import email_validator  # loaded by the few routes that take an e-mail

    try:
        return email_validator.validate_email(value, check_deliverability=False).normalized.lower()
    except email_validator.EmailNotValidError as exc:
        raise ValueError("E-mail inválido.") from exc


Email = Annotated[str, Field(max_length=254), AfterValidator(_valid_email),
                  WithJsonSchema({"type": "string", "format": "email", "maxLength": 254})]


class ErrorDetail(ApiModel):
    code: str = Field(description="Código estável, snake_case.")
    message: str = Field(description="Mensagem em português para pessoas.")
    details: dict = Field(default_factory=dict)


class ErrorResponse(ApiModel):
    error: ErrorDetail


class PageQuery(RequestModel):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class Health(ApiModel):
    status: str
    stage: str
