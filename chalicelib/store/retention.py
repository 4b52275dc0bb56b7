"""Retention of a cancelled account: the purge schedule and the tax records kept after it.

- Schedule: pk=RETENTION#<account_id>, sk=RETENTION, in the `due` index under
  PURGE#<purge date>#<shard>. It lives outside the account's partitions on purpose: it is the
  purge's work item and is deleted last, in the same transaction that writes the tombstone, so a
  purge that crashes halfway is still listed and resumes on the next run.
- Tombstone: the account's last audit entry, pk=AUDIT#<account_id>, sk=TOMBSTONE, action
  `account.purged`, with the purge date; no personal data.
- Tax records: pk=TAX#<account_id>, sk=the original item's sk, type `tax_record`: anonymised copies of
  invoices and payments, expired by the table's TTL (`expires_at`) when the legal term ends.
"""
from datetime import date

from botocore.exceptions import ClientError
from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.store.audit import audit_pk
from chalicelib.store.base import BillingItem, transaction
from chalicelib.store.conditions import condition_failed
from chalicelib.store.due import day_partitions, due_pk
from chalicelib.store.raw import to_wire

DUE_KIND = "PURGE"
RETENTION_SK = "RETENTION"
TOMBSTONE_SK = "TOMBSTONE"


def retention_pk(account_id: str) -> str:
    return f"RETENTION#{account_id}"


def tax_pk(account_id: str) -> str:
    return f"TAX#{account_id}"


class RetentionItem(BillingItem, discriminator="retention"):
    account_id = UnicodeAttribute()
    cancelled_on = UnicodeAttribute()
    purge_on = UnicodeAttribute()


class TaxRecordItem(BillingItem, discriminator="tax_record"):
    account_id = UnicodeAttribute()
    record_type = UnicodeAttribute()
    document_date = UnicodeAttribute()
    kept_until = UnicodeAttribute()
    data = MapAttribute()
    expires_at = NumberAttribute()


def new_retention_item(account_id: str, cancelled_on: date, purge_on: date, created_at) -> RetentionItem:
    return RetentionItem(
        pk=retention_pk(account_id), sk=RETENTION_SK, account_id=account_id,
        cancelled_on=cancelled_on.isoformat(), purge_on=purge_on.isoformat(), created_at=created_at,
        due_pk=due_pk(DUE_KIND, purge_on, account_id), due_sk=account_id,
    )


class RetentionRepository:
    def schedule(self, item: RetentionItem, audit) -> None:
        """Create or move the account's purge date (a second cancellation restarts the term)."""
        with transaction() as tx:
            tx.save(item)
            tx.save(audit)

    def cancel(self, account_id: str, audit) -> bool:
        """Drop a scheduled purge (the account came back); False if none was scheduled."""
        item = RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK)
        try:
            with transaction() as tx:
                tx.delete(item, condition=RetentionItem.pk.exists())
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def get(self, account_id: str) -> RetentionItem | None:
        try:
            return RetentionItem.get(retention_pk(account_id), RETENTION_SK, consistent_read=True)
        except DoesNotExist:
            return None

    def due_on(self, day: date) -> list[str]:
        """Accounts whose purge date is `day`, every shard."""
        accounts = []
        for partition in day_partitions(DUE_KIND, day):
            accounts.extend(item.account_id for item in RetentionItem.due_index.query(partition))
        return accounts

    def tax_records(self, account_id: str) -> list[TaxRecordItem]:
        return list(TaxRecordItem.query(tax_pk(account_id)))


def complete_purge(raw_table, account_id: str, at: str, actor: str, facts: dict) -> bool:
    """Delete the schedule and write the tombstone in one transaction (through the purge's raw
    client). False when the schedule was already gone: another run finished first."""
    tombstone = {
        "pk": audit_pk(account_id), "sk": TOMBSTONE_SK, "type": "audit", "account_id": account_id,
        "audit_id": "tombstone", "at": at, "actor": actor, "action": "account.purged",
        "target": account_id, "after": facts,
    }
    try:
        raw_table.client.transact_write_items(TransactItems=[
            {"Delete": {"TableName": raw_table.name,
                        "Key": to_wire({"pk": retention_pk(account_id), "sk": RETENTION_SK}),
                        "ConditionExpression": "attribute_exists(pk)"}},
            {"Put": {"TableName": raw_table.name, "Item": to_wire(tombstone)}},
        ])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        return False
    return True
