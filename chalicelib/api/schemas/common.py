"""Shapes shared by many routes.

Models defer building their validators until first use (`defer_build`): a Lambda that serves one
route should not pay at cold start for the schemas of every other route."""
import unicodedata
from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema, field_serializer
from pydantic_core import PydanticCustomError

from chalicelib.api.times import format_instant


class ApiModel(BaseModel):
    model_config = ConfigDict(defer_build=True)

    @field_serializer("*", mode="wrap", when_used="json")
    def _one_instant_format(self, value, handler):
        # Every instant of every answer in one form (API.md: ISO 8601 with offset), whatever the
        # handler passed: the clock's São Paulo time after a POST, the store's UTC on a later GET.
        if isinstance(value, datetime):
            return format_instant(value)
        return handler(value)


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


# Free text ends up in e-mail subjects, PDFs, the audit trail and the finance console. Control
# characters there break or forge what people read (a NUL truncates a PDF string, CR/LF splits an
# e-mail header) and bidi overrides reorder it ("fatura" shown as something else). So every free-text
# field of a request refuses them; ordinary Unicode (accents, emoji and their joiners) passes.
FORBIDDEN_CHARACTER = "forbidden_character"
_REORDERING = frozenset(
    "\u061c\u200e\u200f"  # Arabic letter mark, LRM, RLM: invisible marks that move neutral text
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides (LRE, RLE, PDF, LRO, RLO)
    "\u2066\u2067\u2068\u2069"  # isolates (LRI, RLI, FSI, PDI)
    "\u206a\u206b\u206c\u206d\u206e\u206f"  # deprecated shaping and swapping controls
)
_LINE_BREAKS = frozenset("\n\r\t")  # what a multi-line body keeps (CRLF from Windows clients too)


def _forbidden_character(value: str, multiline: bool) -> str | None:
    for character in value:
        if multiline and character in _LINE_BREAKS:
            continue
        category = unicodedata.category(character)
        if category == "Cc" or character in _REORDERING or (not multiline and category in ("Zl", "Zp")):
            return f"U+{ord(character):04X}"
    return None


def _text_checker(multiline: bool):
    def check(value: str) -> str:
        found = _forbidden_character(value, multiline)
        if found is not None:
            raise PydanticCustomError(FORBIDDEN_CHARACTER, "Caractere não permitido ({character}).",
                                      {"character": found, "multiline": multiline})
        return value

    return check


# A name, an address line, an id: one line, no control characters, no bidi controls.
SingleLineText = Annotated[str, AfterValidator(_text_checker(multiline=False))]
# A message or a reason: line breaks and tabs allowed; other control characters and bidi controls refused.
MultiLineText = Annotated[str, AfterValidator(_text_checker(multiline=True))]


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
    cursor: SingleLineText | None = Field(None, max_length=2048)


class Health(ApiModel):
    status: str
    stage: str
