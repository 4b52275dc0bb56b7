"""The account's card: a gateway token and what identifies it to people, never the number."""
from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText
from chalicelib.domain.card_numbers import contains_card_number
from chalicelib.errors import ValidationFailed

CardBrand = Literal["visa", "mastercard", "amex", "elo", "hipercard", "diners", "discover", "jcb", "other"]


class CardNumberRefused(ValidationFailed):
    code = "card_number_refused"
    message = ("O pedido contém algo parecido com um número de cartão. Envie só o token do gateway de "
               "pagamento; o número do cartão nunca deve chegar a este servidor.")


class CardIn(RequestModel):
    gateway_token: SingleLineText = Field(min_length=1, max_length=255)
    brand: CardBrand
    last4: str = Field(pattern=r"^\d{4}$")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=2100)

    @model_validator(mode="before")
    @classmethod
    def _no_card_number(cls, data):
        # Before any field validation, so the digits never reach an error message or a log line.
        if contains_card_number(data):
            raise CardNumberRefused()
        return data


class CardOut(ApiModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    updated_at: datetime | None = None
    subscriptions_following: list[str] = Field(
        description="Assinaturas pagas com o cartão da conta: passam a usar este cartão.")


class CardRemovedOut(ApiModel):
    removed: bool
