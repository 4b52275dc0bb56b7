"""Job checkpoints: the last business date a job finished, so a run after missed days catches up.
A job's run opens its catch-up window (domain/catch_up.py) from the checkpoint and closes it, which
moves the checkpoint up to the last day it finished."""
from datetime import date

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.domain.catch_up import CatchUpWindow
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

    def open_window(self, job: str, today: date, lookback_days: int,
                    today_stays_open: bool = False) -> CatchUpWindow:
        """The days the job's run covers: since its checkpoint, or `lookback_days` on its first run."""
        return CatchUpWindow.since(self.get(job), today, lookback_days, today_stays_open)

    def close_window(self, job: str, window: CatchUpWindow) -> None:
        """Move the checkpoint through the last day the run finished (held before a failed day)."""
        through = window.checkpoint_after()
        if through is not None:
            self.advance(job, through)
