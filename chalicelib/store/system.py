"""Items outside any account: the local stage's settable clock and its e-mail outbox."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.store.base import BillingItem

SYSTEM_PK = "SYSTEM"
OUTBOX_PK = "OUTBOX"


class ClockItem(BillingItem, discriminator="clock"):
    offset_seconds = NumberAttribute(default=0)


class OutboxItem(BillingItem, discriminator="outbox"):
    message_id = UnicodeAttribute()
    to = UnicodeAttribute()
    subject = UnicodeAttribute()
    text = UnicodeAttribute()
    html = UnicodeAttribute(null=True)
    template = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)


class SystemRepository:
    def clock_offset(self) -> float:
        try:
            return ClockItem.get(SYSTEM_PK, "CLOCK").offset_seconds
        except DoesNotExist:
            return 0

    def set_clock_offset(self, seconds: float) -> None:
        ClockItem(pk=SYSTEM_PK, sk="CLOCK", offset_seconds=seconds).save()

    def add_to_outbox(self, item: OutboxItem) -> None:
        item.pk = OUTBOX_PK
        item.save()

    def outbox(self, limit: int) -> list[OutboxItem]:
        return list(OutboxItem.query(OUTBOX_PK, scan_index_forward=False, limit=limit))
