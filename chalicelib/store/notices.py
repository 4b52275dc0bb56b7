"""Notices waiting to go out (a transactional outbox): the e-mails and domain events of a change
(an overdue step, a cancellation, a client's invitation) are recorded as a NOTICE#<id> item in the
same transaction as the change, then delivered and deleted. The item sits on the check-overdue
job's review list of its day (REVIEW#<day>), so a crash between the commit and the delivery loses
nothing: the next run delivers it. Delivery is at least once; the e-mail keeps the notice's id, so
the local outbox records it once."""
import json
from datetime import date

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DeleteError

from chalicelib.store.base import BillingItem, account_pk
from chalicelib.store.reviews import review_due


# A notice that only carries domain events (`{"type", "data", "id"}`), e.g. the invoicing job's
# `license.seats_changed`: published by whoever delivers it, with these ids.
EVENTS_KIND = "events"


def notice_sk(notice_id: str) -> str:
    return f"NOTICE#{notice_id}"


class NoticeItem(BillingItem, discriminator="pending_notice"):
    account_id = UnicodeAttribute()
    notice_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    payload = UnicodeAttribute()  # JSON: what the delivery needs

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


def new_notice(account_id: str, notice_id: str, kind: str, data: dict, day: date, created_at) -> NoticeItem:
    key = notice_sk(notice_id)
    return NoticeItem(pk=account_pk(account_id), sk=key, account_id=account_id, notice_id=notice_id, kind=kind,
                      payload=json.dumps(data, sort_keys=True), created_at=created_at,
                      **review_due(account_id, key, day))


def drop_notice(item: NoticeItem) -> None:
    """Delivered: off the account and the review list (already gone: another delivery did it)."""
    try:
        item.delete(condition=NoticeItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
