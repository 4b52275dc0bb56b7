"""Retention of cancelled accounts (PRODUCT.md §9, LGPD): the entry points other use cases call.

When an account is cancelled, call `schedule_purge(account_id, cancelled_on)`: its data is kept
90 days (the owner can still log in and download a backup), then the `purge-accounts` job deletes it.
If the account comes back before that, call `cancel_purge(account_id)`."""
from datetime import date

from chalicelib.domain.data_lifecycle import RETENTION_DAYS, purge_date
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.retention import RetentionItem, new_retention_item


class RetentionService:
    def __init__(self, repository, clock, retention_days: int = RETENTION_DAYS):
        self._repo = repository
        self._clock = clock
        self._days = retention_days

    def schedule_purge(self, account_id: str, cancelled_on: date, actor: str = "system",
                       reason: str | None = None) -> RetentionItem:
        """Schedule (or move) the purge to `cancelled_on` + 90 days. Idempotent. A term that has
        already run out (a late call) purges at the next run, not on a day the job has passed."""
        item, audit = self.purge_items(account_id, cancelled_on, actor, reason)
        self._repo.schedule(item, audit)
        return item

    def purge_items(self, account_id: str, cancelled_on: date, actor: str = "system",
                    reason: str | None = None) -> tuple[RetentionItem, object]:
        """What `schedule_purge` writes (the retention item and its audit entry), for a use case
        that writes them in its own transaction, together with the cancellation itself."""
        purge_on = max(purge_date(cancelled_on, self._days), self._clock.today())
        item = new_retention_item(account_id, cancelled_on, purge_on, self._clock.now())
        audit = audit_entry(self._clock, account_id, actor=actor, action="account.purge_scheduled",
                            target=account_id, reason=reason,
                            after={"cancelled_on": cancelled_on.isoformat(), "purge_on": purge_on.isoformat()})
        return item, audit

    def cancel_purge(self, account_id: str, actor: str = "system", reason: str | None = None) -> bool:
        """Keep the account after all (reactivated); False if no purge was scheduled."""
        audit = audit_entry(self._clock, account_id, actor=actor, action="account.purge_cancelled",
                            target=account_id, reason=reason)
        return self._repo.cancel(account_id, audit)

    def scheduled_purge(self, account_id: str) -> date | None:
        item = self._repo.get(account_id)
        return date.fromisoformat(item.purge_on) if item else None
