"""The licenses of a partner batch as the partner sees them: the stored ones (assigned, leaving, left)
plus the free ones the batch's quantity leaves, numbered lic-001, lic-002…; and reading one of them
for a change."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Product
from chalicelib.domain.enums import ProductKind, SubscriptionStatus
from chalicelib.domain.periods import Period
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.collections.cancellation_invoices import NewInvoice
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.batches import BatchLicenseItem
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem

ASSIGNED, LEAVING, LEFT = "assigned", "leaving", "left"
TRANSFER, CANCEL, BATCH_ENDED = "transfer", "cancel", "batch_ended"
AVAILABLE = "available"


def license_id_of(number: int) -> str:
    return f"lic-{number:03d}"


def license_number(license_id: str) -> int | None:
    prefix, _, digits = license_id.partition("-")
    return int(digits) if prefix == "lic" and digits.isdigit() and len(digits) < 7 else None


@dataclass(frozen=True)
class LicenseView:
    license_id: str
    status: str  # available | assigned | leaving | left
    item: BatchLicenseItem | None = None


@dataclass(frozen=True)
class BatchView:
    batch: SubscriptionItem
    product: Product
    licenses: list[LicenseView]


@dataclass(frozen=True)
class LicenseChange:
    license: BatchLicenseItem
    batch: SubscriptionItem
    invoice: NewInvoice | None = None
    billed_once_more: Period | None = None
    client_subscription: SubscriptionItem | None = None
    previous_client_id: str | None = None
    purge_on: date | None = None


def license_views(batch: SubscriptionItem, stored: list[BatchLicenseItem]) -> list[LicenseView]:
    """Stored licenses plus the free ones: the batch's quantity counts the licenses that renew (the
    assigned ones and the free ones); free licenses take the lowest numbers never used."""
    views = [LicenseView(item.license_id, item.status, item) for item in stored]
    used = {license_number(item.license_id) for item in stored}
    free = batch.quantity - sum(1 for item in stored if item.status == ASSIGNED)
    if batch.status == SubscriptionStatus.CANCELLED:
        free = 0
    number = 1
    while free > 0:
        if number not in used:
            views.append(LicenseView(license_id_of(number), AVAILABLE))
            free -= 1
        number += 1
    return sorted(views, key=lambda view: license_number(view.license_id) or 0)


def batch_of(catalog, snapshot: AccountSnapshot, subscription_id: str) -> tuple[SubscriptionItem, Product]:
    snapshot.require_account()
    batch = snapshot.subscription(subscription_id)
    product = catalog.product(batch.product_id)
    if product is None or product.kind is not ProductKind.BATCH:
        raise NotFound("Esta assinatura não é um lote de licenças.", code="batch_not_found")
    return batch, product


def license_of(billing, repository, catalog, partner_id: str, subscription_id: str,
               license_id: str) -> tuple[AccountSnapshot, SubscriptionItem, LicenseView]:
    """(the partner's snapshot, the batch, the license) for a change: the batch must be live."""
    snapshot = billing.snapshot(partner_id, consistent=True)
    batch, _ = batch_of(catalog, snapshot, subscription_id)
    if batch.status == SubscriptionStatus.CANCELLED:
        raise Conflict("O lote está cancelado.", code="batch_cancelled")
    views = license_views(batch, repository.licenses(partner_id, subscription_id))
    view = next((v for v in views if v.license_id == license_id), None)
    if view is None:
        raise NotFound("Licença não encontrada neste lote.", code="license_not_found")
    return snapshot, batch, view


def assigned(view: LicenseView) -> BatchLicenseItem:
    if view.status != ASSIGNED:
        raise Conflict("Esta licença não está atribuída a um cliente do lote.", code="license_not_assigned",
                       details={"status": view.status})
    return view.item


def license_taken(view: LicenseView) -> Conflict:
    return Conflict("Esta licença já tem um cliente ou está saindo do lote.", code="license_in_use",
                    details={"status": view.status})


def license_audit(clock, partner_id: str, actor: str, action: str, item: BatchLicenseItem, after: dict,
                  reason: str | None = None):
    return audit_entry(clock, partner_id, actor=actor, action=action,
                       target=f"{item.subscription_id}/{item.license_id}", after=after, reason=reason)
