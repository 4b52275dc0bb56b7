"""Job checkpoints: the last business date a job finished, so a run after missed days catches up."""
from datetime import date

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.store.base import BillingItem

CHECKPOINT_SK = "CHECKPOINT"


class CheckpointItem(BillingItem, discriminator="checkpoint"):
    job = UnicodeAttribute()
    last_date = UnicodeAttribute()


def _pk(job: str) -> str:
    return f"JOB#{job}"


class CheckpointRepository:
    def get(self, job: str) -> date | None:
        try:
            item = CheckpointItem.get(_pk(job), CHECKPOINT_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return date.fromisoformat(item.last_date)

    def advance(self, job: str, day: date) -> None:
        """Move the checkpoint forward to `day`; never backwards (two runs may overlap)."""
        item = CheckpointItem(pk=_pk(job), sk=CHECKPOINT_SK, job=job, last_date=day.isoformat())
        condition = CheckpointItem.pk.does_not_exist() | (CheckpointItem.last_date < day.isoformat())
        try:
            item.save(condition=condition)
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise  # anything but "a newer checkpoint already stands"
