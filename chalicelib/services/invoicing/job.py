"""The `issue-invoices` job: daily at 06:00 (São Paulo) it plans each day since its checkpoint; the
accounts to bill are those with a subscription on the `due` index under ISSUE#<day>#<shard> — one
Query per shard and page, never a Scan — and each (account, day) goes to the worker
(services/invoicing/worker.py).

Fan-out in AWS: the scheduled Lambda only sends one `plan-issue-shard` item per (day, shard) to the
SQS work queue. The worker Lambda reads one page of that shard, sends an `issue-invoice` item per
account, and the next page as another `plan-issue-shard` item; `issue-invoice` items issue the
invoices. No Lambda ever holds more than a page, however many subscriptions renew on a day.
Locally and in tests the same steps run in-process, one after the other.

Catch-up: the checkpoint is the last day planned. A run after missed days plans each of them; an
account already billed is a no-op for the worker. In-process, the checkpoint stops before the first
day with a failure, so the next run retries it; on the queue, retries are SQS's (then its DLQ)."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.observability.logging import get_logger
from chalicelib.store.schema import DUE_SHARDS
from chalicelib.services.invoicing.work_kinds import PLAN_KIND, WORK_KIND

JOB = "issue-invoices"
FIRST_RUN_LOOKBACK_DAYS = 7
PAGE = 1000  # index entries per planning step: one Lambda's worth of messages to send
_log = get_logger("invoicing")


def work_item(account_id: str, issue_date: date) -> dict:
    return {"kind": WORK_KIND, "account_id": account_id, "issue_date": issue_date.isoformat()}


def plan_item(issue_date: date, shard: int, after: dict | None = None) -> dict:
    return {"kind": PLAN_KIND, "issue_date": issue_date.isoformat(), "shard": shard, "after": after}


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
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.accounts or self.queued,
                "days_checked": self.days_checked, "accounts": self.accounts, "queued": self.queued,
                "invoices_issued": self.invoices_issued, "superseded": self.superseded,
                "already_issued": self.already_issued, "nothing_due": self.nothing_due,
                "failed": len(self.failed)}


class IssueInvoicesJob:
    def __init__(self, reads, checkpoints, queue, in_process: bool):
        self._reads = reads
        self._checkpoints = checkpoints
        self._queue = queue
        self._in_process = in_process  # the local stage: no queue between the steps

    def run(self, today: date, worker) -> IssueRun:
        """worker(message) -> result dict: jobs.work_queue.handle, the worker Lambda's own entry."""
        run = IssueRun(today)
        window = self._checkpoints.open_window(JOB, today, FIRST_RUN_LOOKBACK_DAYS)
        for day in window.days:
            run.days_checked += 1
            shards = [plan_item(day, shard) for shard in range(DUE_SHARDS)]
            if not self._in_process:
                run.queued += self._queue.send(shards)
            elif not self._plan_in_process(shards, worker, run):
                window.failed(day)
        self._checkpoints.close_window(JOB, window)
        return run

    def plan_shard(self, message: dict) -> tuple[list[dict], dict | None]:
        """One page of a shard: the accounts' work items, and the planning item of the next page."""
        day = date.fromisoformat(message["issue_date"])
        accounts, after = self._reads.accounts_to_issue(day, message["shard"], message.get("after"), PAGE)
        follow_up = plan_item(day, message["shard"], after) if after else None
        return [work_item(account_id, day) for account_id in accounts], follow_up

    def plan_and_queue(self, message: dict) -> dict:
        """The worker Lambda's step for a `plan-issue-shard` item."""
        items, follow_up = self.plan_shard(message)
        self._queue.send(items + ([follow_up] if follow_up else []))
        return {"kind": PLAN_KIND, "issue_date": message["issue_date"], "shard": message["shard"],
                "accounts": len(items), "more": follow_up is not None}

    def _plan_in_process(self, shards: list[dict], worker, run: IssueRun) -> bool:
        ok = True
        pending = list(shards)
        while pending:
            items, follow_up = self.plan_shard(pending.pop(0))
            pending.extend([follow_up] if follow_up else [])
            run.accounts += len(items)
            ok = self._work(items, worker, run) and ok
        return ok

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
