"""Partner batches (Conta Azul Mais): the licenses of a batch and what the partner does with them."""
from datetime import date
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, Email, MultiLineText, RequestModel, SingleLineText
from chalicelib.api.schemas.subscriptions import Currency

LicenseStatusOut = Literal["available", "assigned", "leaving", "left"]


class ClientIn(RequestModel):
    """The client's blank account: its name and the person who will own it (invited by e-mail)."""

    name: SingleLineText = Field(min_length=1, max_length=120, description="Nome da empresa cliente.")
    owner_email: Email = Field(description="Quem será o proprietário da conta do cliente (recebe o convite).")


class LicenseCancelIn(RequestModel):
    reason: MultiLineText = Field(min_length=1, max_length=500)


class LicenseOut(ApiModel):
    id: str
    status: LicenseStatusOut = Field(description="available, assigned, leaving (sai do lote em leaves_on) ou left.")
    client_account_id: str | None = None
    client_name: str | None = None
    assigned_on: date | None = None
    previous_client_account_ids: list[str] = Field(default_factory=list)
    leave_reason: Literal["transfer", "cancel", "batch_ended"] | None = None
    leaves_on: date | None = Field(None, description="Renovação do lote em que a licença sai dele.")


class BatchLicensesOut(ApiModel):
    subscription_id: str
    product_id: str
    status: str
    quantity: int = Field(description="Licenças que o lote renova (as que estão saindo já não contam).")
    current_period_end: date
    items: list[LicenseOut]
    next_cursor: str | None = None


class SubstitutedOut(LicenseOut):
    previous_client_account_id: str
    previous_client_purge_on: date | None = Field(
        None, description="A conta anterior fica guardada até esta data (retenção) e então é apagada.")


class TransferredOut(LicenseOut):
    client_subscription_id: str
    client_billed_from: date = Field(description="Primeira renovação cobrada do cliente.")
    batch_quantity_from_renewal: int


class LicenseCancelledOut(LicenseOut):
    billed_once_more: bool = Field(description="Pedido com menos de 30 dias da renovação: cobrada mais uma vez.")
    billed_period_start: date | None = None
    billed_period_end: date | None = None
    amount_owed_cents: int
    invoice_id: str | None = None
    batch_quantity_from_renewal: int
    currency: Currency = "BRL"
