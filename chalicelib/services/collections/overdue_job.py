"""The `check-overdue` job: daily at 07:00 (São Paulo). For each day since its checkpoint it reads
the review list (REVIEW#<day>#<shard> on the `due` index, one Query per shard, never a Scan) and
handles what is there:
- an open invoice: the overdue review of its account (overdue.py), once per account;
- a scheduled cancellation: the subscription ends on its effective date;
- a partner batch license leaving its batch: released at the batch renewal.

Each handler moves its item off the day's list (to the next day something may change, or off the
list), so a second run the same day finds nothing and changes nothing. The checkpoint stops the day
before the run: today's list may still grow (an invoice issued later today), and a run after missed
days reads each of them. One account's failure does not stop the others; the checkpoint then stays
before the first day that failed, so the next run tries again."""
import logging
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.store.batches import BatchLicenseItem
from chalicelib.store.cancellations import CancellationItem
from chalicelib.store.invoices import OpenInvoiceItem
from chalicelib.store.notices import NoticeItem

JOB = "check-overdue"
FIRST_RUN_LOOKBACK_DAYS = 7
_log = get_logger("overdue")


@dataclass
class OverdueRun:
    business_date: date
    processed: int = 0  # items read from the review list
    accounts_reviewed: int = 0
    steps: dict = field(default_factory=lambda: {status: 0 for status in SubscriptionStatus})
    invoices_rescheduled: int = 0
    cancellations_effective: int = 0
    licenses_released: int = 0
    notices_delivered: int = 0  # notices a crash left behind
    failed: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.processed,
                "accounts_reviewed": self.accounts_reviewed,
                "past_due": self.steps[SubscriptionStatus.PAST_DUE],
                "suspended": self.steps[SubscriptionStatus.SUSPENDED],
                "cancelled": self.steps[SubscriptionStatus.CANCELLED],
                "restored": self.steps[SubscriptionStatus.ACTIVE],
                "invoices_rescheduled": self.invoices_rescheduled,
                "cancellations_effective": self.cancellations_effective,
                "licenses_released": self.licenses_released, "notices_delivered": self.notices_delivered,
                "failed": len(self.failed)}


class CheckOverdueJob:
    def __init__(self, overdue, cancellations, license_exits, notices, checkpoints, reviews):
        """`cancellations`: CancellationEndings (`take_effect`); `license_exits`: LicenseExits (`release`);
        `reviews`: ReviewRepository, the review list."""
        self._overdue = overdue
        self._cancellations = cancellations
        self._license_exits = license_exits
        self._notices = notices
        self._checkpoints = checkpoints
        self._reviews = reviews

    def run(self, today: date) -> OverdueRun:
        run = OverdueRun(today)
        window = self._checkpoints.open_window(JOB, today, FIRST_RUN_LOOKBACK_DAYS, today_stays_open=True)
        for day in window.days:
            if not self._run_day(day, run):
                window.failed(day)
        self._checkpoints.close_window(JOB, window)
        return run

    def _run_day(self, day: date, run: OverdueRun) -> bool:
        accounts: dict[str, None] = {}
        handlers = []
        for item in self._reviews.items_to_review(day):
            run.processed += 1
            if isinstance(item, OpenInvoiceItem):
                accounts[item.account_id] = None
            elif isinstance(item, CancellationItem):
                handlers.append((item.account_id, lambda i=item: self._take_effect(i, run)))
            elif isinstance(item, BatchLicenseItem):
                handlers.append((item.account_id, lambda i=item: self._release(i, run)))
            elif isinstance(item, NoticeItem):  # left behind by a crash after its change was committed
                handlers.append((item.account_id, lambda i=item: self._deliver(i, run)))
        handlers = [(account_id, lambda a=account_id: self._review(a, run)) for account_id in accounts] + handlers
        ok = True
        for account_id, handle in handlers:
            try:
                handle()
            except Exception:  # noqa: BLE001 — one account's failure must not stop the others
                _log.exception("check-overdue failed",
                               extra={"fields": {"account_id": account_id, "day": day.isoformat()}})
                run.failed.append(account_id)
                ok = False
        return ok

    def _review(self, account_id: str, run: OverdueRun) -> None:
        review = self._overdue.review_account(account_id)
        run.accounts_reviewed += 1
        run.invoices_rescheduled += review.rescheduled
        for transition in review.transitions:
            run.steps[transition.after] += 1
        if review.transitions:
            log_event(_log, "overdue steps", level=logging.INFO, account_id=account_id,
                      steps=[f"{t.subscription.subscription_id}:{t.after.value}" for t in review.transitions])

    def _take_effect(self, item: CancellationItem, run: OverdueRun) -> None:
        if self._cancellations.take_effect(item.account_id, item.subscription_id):
            run.cancellations_effective += 1

    def _deliver(self, item: NoticeItem, run: OverdueRun) -> None:
        self._notices.deliver(item)
        run.notices_delivered += 1

    def _release(self, item: BatchLicenseItem, run: OverdueRun) -> None:
        if self._license_exits.release(item.account_id, item.subscription_id, item.license_id):
            run.licenses_released += 1
