"""Items outside any account: the local stage's settable clock and its e-mail outbox."""
from datetime import datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib.store.base import BillingItem
from chalicelib.store.ownership import owned_by

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

    def record_email(self, *, sk: str, account_id: str | None, **message) -> None:
        """A sent e-mail in the local outbox. An e-mail to an account is the account's data: the
        retention purge deletes it too."""
        ownership = owned_by(account_id, OUTBOX_PK, sk) if account_id else {}
        OutboxItem(pk=OUTBOX_PK, sk=sk, account_id=account_id, created_at=datetime.now(timezone.utc),
                   **message, **ownership).save()

    def outbox(self, limit: int) -> list[OutboxItem]:
        return list(OutboxItem.query(OUTBOX_PK, scan_index_forward=False, limit=limit))
