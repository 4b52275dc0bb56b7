"""What a key's license is right now, from the state read with it: the seats its subscription (or
batch seat) holds, and the terms of its file (domain.licensing.license_terms) under the seed's rules:
a mandatory contract unpaid is suspended then gone; an optional one keeps the license, its updates
frozen at the last paid period's end; a partner batch's client key follows the batch."""
from datetime import date

from chalicelib.catalog import Catalog, Product, contract_of, overdue_policy_of
from chalicelib.domain.enums import LicenseStatus, SubscriptionStatus
from chalicelib.domain.licensing import LicenseTerms, in_force, license_terms
from chalicelib.domain.overdue import Entitlements
from chalicelib.services.subscriptions.entitlements import BATCH_SEAT, grants_of
from chalicelib.store.licensing import ACTIVE, KeyState, LicenseKeyRefItem

_NOTHING = Entitlements(LicenseStatus.NONE, support=False, updates=False)


def seats_of(catalog: Catalog, state: KeyState, ref: LicenseKeyRefItem) -> tuple[int, Product | None]:
    product = catalog.product(state.item.product_id)
    if ref.source == BATCH_SEAT:
        return 1, product
    return (int(state.subscription.quantity) if state.subscription else 0), product


def terms_of(catalog: Catalog, today: date, state: KeyState, ref: LicenseKeyRefItem, product: Product | None,
             seats: int) -> LicenseTerms:
    item, subscription = state.item, state.subscription
    retired = item.status != ACTIVE or not in_force(int(item.seat), seats)
    if ref.source == BATCH_SEAT:
        seat = state.seat
        batch_product = catalog.product(subscription.product_id) if subscription else None
        ended = seat is None or seat.batch_subscription_id != ref.subscription_id or (
            seat.ends_on is not None and today >= seat.ends_on)
        status = subscription.status if subscription else SubscriptionStatus.CANCELLED.value
        grants = _NOTHING if ended or subscription is None else grants_of(batch_product, status)
        paid_through = (seat.ends_on if seat and seat.ends_on else
                        subscription.current_period_end if subscription else None)
        return license_terms(contract_of(batch_product), grants, paid_through, overdue_policy_of(batch_product),
                             retired)
    if subscription is None:
        return license_terms(contract_of(product), _NOTHING, None, overdue_policy_of(product), retired)
    return license_terms(contract_of(product), grants_of(product, subscription.status),
                         subscription.current_period_end, overdue_policy_of(product), retired)
