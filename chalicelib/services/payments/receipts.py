"""The receipt of a delivery: the item whose key makes each delivery of money, or of a gateway
event, apply once (settlement, refunds and chargebacks, webhooks, bank return files)."""
import json
from datetime import date, datetime

from chalicelib.store.due import due_pk
from chalicelib.store.ownership import owned_by
from chalicelib.store.payments import NOTICE_KIND, RECEIPT_SK, ReceiptItem, receipt_pk


def receipt_item(key: str, outcome: str, account_id: str | None, payment_id: str | None, events: list[dict],
                 now: datetime, notice_day: date | None = None) -> ReceiptItem:
    """The receipt of a delivery; with `notice_day`, its notice (e-mail, events) still to go out."""
    pk = receipt_pk(key)
    ownership = owned_by(account_id, pk, RECEIPT_SK) if account_id else {}
    pending = {"notice_pending": True, "due_pk": due_pk(NOTICE_KIND, notice_day, key), "due_sk": key} \
        if notice_day else {}
    return ReceiptItem(pk=pk, sk=RECEIPT_SK, key=key, outcome=outcome, account_id=account_id,
                       payment_id=payment_id, events=json.dumps(events) if events else None, created_at=now,
                       **ownership, **pending)
