"""Idempotency records of mutating requests (`Idempotency-Key`), in their own table with a TTL.

The first request claims the key with a conditional put; the answer is stored on the same item, so
a retry with the same body replays it and a retry with another body is refused."""
from datetime import datetime, timedelta, timezone

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from chalicelib.store.base import BaseMeta, bound_to

RETENTION = timedelta(hours=24)


@bound_to("idempotency_table")
class IdempotencyRecord(Model):
    class Meta(BaseMeta):
        table_name = None  # settings.idempotency_table, set by bind_models

    pk = UnicodeAttribute(hash_key=True)
    body_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="in_progress")
    response_status = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


class IdempotencyRepository:
    def claim(self, key: str, body_hash: str) -> IdempotencyRecord | None:
        """Claim the key; None when it was already claimed (then `get` tells by whom)."""
        record = IdempotencyRecord(pk=key, body_hash=body_hash,
                                   expires_at=datetime.now(timezone.utc) + RETENTION)
        try:
            record.save(condition=IdempotencyRecord.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        return record

    def get(self, key: str) -> IdempotencyRecord | None:
        try:
            return IdempotencyRecord.get(key, consistent_read=True)
        except DoesNotExist:
            return None

    def complete(self, record: IdempotencyRecord, status: int, body: str) -> None:
        record.update(actions=[
            IdempotencyRecord.status.set("done"),
            IdempotencyRecord.response_status.set(status),
            IdempotencyRecord.response_body.set(body),
        ])

    def release(self, record: IdempotencyRecord) -> None:
        """Forget a claim whose request failed unexpectedly, so a retry can run again."""
        record.delete()
