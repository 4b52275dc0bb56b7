"""Catalog as the portal reads it (API.md field names)."""
from chalicelib.api.schemas.common import ApiModel

from chalicelib.catalog import OverduePolicy
from chalicelib.domain.enums import Consolidation, Contract, Periodicity, Pricing, ProductKind


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
    overdue: OverduePolicy
    license_product: str | None = None  # partner batch: what each of its licenses is
    commitment_months: int | None = None  # billed monthly; ending it earlier bills the months left


class CatalogOut(ApiModel):
    version: str
    items: list[ProductOut]
