"""Catalog as the portal reads it (API.md field names)."""
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel
from chalicelib.domain.enums import Consolidation, Contract, Periodicity, Pricing, ProductKind


class OverduePolicyOut(ApiModel):
    """The product's overdue rules (catalog.OverduePolicy), as answered."""
    grace_business_days: int = Field(description="Dias úteis de tolerância depois do vencimento.")
    cancel_after_days: int = Field(description="Dias corridos do vencimento até o cancelamento.")


class ProductOut(ApiModel):
    id: str
    name: str
    kind: ProductKind
    contract: Contract
    pricing: Pricing
    prices: dict[Periodicity, int]
    currency: str = "BRL"
    boleto_periodicities: list[Periodicity]
    consolidation: Consolidation
    term_installments: int | None = None
    addons: list[str]
    overdue: OverduePolicyOut
    license_product: str | None = None  # partner batch: what each of its licenses is
    commitment_months: int | None = None  # billed monthly; ending it earlier bills the months left
    licensing: Literal["none", "keys"] = Field("none", description="keys: cada licença tem uma chave que o "
                                               "programa ativa nas máquinas (docs/licensing.md).")
    machines_per_license: int = Field(1, description="Máquinas ativas ao mesmo tempo por chave.")
    trial_days: int | None = Field(None, description="Dias de teste grátis ao assinar (uma vez por conta e "
                                   "produto); ausente: sem período de teste.")


class CatalogOut(ApiModel):
    version: str
    items: list[ProductOut]
