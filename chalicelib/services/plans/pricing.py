"""What a plan costs per period, from the catalog (in memory): licenses × price, or the flat price,
plus the storage add-on per GB."""
from dataclasses import dataclass

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import Periodicity, Pricing
from chalicelib.domain.errors import DomainError

STORAGE_ADDON = "storage-gb"

PERIODICITY_LABELS = {Periodicity.MONTHLY: "mensal", Periodicity.QUARTERLY: "trimestral",
                      Periodicity.SEMIANNUAL: "semestral", Periodicity.ANNUAL: "anual"}


@dataclass(frozen=True)
class Plan:
    product: Product
    periodicity: Periodicity
    quantity: int  # licenses (1 for flat products)
    storage_gb: int


def licenses_price(plan: Plan) -> int:
    unit = plan.product.prices[plan.periodicity]
    return unit * plan.quantity if plan.product.pricing is Pricing.PER_SEAT else unit


def storage_unit_price(catalog: Catalog, periodicity: Periodicity) -> int:
    storage = catalog.product(STORAGE_ADDON)
    if storage is None or periodicity not in storage.prices:
        raise DomainError("O armazenamento adicional não tem preço nesta periodicidade.")
    return storage.prices[periodicity]


def storage_price(catalog: Catalog, plan: Plan) -> int:
    return plan.storage_gb * storage_unit_price(catalog, plan.periodicity) if plan.storage_gb else 0


def period_price(catalog: Catalog, plan: Plan) -> int:
    """One whole period of the plan: licenses (or flat price) plus storage."""
    return licenses_price(plan) + storage_price(catalog, plan)


def offers_storage(product: Product) -> bool:
    return STORAGE_ADDON in product.addons


def describe(plan: Plan) -> str:
    label = PERIODICITY_LABELS[plan.periodicity]
    if plan.product.pricing is Pricing.PER_SEAT:
        return f"{plan.product.name} — {plan.quantity} licença(s), {label}"
    return f"{plan.product.name} — {label}"
