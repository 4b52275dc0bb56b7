"""Accounts, billing data, billing settings and members."""
import re
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from chalicelib.api.schemas.common import ApiModel, Email, RequestModel, SingleLineText
from chalicelib.domain.enums import PaymentMethod

BRAZILIAN_STATES = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()
)


class AccountCreate(RequestModel):
    name: SingleLineText = Field(min_length=1, max_length=120)


class Address(RequestModel):
    street: SingleLineText = Field(min_length=1, max_length=120)
    number: SingleLineText = Field(min_length=1, max_length=20)
    complement: SingleLineText | None = Field(None, max_length=80)
    district: SingleLineText = Field(min_length=1, max_length=80)
    city: SingleLineText = Field(min_length=1, max_length=80)
    state: str = Field(min_length=2, max_length=2)
    cep: str = Field(min_length=8, max_length=9)

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        if value.upper() not in BRAZILIAN_STATES:
            raise ValueError("UF inválida.")
        return value.upper()

    @field_validator("cep")
    @classmethod
    def _cep(cls, value: str) -> str:
        digits = re.sub(r"[.\-\s]", "", value)
        if not re.fullmatch(r"\d{8}", digits):
            raise ValueError("CEP inválido: use 8 dígitos.")
        return digits


class BillingData(RequestModel):
    digit_fields: ClassVar[frozenset[str]] = frozenset({"document"})  # a CNPJ is 14 digits, not a card

    legal_name: SingleLineText = Field(min_length=2, max_length=120)
    document: str = Field(min_length=11, max_length=18, description="CPF ou CNPJ, com ou sem pontuação.")
    address: Address
    state_registration: SingleLineText | None = Field(None, max_length=20)
    billing_emails: list[Email] = Field(min_length=1, max_length=10)

    @field_validator("document")
    @classmethod
    def _document(cls, value: str) -> str:
        from validate_docbr import CNPJ, CPF  # loaded at the first document checked, not by `import app`

        digits = re.sub(r"[.\-/\s]", "", value)
        if len(digits) == 11 and CPF().validate(digits):
            return digits
        if len(digits) == 14 and CNPJ().validate(digits):
            return digits
        raise ValueError("CPF ou CNPJ inválido (confira os dígitos verificadores).")

    @property
    def document_type(self) -> str:
        return "cpf" if len(self.document) == 11 else "cnpj"


class BillingSettings(RequestModel):
    due_day: Literal[8, 15, 22] | None = None
    default_payment_method: PaymentMethod | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> "BillingSettings":
        if self.due_day is None and self.default_payment_method is None:
            raise ValueError("Informe due_day ou default_payment_method.")
        return self


class AddressOut(ApiModel):
    street: str
    number: str
    complement: str | None = None
    district: str
    city: str
    state: str
    cep: str


class BillingDataOut(ApiModel):
    legal_name: str
    document: str
    document_type: Literal["cpf", "cnpj"]
    address: AddressOut
    state_registration: str | None = None
    billing_emails: list[str]


class AccountOut(ApiModel):
    id: str
    name: str
    status: str
    role: str = Field(description="Papel de quem chama nesta conta.")
    billing_data: BillingDataOut | None = Field(None, description="Só para proprietário, administrador e financeiro.")
    due_day: int | None = None
    default_payment_method: PaymentMethod | None = None
    credit_cents: int = 0
    currency: Literal["BRL"] = "BRL"
    created_at: datetime | None = None


class NotFollowingOut(ApiModel):
    subscription_id: str
    reason_code: str = Field(description="Por que a assinatura não segue a forma padrão (ex.: boleto_not_allowed, "
                             "boleto_already_issued, card_required).")
    message: str


class BillingSettingsOut(AccountOut):
    subscriptions_not_following: list[NotFollowingOut] = Field(
        default_factory=list, description="Assinaturas cujas renovações não passam para a nova forma de pagamento "
        "padrão, com o motivo; as demais renovam com ela.")


class MemberInvite(RequestModel):
    email: Email
    role: Literal["admin", "finance", "member"]


class MemberPatch(RequestModel):
    role: Literal["admin", "finance", "member"] | None = None
    active: bool | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> "MemberPatch":
        if self.role is None and self.active is None:
            raise ValueError("Informe role ou active.")
        return self


class MemberOut(ApiModel):
    user_id: str
    email: str
    role: str
    active: bool
    invited: bool


class AccountList(ApiModel):
    items: list[AccountOut] = Field(description="Contas de quem chama (membro ativo), cada uma com o seu papel.")
    next_cursor: str | None = None


class MemberList(ApiModel):
    items: list[MemberOut]
    next_cursor: str | None = None
