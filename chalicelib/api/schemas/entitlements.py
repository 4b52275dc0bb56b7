"""Entitlements as the vendor's product and the portal read them (API.md field names)."""
from datetime import date
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText
from chalicelib.domain.enums import LicenseStatus, SubscriptionStatus


class EntitlementsQuery(RequestModel):
    product_id: SingleLineText | None = Field(None, min_length=1, max_length=50, description="Só este produto.")


class EntitlementOut(ApiModel):
    product_id: str
    product_name: str
    subscription_id: str
    status: SubscriptionStatus = Field(description="Situação da assinatura (num assento de lote: a do lote).")
    license: LicenseStatus
    support: bool
    updates: bool
    seats: int
    storage_gb: int
    paid_through: date | None = Field(None, description="Fim (exclusivo) do período pago.")
    source: Literal["subscription", "batch_seat"] = Field(
        description="Assinatura da própria conta, ou licença de um lote de parceiro.")


class EntitlementsOut(ApiModel):
    account_id: str
    as_of: date
    items: list[EntitlementOut]
