"""The retention purge (PRODUCT.md §9, LGPD): 90 days after cancellation every item and file of the
account is deleted, except anonymised tax records (services/lifecycle/tax_records.py) and a tombstone.

Steps, each safe to repeat, in an order that keeps the work item (the RETENTION# schedule) until
the very end, so a purge killed at any point is listed again and resumes:
1. the account partition ACCOUNT#<id>, page by page: the account's customer at the card gateway
   deleted first when the page holds its GATEWAY_CUSTOMER item (name and billing e-mail live there
   too), tax copies written, then the page deleted. The item goes only after the gateway said done,
   so a gateway that does not answer fails the purge like a crash: the account stays scheduled and
   the next run retries with the item still there;
2. items elsewhere that the account owns (gsi1 OWNED#<id>: lookups, local outbox);
3. files under the account's S3 prefixes;
4. the audit trail AUDIT#<id>;
5. the `account.purged` event (a stable id: a resumed purge republishes the same event);
6. one transaction: the schedule deleted, the tombstone written.
Cost follows the account's own items: Queries on its partitions and one index partition, no Scan.
"""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.adapters.files import account_prefixes
from chalicelib.adapters.gateways import CardGateway
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.lifecycle.tax_records import tax_record
from chalicelib.store.audit import audit_pk
from chalicelib.store.base import account_pk
from chalicelib.store.ownership import owned_pk
from chalicelib.store.raw import key_of
from chalicelib.store.retention import RETENTION_SK, TOMBSTONE_SK, complete_purge, retention_pk, tax_pk
from chalicelib.store.subscriptions import GATEWAY_CUSTOMER_SK

JOB = "purge-accounts"
JOB_ACTOR = f"job:{JOB}"
FIRST_RUN_LOOKBACK_DAYS = 7
_log = get_logger("purge")


def delete_customer_key(account_id: str) -> str:
    """The idempotency key of the deletion of an account's customer at the card gateway."""
    return f"renova-delete-customer-{account_id}"


class AccountPurger:
    def __init__(self, raw_table, files, events, clock, card_gateway: CardGateway):
        """`card_gateway`: called only when an account has a customer there; a stage without card
        payments gets one that refuses every call (the composition root builds it)."""
        self._table = raw_table
        self._files = files
        self._events = events
        self._clock = clock
        self._card_gateway = card_gateway

    def purge(self, account_id: str, today: date) -> dict | None:
        """Purge the account if its purge date has come; None when nothing is scheduled or due."""
        schedule = self._table.get(retention_pk(account_id), RETENTION_SK)
        if schedule is None or date.fromisoformat(schedule["purge_on"]) > today:
            return None
        self._purge_live_items(account_id, today)
        self._delete_all(self._table.index_partition("gsi1", "gsi1pk", owned_pk(account_id)))
        files = sum(self._files.delete_prefix(prefix) for prefix in account_prefixes(account_id))
        self._delete_all(self._table.partition(audit_pk(account_id)), keep_sk=TOMBSTONE_SK)
        facts = {"cancelled_on": schedule["cancelled_on"], "purge_on": schedule["purge_on"],
                 "purged_on": today.isoformat(), "tax_records_kept": self._table.count(tax_pk(account_id))}
        self._events.publish("account.purged", account_id, facts, event_id=f"account.purged:{account_id}")
        complete_purge(self._table, account_id, self._clock.now().isoformat(), JOB_ACTOR, facts)
        log_event(_log, "account purged", account_id=account_id, files_deleted_now=files, **facts)
        return facts

    def _purge_live_items(self, account_id: str, today: date) -> None:
        for page in self._table.partition(account_pk(account_id)):
            self._delete_gateway_customer(account_id, page)  # before the item that names it goes
            copies = [copy for item in page if (copy := tax_record(item, account_id, today))]
            self._table.put_items(copies)  # before the originals go: a crash in between loses nothing
            self._table.delete_keys([key_of(item) for item in page])

    def _delete_gateway_customer(self, account_id: str, page: list[dict]) -> None:
        """The customer saving a card created at the gateway (chalicelib/services/subscriptions/cards.py). Raises
        when the gateway does not answer: the page, GATEWAY_CUSTOMER included, is left for the retry."""
        customer = next((item for item in page if item["sk"] == GATEWAY_CUSTOMER_SK), None)
        if customer is None or not customer.get("customer_ref"):
            return
        self._card_gateway.delete_customer(customer["customer_ref"], delete_customer_key(account_id))
        log_event(_log, "gateway customer deleted", account_id=account_id, gateway=customer.get("gateway"))

    def _delete_all(self, pages, keep_sk: str | None = None) -> None:
        for page in pages:
            self._table.delete_keys([key_of(item) for item in page if item["sk"] != keep_sk])


@dataclass
class PurgeRun:
    business_date: date
    purged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    days_checked: int = 0

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": len(self.purged),
                "purged": len(self.purged), "failed": len(self.failed), "days_checked": self.days_checked}


class PurgeService:
    """The `purge-accounts` job: every account due on the days since the checkpoint, up to today."""

    def __init__(self, purger: AccountPurger, retention, checkpoints):
        self._purger = purger
        self._retention = retention
        self._checkpoints = checkpoints

    def run_due(self, today: date) -> PurgeRun:
        run = PurgeRun(today)
        window = self._checkpoints.open_window(JOB, today, FIRST_RUN_LOOKBACK_DAYS)
        for day in window.days:
            run.days_checked += 1
            for account_id in self._retention.due_on(day):
                if not self._purge_safely(account_id, today, run):
                    window.failed(day)
        # The checkpoint stops before the first day with a failure, so the next run retries it.
        self._checkpoints.close_window(JOB, window)
        return run

    def _purge_safely(self, account_id: str, today: date, run: PurgeRun) -> bool:
        try:
            if self._purger.purge(account_id, today) is not None:
                run.purged.append(account_id)
            return True
        except Exception:  # noqa: BLE001 — one account's failure must not stop the others
            _log.exception("purge failed", extra={"fields": {"account_id": account_id}})
            run.failed.append(account_id)
            return False
