"""The `issue-invoices` job: daily at 06:00 (São Paulo) a planner lists the accounts whose invoices
are issued on each day since its checkpoint — the subscriptions on the `due` index under
ISSUE#<day>#<shard>, one Query per shard, never a Scan — and hands one work item per (account, day)
to the worker (services/invoicing.py). In AWS the items go to the SQS work queue and the worker
Lambda takes them; locally and in tests the same worker runs in-process, one item after another.

Catch-up: the checkpoint is the last day planned. A run after missed days plans each of them; an
account billed already is a no-op for the worker. In-process, the checkpoint stops before the first
day with a failure, so the next run retries it."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from chalicelib.observability.logging import get_logger
from chalicelib.store.due import days_between

JOB = "issue-invoices"
WORK_KIND = "issue-invoice"
FIRST_RUN_LOOKBACK_DAYS = 7
_log = get_logger("invoicing")


def work_item(account_id: str, issue_date: date) -> dict:
    return {"kind": WORK_KIND, "account_id": account_id, "issue_date": issue_date.isoformat()}


@dataclass
class IssueRun:
    business_date: date
    days_checked: int = 0
    accounts: int = 0
    queued: int = 0
    invoices_issued: int = 0
    superseded: int = 0
    already_issued: int = 0
    nothing_due: int = 0
    failed: list[str] = field(default_factory=list)

    def count(self, result: dict) -> None:
        self.invoices_issued += len(result["invoice_ids"])
        self.superseded += len(result["superseded"])
        self.already_issued += int(result["already_issued"])
        self.nothing_due += int(not result["invoice_ids"] and not result["already_issued"])

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.accounts,
                "days_checked": self.days_checked, "invoices_issued": self.invoices_issued,
                "superseded": self.superseded, "already_issued": self.already_issued,
                "nothing_due": self.nothing_due, "queued": self.queued, "failed": len(self.failed)}


class IssueInvoicesJob:
    def __init__(self, reads, checkpoints, queue=None):
        self._reads = reads
        self._checkpoints = checkpoints
        self._queue = queue  # None: run the worker in-process

    def run(self, today: date, worker) -> IssueRun:
        """worker(message) -> result dict: jobs.work_queue.handle, the SQS Lambda's own entry."""
        run = IssueRun(today)
        checkpoint = self._checkpoints.get(JOB)
        first = checkpoint + timedelta(days=1) if checkpoint else today - timedelta(days=FIRST_RUN_LOOKBACK_DAYS)
        first_failed = None
        for day in days_between(first, today):
            run.days_checked += 1
            messages = [work_item(account_id, day) for account_id in self._reads.accounts_to_issue(day)]
            run.accounts += len(messages)
            if self._queue is not None:
                run.queued += self._queue.send(messages)
            elif not self._work(messages, worker, run):
                first_failed = first_failed or day
        done_through = first_failed - timedelta(days=1) if first_failed else today
        if done_through >= first:
            self._checkpoints.advance(JOB, done_through)
        return run

    @staticmethod
    def _work(messages: list[dict], worker, run: IssueRun) -> bool:
        ok = True
        for message in messages:
            try:
                run.count(worker(message))
            except Exception:  # noqa: BLE001 — one account's failure must not stop the others
                _log.exception("invoicing failed", extra={"fields": message})
                run.failed.append(message["account_id"])
                ok = False
        return ok
