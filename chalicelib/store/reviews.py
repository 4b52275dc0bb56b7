"""The check-overdue job's work list on the `due` index: REVIEW#<yyyy-mm-dd>#<shard>.

Three kinds of items sit there, each on the next day its subscription's state may change:
- an open invoice's live summary (OPENINV#<id>): from the day after its due date, then on each day
  the overdue policy moves its subscriptions on (past_due, suspended, cancelled);
- a scheduled cancellation (CANCEL#<subscription_id>): on its effective date;
- a partner batch license leaving its batch (~LIC#...): on the batch renewal it leaves at.

An item leaves the list by dropping due_pk/due_sk; a paid invoice's summary is deleted by
settlement, so it leaves with it. A card invoice's summary is on the charge-cards list (CHARGE#)
until its last retry fails, then joins this one."""
from collections.abc import Iterator
from datetime import date, timedelta

from chalicelib.store.base import BillingItem
from chalicelib.store.due import day_partitions, due_pk

REVIEW_KIND = "REVIEW"


def review_due(account_id: str, key: str, day: date) -> dict:
    """The `due` attributes that put an item of `account_id` on the review list of `day`."""
    return {"due_pk": due_pk(REVIEW_KIND, day, key), "due_sk": f"{account_id}#{key}"}


def first_review_day(due_date: date) -> date:
    """An open invoice's first look by check-overdue: the day after its due date."""
    return due_date + timedelta(days=1)


def overdue_review_due(account_id: str, invoice_id: str, due_date: date) -> dict:
    """For a new open invoice: first reviewed the day after its due date."""
    return review_due(account_id, invoice_id, first_review_day(due_date))


class ReviewRepository:
    """The review list as the check-overdue job reads it."""

    def items_to_review(self, day: date) -> Iterator[BillingItem]:
        """Everything on the review list of `day`, every shard, already typed (one Query per shard)."""
        for partition in day_partitions(REVIEW_KIND, day):
            yield from BillingItem.due_index.query(partition)
