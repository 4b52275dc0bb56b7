"""Shapes shared by many routes.

Models defer building their validators until first use (`defer_build`): a Lambda that serves one
route should not pay at cold start for the schemas of every other route."""
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema


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


# Instants a person sends: ISO 8601 with an offset, within years every rule can compute with.
# Without a range, 0001-01-01T00:00:00Z overflows the moment it is converted to São Paulo time or
# a period is added to it (found by fuzzing the dev clock: every later request answered 500).
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _within_range(value: datetime) -> datetime:
    if not EARLIEST_INSTANT <= value < LATEST_INSTANT:
        raise ValueError("Use um instante entre os anos 2000 e 2199.")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_within_range)]


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
