"""The product catalog: a versioned JSON file in the repository, validated by pydantic when loaded.
A broken catalog stops the process at start-up instead of mis-billing someone later. The models build
their validators when the catalog is first loaded (`defer_build`), not at `import app`."""
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.enums import Consolidation, Contract, Periodicity, Pricing, ProductKind

if TYPE_CHECKING:
    from chalicelib.domain import overdue as overdue_rules

CATALOG_FILE = Path(__file__).resolve().parent / "catalog.json"


class OverduePolicy(BaseModel):
    """Days are counted from the due date: business days for the grace, calendar days to cancel."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    grace_business_days: int = Field(3, ge=0, le=30)
    cancel_after_days: int = Field(60, ge=1, le=365)


class Product(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,48}$")
    name: str
    kind: ProductKind
    contract: Contract
    pricing: Pricing
    prices: dict[Periodicity, int] = Field(description="Centavos por licença, por GB ou preço fixo.")
    boleto_periodicities: list[Periodicity]
    consolidation: Consolidation
    term_installments: int | None = Field(None, ge=2, le=120)
    addons: list[str] = Field(default_factory=list)
    overdue: OverduePolicy = OverduePolicy()
    # Partner batch: the product each of its licenses is, the one a client's own subscription takes
    # when the partner transfers billing responsibility to the client.
    license_product: str | None = None
    # A commitment with monthly billing: ended after the withdrawal window and before these months
    # are over, the months left are billed (PRODUCT.md §8, Conta Azul Mais "valor acordado").
    commitment_months: int | None = Field(None, ge=2, le=60)
    # Free trial (PRODUCT.md §15): subscribing starts this many days free, once per account and product.
    trial_days: int | None = Field(None, ge=1, le=90)
    # Desktop software: `keys` gives every seat a license key its program activates on machines
    # (services/licensing), each key on up to `machines_per_license` machines at once.
    licensing: Literal["none", "keys"] = "none"
    machines_per_license: int = Field(1, ge=1, le=100)
    # Service invoices (PRODUCT.md §12, docs/service-invoices.md): `on_payment` issues one NFS-e for
    # every paid invoice of the product; `off` leaves it to the vendor. The national service code
    # (cTribNac: LC 116 item, subitem and national detail, 6 digits) and the description go on the DPS.
    service_invoice: Literal["on_payment", "off"] = "on_payment"
    national_service_code: str | None = Field(None, pattern=r"^[0-9]{6}$")
    service_description: str | None = Field(None, min_length=1, max_length=600)

    @model_validator(mode="after")
    def _consistent(self) -> "Product":
        if not self.prices or any(cents <= 0 for cents in self.prices.values()):
            raise ValueError(f"{self.id}: every price must be a positive number of centavos")
        if not set(self.boleto_periodicities) <= set(self.prices):
            raise ValueError(f"{self.id}: boleto offered on a periodicity without a price")
        if (self.contract is Contract.FIXED_TERM) != (self.term_installments is not None):
            raise ValueError(f"{self.id}: term_installments is for fixed_term contracts only")
        if self.contract is Contract.FIXED_TERM and self.consolidation is not Consolidation.CARRY:
            raise ValueError(f"{self.id}: a fixed_term contract must carry overdue installments")
        if (self.kind is ProductKind.BATCH) != (self.license_product is not None):
            raise ValueError(f"{self.id}: license_product is for batch products only, and they need it")
        if self.commitment_months is not None and (Periodicity.MONTHLY not in self.prices
                                                    or self.contract is Contract.FIXED_TERM):
            raise ValueError(f"{self.id}: commitment_months needs a monthly price, and a fixed_term contract "
                             "has term_installments instead")
        if self.trial_days is not None and (self.kind is not ProductKind.SUBSCRIPTION
                                            or self.contract is Contract.FIXED_TERM):
            raise ValueError(f"{self.id}: trial_days is for subscription products without a fixed term")
        return self

    @property
    def issues_service_invoice(self) -> bool:
        return self.service_invoice == "on_payment"

    def accepts_boleto(self, periodicity: Periodicity) -> bool:
        return periodicity in self.boleto_periodicities


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    version: str
    currency: str = Field(pattern="^BRL$")
    products: list[Product]

    @model_validator(mode="after")
    def _references(self) -> "Catalog":
        ids = [p.id for p in self.products]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate product id in the catalog")
        addons = {p.id for p in self.products if p.kind is ProductKind.ADDON}
        for product in self.products:
            unknown = set(product.addons) - addons
            if unknown:
                raise ValueError(f"{product.id}: unknown add-ons {sorted(unknown)}")
            licensed = self.product(product.license_product) if product.license_product else None
            if product.license_product and (licensed is None or licensed.kind is not ProductKind.SUBSCRIPTION):
                raise ValueError(f"{product.id}: license_product must be a subscription product")
            if product.issues_service_invoice and not (product.national_service_code and product.service_description):
                raise ValueError(f"{product.id}: service_invoice on_payment needs national_service_code and "
                                 "service_description")
        return self

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)


def contract_of(product: Product | None) -> Contract:
    """A product no longer in the catalog is held to the strictest contract."""
    return product.contract if product else Contract.MANDATORY


def overdue_policy_of(product: Product | None) -> "overdue_rules.OverduePolicy":
    """The product's overdue policy (catalog) as the domain's value. The overdue rules are imported
    here, not with the catalog: `import app` reads the catalog, and they bring the bank calendar."""
    from chalicelib.domain import overdue as overdue_rules

    if product is None:
        return overdue_rules.OverduePolicy()
    return overdue_rules.OverduePolicy(product.overdue.grace_business_days, product.overdue.cancel_after_days)


@lru_cache(maxsize=1)
def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    return Catalog.model_validate_json(path.read_text(encoding="utf-8"))
