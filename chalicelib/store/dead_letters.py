"""Gateway events we could not read (docs/payments.md "Dead letters"): verified, valid JSON, but not
in the shape of the events we accept. Answering 500 would make the gateway retry forever and
applying part of it could move money wrongly, so the body is kept here, untouched, for the finance
team, and the gateway gets 200.

- `DEADLETTER#<gateway>#<sha256 of the body>` / `DEADLETTER`: one per distinct body, created with a
  condition, so a redelivery of the same body keeps one record.
- gsi1 `DEADLETTERS` / `<received at, UTC>#<gateway>#<sha256>`: the finance team's list, newest
  first, without a Scan.

The body is at most MAX_BODY_BYTES (256 KB by default), under DynamoDB's 400 KB item limit."""
import hashlib
import json
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem

DEAD_LETTER_SK = "DEADLETTER"
LIST_PARTITION = "DEADLETTERS"


class DeadLetterItem(BillingItem, discriminator="webhook_dead_letter"):
    dead_letter_id = UnicodeAttribute()  # <gateway>-<sha256 of the body>
    gateway = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    event_id = UnicodeAttribute(null=True)    # when the body had a readable one
    event_type = UnicodeAttribute(null=True)
    problems = UnicodeAttribute()  # JSON list of {"field", "code"}: where the body did not fit
    raw_body = UnicodeAttribute()

    @property
    def problem_list(self) -> list[dict]:
        return json.loads(self.problems)


def new_dead_letter(gateway: str, raw_body: bytes, received_at: datetime, problems: list[dict],
                    event_id: str | None, event_type: str | None) -> DeadLetterItem:
    digest = hashlib.sha256(raw_body).hexdigest()
    return DeadLetterItem(
        pk=f"DEADLETTER#{gateway}#{digest}", sk=DEAD_LETTER_SK, dead_letter_id=f"{gateway}-{digest}",
        gateway=gateway, received_at=received_at, created_at=received_at, event_id=event_id,
        event_type=event_type, problems=json.dumps(problems, sort_keys=True),
        # Only bodies that decoded as UTF-8 JSON get here; `replace` keeps the write total anyway.
        raw_body=raw_body.decode("utf-8", errors="replace"),
        gsi1pk=LIST_PARTITION, gsi1sk=f"{utc_key(received_at)}#{gateway}#{digest}")


class DeadLetterRepository:
    def keep(self, item: DeadLetterItem) -> bool:
        """Store the dead letter; False when the same body is already kept."""
        try:
            item.save(condition=DeadLetterItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def page(self, limit: int, after: dict | None) -> tuple[list[DeadLetterItem], dict | None]:
        """Newest first (gsi1; eventually consistent: a letter kept a moment ago may show a bit later)."""
        result = DeadLetterItem.lookup_index.query(LIST_PARTITION, scan_index_forward=False, limit=limit,
                                                   last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key
