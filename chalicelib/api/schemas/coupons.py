"""Coupons: the finance team's admin routes and a customer applying one to a subscription."""
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
Duration = Literal["once", "repeating", "forever"]


class CouponIn(RequestModel):
    code: SingleLineText = Field(min_length=3, max_length=40, pattern=CODE_PATTERN,
                                 description="Único, sem diferença entre maiúsculas e minúsculas (guardado em "
                                             "maiúsculas).")
    percent_off: int | None = Field(None, ge=1, le=100, description="Desconto percentual (inteiro).")
    amount_off_cents: int | None = Field(None, ge=1, le=100_000_000, description="Desconto fixo por período.")
    duration: Duration = Field(description="once: o primeiro período; repeating: os períodos que começam nos "
                                           "duration_months meses seguintes; forever: sempre.")
    duration_months: int | None = Field(None, ge=1, le=36)
    product_ids: list[Annotated[SingleLineText, Field(min_length=1, max_length=50)]] | None = Field(
        None, max_length=50, description="Produtos em que o cupom vale (ausente: todos).")
    max_redemptions: int | None = Field(None, ge=1, le=1_000_000, description="Resgates no máximo (ausente: sem "
                                                                                "limite).")
    redeem_by: date | None = Field(None, description="Último dia para resgatar (horário de Brasília).")

    @model_validator(mode="after")
    def _one_discount(self) -> "CouponIn":
        if (self.percent_off is None) == (self.amount_off_cents is None):
            raise ValueError("Informe percent_off ou amount_off_cents (um dos dois).")
        if (self.duration == "repeating") != (self.duration_months is not None):
            raise ValueError("duration_months vale só (e é obrigatório) para a duração repeating.")
        return self


class CouponOut(ApiModel):
    code: str
    percent_off: int | None = None
    amount_off_cents: int | None = None
    duration: Duration
    duration_months: int | None = None
    product_ids: list[str] | None = None
    max_redemptions: int | None = None
    redeem_by: date | None = None
    redemptions: int = Field(description="Resgates feitos.")
    active: bool = Field(description="false depois do DELETE: não aceita novos resgates.")
    currency: Literal["BRL"] = "BRL"


class CouponList(ApiModel):
    items: list[CouponOut]
    next_cursor: str | None = None


class CouponApplyIn(RequestModel):
    code: SingleLineText = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
