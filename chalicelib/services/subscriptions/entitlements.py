"""Entitlements (PRODUCT.md §7): what each subscription of an account gives the vendor's product
now — license, support, updates, seats, storage.

Each subscription answers from its own status only (kept by the check-overdue job, settlement and
cancellation), so a subscription paid through today is never blocked because another one of the
same account is overdue. A client account of a partner batch (Conta Azul Mais) also holds the
license its seat gives, in the standing of the partner's batch."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog, Product, contract_of
from chalicelib.domain.enums import LicenseStatus, SubscriptionStatus
from chalicelib.domain.overdue import Entitlements, entitlements_for
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.subscriptions import SubscriptionItem

SUBSCRIPTION, BATCH_SEAT = "subscription", "batch_seat"
_NOTHING = Entitlements(LicenseStatus.NONE, support=False, updates=False)


@dataclass(frozen=True)
class Entitlement:
    product_id: str
    product_name: str
    subscription_id: str
    status: str  # the subscription's (for a seat: the partner's batch)
    grants: Entitlements
    seats: int
    storage_gb: int
    paid_through: date | None  # end of the period paid (exclusive)
    source: str  # subscription | batch_seat


def grants_of(product: Product | None, status: str) -> Entitlements:
    return entitlements_for(contract_of(product), SubscriptionStatus(status))


class EntitlementService:
    def __init__(self, billing, batches, catalog: Catalog, clock):
        self._billing = billing
        self._batches = batches
        self._catalog = catalog
        self._clock = clock

    def for_account(self, account_id: str, product_id: str | None = None) -> list[Entitlement]:
        snapshot = self._billing.snapshot(account_id)
        snapshot.require_account()
        items = [self._own(subscription) for subscription in snapshot.subscriptions]
        seat = snapshot.other(SeatItem, SEAT_SK)
        if seat is not None:
            items.append(self._from_batch(seat))
        return [item for item in items if product_id is None or item.product_id == product_id]

    def _own(self, subscription: SubscriptionItem) -> Entitlement:
        product = self._catalog.product(subscription.product_id)
        return Entitlement(
            subscription.product_id, product.name if product else subscription.product_id,
            subscription.subscription_id, subscription.status, grants_of(product, subscription.status),
            subscription.quantity, subscription.storage_gb, subscription.current_period_end, SUBSCRIPTION)

    def _from_batch(self, seat: SeatItem) -> Entitlement:
        """The seat's license is of the batch's `license_product`, in the standing of the batch."""
        batch = self._batches.batch_subscription(seat.partner_account_id, seat.batch_subscription_id)
        batch_product = self._catalog.product(batch.product_id) if batch else None
        licensed = self._catalog.product(batch_product.license_product) if batch_product else None
        ended = seat.ends_on is not None and self._clock.today() >= seat.ends_on
        status = batch.status if batch else SubscriptionStatus.CANCELLED.value
        grants = _NOTHING if ended or batch is None else grants_of(batch_product, status)
        return Entitlement(
            licensed.id if licensed else "", licensed.name if licensed else "", seat.batch_subscription_id,
            status, grants, 1, 0, seat.ends_on or (batch.current_period_end if batch else None), BATCH_SEAT)
