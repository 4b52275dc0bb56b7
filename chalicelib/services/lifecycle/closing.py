"""When an account has nothing left, its data is kept for the retention period and then purged
(PRODUCT.md §9). Overdue, cancellation and partner batches end subscriptions and seats; each then
asks here whether the account still holds anything, and writes the purge schedule in the same
transaction as the change that ended it (a crash in between cannot leave an account unscheduled)."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.catalog import Catalog, contract_of
from chalicelib.domain.overdue import keeps_a_license
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.billing import AccountSnapshot


@dataclass(frozen=True)
class Closing:
    purge_on: date | None = None
    items: list = field(default_factory=list)  # the retention item and its audit entry

    def write(self, writes) -> None:
        for item in self.items:
            writes.save(item)


def holds_anything(catalog: Catalog, snapshot: AccountSnapshot, today: date) -> bool:
    """A subscription not cancelled, a perpetual license kept after its contract (optional), or a
    seat of a partner batch not ended."""
    if any(keeps_a_license(contract_of(catalog.product(s.product_id)), s.status) for s in snapshot.subscriptions):
        return True
    seat = snapshot.other(SeatItem, SEAT_SK)
    return seat is not None and (seat.ends_on is None or seat.ends_on > today)


def closing_if_nothing_left(retention, catalog: Catalog, snapshot: AccountSnapshot, today: date, actor: str,
                            reason: str) -> Closing:
    """The purge schedule to write (retention.purge_items) when the account, as changed in memory,
    holds nothing any more."""
    if holds_anything(catalog, snapshot, today):
        return Closing()
    item, audit = retention.purge_items(snapshot.account_id, today, actor=actor, reason=reason)
    return Closing(date.fromisoformat(item.purge_on), [item, audit])
