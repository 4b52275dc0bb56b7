"""Finance team routes that are not about requests."""
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, RequestModel

MAX_CREDIT_CENTS = 100_000_000  # R$ 1.000.000,00: anything above is a typo, not a credit


class CreditIn(RequestModel):
    amount_cents: int = Field(gt=0, le=MAX_CREDIT_CENTS, strict=True, description="Centavos, maior que zero.")
    reason: str = Field(min_length=3, max_length=500)


class CreditOut(ApiModel):
    account_id: str
    granted_cents: int
    credit_cents: int = Field(description="Saldo de crédito da conta depois da concessão.")
    currency: Literal["BRL"] = "BRL"
