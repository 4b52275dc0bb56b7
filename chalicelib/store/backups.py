"""Backups of an account: the request (when to run, who asked) and, once generated, its file.

Item: pk=ACCOUNT#<id>, sk=~BACKUP#<backup_id> (history: outside the live range, collection_keys.py).
While waiting it sits in the `due` index under BACKUP#<São Paulo date of run_at>#<shard>, sorted by
run_at (UTC ISO), and leaves it when generated.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.conditions import condition_failed
from chalicelib.store.due import day_partitions, due_pk

DUE_KIND = "BACKUP"
SCHEDULED = "scheduled"
READY = "ready"


BACKUP_PREFIX = f"{HISTORY}BACKUP#"


def backup_sk(backup_id: str) -> str:
    return f"{BACKUP_PREFIX}{backup_id}"


def utc_key(instant: datetime) -> str:
    """Sortable UTC text for an instant (index sort keys compare as strings)."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class BackupItem(BillingItem, discriminator="backup"):
    account_id = UnicodeAttribute()
    backup_id = UnicodeAttribute()
    status = UnicodeAttribute(default=SCHEDULED)
    run_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute()
    ready_at = UTCDateTimeAttribute(null=True)
    file_key = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)


def new_backup_item(account_id: str, backup_id: str, run_at: datetime, local_run_date: date,
                    requested_by: str, created_at: datetime) -> BackupItem:
    return BackupItem(
        pk=account_pk(account_id), sk=backup_sk(backup_id), account_id=account_id,
        backup_id=backup_id, status=SCHEDULED, run_at=run_at, requested_by=requested_by,
        created_at=created_at, due_pk=due_pk(DUE_KIND, local_run_date, account_id),
        due_sk=f"{utc_key(run_at)}#{account_id}#{backup_id}",
    )


class BackupRepository:
    def schedule(self, backup: BackupItem, audit) -> None:
        with transaction() as tx:
            tx.save(backup, condition=BackupItem.pk.does_not_exist())
            tx.save(audit)

    def get(self, account_id: str, backup_id: str) -> BackupItem | None:
        try:
            return BackupItem.get(account_pk(account_id), backup_sk(backup_id))
        except DoesNotExist:
            return None

    def list(self, account_id: str, limit: int, after_sk: str | None = None) -> tuple[list[BackupItem], str | None]:
        kwargs = {"scan_index_forward": False, "limit": limit}
        if after_sk:
            kwargs["last_evaluated_key"] = {"pk": {"S": account_pk(account_id)}, "sk": {"S": after_sk}}
        result = BackupItem.query(account_pk(account_id), BackupItem.sk.startswith(BACKUP_PREFIX), **kwargs)
        items = list(result)
        last = result.last_evaluated_key
        return items, (last["sk"]["S"] if last else None)

    def record(self, audit) -> None:
        """An audit entry with no change of its own (a download)."""
        audit.save()

    def pending_count(self, account_id: str) -> int:
        return BackupItem.count(account_pk(account_id), BackupItem.sk.startswith(BACKUP_PREFIX),
                                filter_condition=BackupItem.status == SCHEDULED)

    def mark_notified(self, backup: BackupItem) -> None:
        """The ready e-mail is out: leave the work list."""
        backup.update(actions=[BackupItem.due_pk.remove(), BackupItem.due_sk.remove()],
                      condition=BackupItem.status == READY)

    def due(self, day: date, before: datetime) -> list[BackupItem]:
        """Backups scheduled on `day` (São Paulo date) to run before `before`, every shard."""
        items = []
        for partition in day_partitions(DUE_KIND, day):
            items.extend(BackupItem.due_index.query(partition, BackupItem.due_sk < utc_key(before)))
        return items

    def mark_ready(self, backup: BackupItem, file_key: str, size_bytes: int, ready_at: datetime,
                   audit) -> bool:
        """Record the generated file; False if another run already did. The backup stays on the work
        list until its e-mail is out (`mark_notified`), so a run that dies in between is finished by
        the next one."""
        try:
            with transaction() as tx:
                tx.update(backup, actions=[
                    BackupItem.status.set(READY), BackupItem.file_key.set(file_key),
                    BackupItem.size_bytes.set(size_bytes), BackupItem.ready_at.set(ready_at),
                ], condition=BackupItem.status == SCHEDULED)
                tx.save(audit)
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            return False
        return True
