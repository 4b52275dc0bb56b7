"""Finance team routes that are not about requests."""
from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, MultiLineText, RequestModel

MAX_CREDIT_CENTS = 100_000_000  # R$ 1.000.000,00: anything above is a typo, not a credit


class CreditIn(RequestModel):
    amount_cents: int = Field(gt=0, le=MAX_CREDIT_CENTS, strict=True, description="Centavos, maior que zero.")
    reason: MultiLineText = Field(min_length=3, max_length=500)


class CreditOut(ApiModel):
    id: str = Field(description="A concessão, como aparece na lista de créditos concedidos.")
    account_id: str
    granted_cents: int
    credit_cents: int = Field(description="Saldo de crédito da conta depois da concessão.")
    currency: Literal["BRL"] = "BRL"


class DeadLetterProblem(ApiModel):
    field: str = Field(description="Onde o corpo não segue o formato do evento (ex.: payment.value).")
    code: str = Field(description="Por quê (tipo do erro de validação, ex.: model_type, string_type).")


class DeadLetterOut(ApiModel):
    id: str
    gateway: Literal["stripe", "asaas"]
    received_at: datetime
    event_id: str | None = Field(None, description="O id do evento, quando legível.")
    event_type: str | None = Field(None, description="O tipo do evento, quando legível.")
    problems: list[DeadLetterProblem]
    raw_body: str = Field(description="O corpo recebido, exatamente como chegou.")


class DeadLetterPage(ApiModel):
    items: list[DeadLetterOut]
    next_cursor: str | None = None
