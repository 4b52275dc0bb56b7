"""A subscription's scheduled cancellation (PRODUCT.md §8): a live item of the account
(CANCEL#<subscription_id>) that says when the cancellation takes effect and what it billed. It sits
on the check-overdue job's review list (REVIEW#<effective date>) until the job ends the
subscription; undoing the cancellation deletes it. Once effective it stays as the record of why the
subscription ended."""
from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem


def cancellation_sk(subscription_id: str) -> str:
    return f"CANCEL#{subscription_id}"


class CancellationItem(BillingItem, discriminator="cancellation"):
    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # domain.cancellation.CancellationKind
    reason = UnicodeAttribute()
    requested_on = DateAttribute()
    requested_by = UnicodeAttribute()
    effective_date = DateAttribute()
    previous_status = UnicodeAttribute()  # what undoing it restores
    amount_owed_cents = NumberAttribute(default=0)
    refund_cents = NumberAttribute(default=0)
    invoice_id = UnicodeAttribute(null=True)  # what the cancellation billed (one more period, the rest of a term)
    state = UnicodeAttribute(default="scheduled")  # scheduled | effective
    version = VersionAttribute()
