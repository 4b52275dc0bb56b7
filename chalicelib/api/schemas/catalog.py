"""Catalog as the portal reads it (API.md field names)."""
from pydantic import BaseModel

from chalicelib.catalog import OverduePolicy
from chalicelib.domain.enums import Consolidation, Contract, Periodicity, Pricing, ProductKind


class ProductOut(BaseModel):
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


class CatalogOut(BaseModel):
    version: str
    items: list[ProductOut]
