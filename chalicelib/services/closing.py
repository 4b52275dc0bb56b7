"""When an account has nothing left, its data is kept for the retention period and then purged
(PRODUCT.md §9). Overdue, cancellation and partner batches end subscriptions and seats; each then
asks here whether the account still holds anything."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.services.entitlements import keeps_a_license
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.billing import AccountSnapshot


def holds_anything(catalog: Catalog, snapshot: AccountSnapshot, today: date) -> bool:
    """A subscription not cancelled, a perpetual license kept after its contract (optional), or a
    seat of a partner batch not ended."""
    if any(keeps_a_license(catalog.product(s.product_id), s.status) for s in snapshot.subscriptions):
        return True
    seat = snapshot.other(SeatItem, SEAT_SK)
    return seat is not None and (seat.ends_on is None or seat.ends_on > today)


def purge_if_nothing_left(retention, catalog: Catalog, snapshot: AccountSnapshot, today: date, actor: str,
                          reason: str) -> date | None:
    """Schedule the purge (retention.schedule_purge) when the account holds nothing; the purge day."""
    if holds_anything(catalog, snapshot, today):
        return None
    item = retention.schedule_purge(snapshot.account_id, today, actor=actor, reason=reason)
    return date.fromisoformat(item.purge_on)
