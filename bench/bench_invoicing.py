"""issue-invoices: DynamoDB calls per issued invoice, and whether a day's cost follows the accounts
due that day or the size of the table.

At each size the table holds N accounts, of which `due` renew on 15 May 2026 and are invoiced by the
run of the 8th; the others are the same kind of account with their index keys 60 to 420 days ahead
(bench/seeding/cloner.py). A due account is what a Promob customer looks like on the 8th: billing data,
due day 15, two boleto subscriptions renewing on the 15th, their first invoices paid. The job has run
the day before (its checkpoint is the 7th), so the measured run plans one day: one Query per shard of
ISSUE#2026-05-08, then one worker per account (in-process: the local stage's path; the SQS Lambda
runs the same worker).

Checks: no Scan; at most 8 DynamoDB calls per issued invoice (planner and checkpoint included); the
same calls at both sizes; exactly the due accounts invoiced (an account due by accident would
inflate the figure per invoice: see below); on DynamoDB Local, the wall time with 5N accounts at
most 1.2x the time with N. The time ratio is only a target on DynamoDB Local: moto answers an index Query by walking
every item of the table, so on moto time grows with the table whatever the app does (bench_jobs.py).

Sizes (accounts N / 5N, due), overridable by BENCH_INVOICING_ACCOUNTS and BENCH_INVOICING_DUE:
  moto            100 / 500 accounts, 10 due      (quick: 20 / 100, 5 due)
  DynamoDB Local  2,000 / 10,000 accounts, 200 due (quick: 200 / 1,000, 20 due)
The full scale, 10,000 / 50,000 with 1,000 due, runs with BENCH_INVOICING_ACCOUNTS=10000
BENCH_INVOICING_DUE=1000 and --ddb-local (about 840,000 items to seed: roughly 7 minutes here).

The run's calls split in two, and both are reported: the per-run fixed cost (`fixed_calls`,
measured by a run the next day, when nothing is due: one Query per shard of the day, the
checkpoint's GetItem and PutItem = 10) and the worker's calls per invoice
(`worker_calls_per_invoice` = (run - fixed) / invoices: the account's live-state Query, the nosso
número counter's UpdateItem, the TransactWriteItems, the UpdateItem that clears the notice flag =
4; an account with an overdue open invoice adds one BatchGetItem). `calls_per_invoice` is
(4 x invoices + 10) / invoices: it tends to 4 as more accounts fall due on one day.
The same worker runs behind the SQS queue in AWS (jobs/invoicing.py): the same DynamoDB calls.

Why bench_jobs.py printed 11 calls per item for issue-invoices (2026-11-22): that figure divides
the work run's calls by the accounts its recipe made due, but in a run of every job twice as many
accounts were invoiced. check-overdue's due clones (a boleto subscription taken on 10 Dec, unpaid)
were suspended by check-overdue on its work day, 20 Dec, which rescheduled their next issue
(schedule_next_issue) from the subscription's real dates, which the cloner does not move: onto 8
Jan, issue-invoices' small work day; the worker then billed each of those accounts' boleto and card
renewals, two invoices, and on 8 Feb again. Per invoice the app made the same calls as here.

Run: .venv/bin/python -m bench.bench_invoicing [--quick] [--ddb-local]
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import date, datetime, timedelta

from bench import backend

CALLS_PER_INVOICE_TARGET = 8
TIME_RATIO_TARGET = 1.2
SCALE = 5
ISSUE_DAY = date(2026, 5, 8)
SUBSCRIBED_ON = date(2026, 4, 20)  # first periods land on the due day: 20 Apr -> 15 May


def sizes() -> tuple[int, int]:
    quick, local = backend.quick(), backend.ddb_local()
    accounts = {(False, False): 100, (True, False): 20, (False, True): 2000, (True, True): 200}[(quick, local)]
    due = {(False, False): 10, (True, False): 5, (False, True): 200, (True, True): 20}[(quick, local)]
    return int(os.environ.get("BENCH_INVOICING_ACCOUNTS", accounts)), int(os.environ.get("BENCH_INVOICING_DUE", due))


def measure() -> dict:
    accounts, due = sizes()
    _measure_size(2, 1)  # warm-up, not counted: imports, the PDF fonts and templates load once
    small, large = _measure_size(accounts, due), _measure_size(accounts * SCALE, due)
    per_invoice = round(small["dynamodb_calls"] / max(small["invoices"], 1), 2)
    failures = []
    if small["accounts_invoiced"] != due or large["accounts_invoiced"] != due:
        failures.append(f"expected the {due} due accounts invoiced, the run took "
                        f"{small['accounts_invoiced']} and {large['accounts_invoiced']}")
    if small["fixed_run_invoices"] or large["fixed_run_invoices"]:
        failures.append("the run of the next day, meant to find nothing due, issued invoices: fixed cost unmeasured")
    if small["scans"] or large["scans"]:
        failures.append("a Scan ran")
    if per_invoice > CALLS_PER_INVOICE_TARGET:
        failures.append(f"{per_invoice} DynamoDB calls per invoice (target {CALLS_PER_INVOICE_TARGET})")
    if small["calls"] != large["calls"]:
        failures.append(f"calls differ with the table size: {small['calls']} vs {large['calls']}")
    if small["invoices"] != due or large["invoices"] != due:
        failures.append(f"expected {due} invoices, issued {small['invoices']} and {large['invoices']}")
    time_ratio = round(large["seconds"] / small["seconds"], 3)
    result = {
        "backend": backend.name(), "accounts": f"{accounts} vs {accounts * SCALE}", "due": due,
        "calls_per_invoice": per_invoice, "calls_per_invoice_target": CALLS_PER_INVOICE_TARGET,
        "worker_calls_per_invoice": small["worker_calls_per_invoice"], "fixed_calls": small["fixed_calls"],
        "scans": small["scans"] + large["scans"], "failures": failures,
        "detail": {"small": small, "large": large},
    }
    if backend.ddb_local():
        result.update(ratio=time_ratio, target=TIME_RATIO_TARGET)
    else:
        result["time_ratio_moto"] = time_ratio  # informative only, see the module's docstring
    result["app_time_ratio"] = round(large["app_seconds"] / max(small["app_seconds"], 1e-9), 3)
    return result


def _measure_size(accounts: int, due: int) -> dict:
    from bench import world as w
    from bench.call_counter import counting
    from bench.seeding.clones import clone_accounts
    from chalicelib.jobs.registry import run_job

    start = datetime.combine(SUBSCRIBED_ON, w.BENCH_NOW.timetz().replace(hour=10))
    with w.quiet_app(), w.open_world(start) as world:
        background, due_template = _templates(world)
        seeded = clone_accounts(world, accounts - due, "background accounts", source=background)
        clone_accounts(world, due, "due accounts", source=due_template)
        world.services.checkpoints.advance("issue-invoices", ISSUE_DAY - timedelta(days=1))
        world.set_now(datetime.combine(ISSUE_DAY, w.BENCH_NOW.timetz().replace(hour=6)))
        with counting() as log:
            started = time.perf_counter()
            summary = run_job("issue-invoices", world.services, ISSUE_DAY)
            seconds = time.perf_counter() - started
        # The fixed cost of a run: the next day, when nothing is due (the due accounts renew again
        # in a month, the background ones months ahead).
        next_day = ISSUE_DAY + timedelta(days=1)
        world.set_now(datetime.combine(next_day, w.BENCH_NOW.timetz().replace(hour=6)))
        with counting() as empty:
            idle = run_job("issue-invoices", world.services, next_day)
    invoices = summary["invoices_issued"]
    worker_calls = log.total() - empty.total()
    return {"accounts": accounts, "invoices": invoices, "accounts_invoiced": summary["accounts"],
            "calls": log.dynamodb(), "dynamodb_calls": log.total(), "fixed_calls": empty.total(),
            "fixed_run_calls": empty.dynamodb(), "fixed_run_invoices": idle["invoices_issued"],
            "worker_calls": _difference(log.dynamodb(), empty.dynamodb()),
            "worker_calls_per_invoice": round(worker_calls / max(invoices, 1), 2),
            "scans": len(log.scans) + len(empty.scans), "seconds": round(seconds, 3),
            "app_seconds": round(max(seconds - log.aws_ms / 1000, 0.0), 3),
            "other_calls": {svc: log.service(svc) for svc in ("s3", "ses", "events", "sqs") if log.service(svc)},
            "seeded_items_per_account": seeded["items_per_account"]}


def _difference(run: dict, fixed: dict) -> dict:
    """The calls of a run less those of the empty run: what the worker made for the invoices."""
    return {op: run.get(op, 0) - fixed.get(op, 0) for op in sorted(set(run) | set(fixed))
            if run.get(op, 0) != fixed.get(op, 0)}


def _templates(world):
    """The due account, made through the API and read back: once with its ISSUE# keys on the 8th
    (due), once with every dated key moved away (background)."""
    from bench import world as w
    from bench.seeding.templates import Template, account_template

    api, owner = world.api, world.api.token(w.new_id("usr"))
    account_id = api.ok("POST", "/v1/accounts", owner, {"name": "Marcenaria"})["id"]
    base = f"/v1/accounts/{account_id}"
    api.ok("PUT", f"{base}/billing-data", owner, w.VALID_BILLING_DATA)
    api.ok("PUT", f"{base}/billing-settings", owner, {"due_day": 15})

    def subscribe_and_pay():
        for product, quantity in (("promob-cats-mandatory", 2), ("promob-cats-optional", 1)):
            sub = api.ok("POST", f"{base}/subscriptions", owner, {"product_id": product, "periodicity": "monthly",
                                                                 "quantity": quantity, "payment_method": "boleto"})
            _mark_paid(account_id, sub["invoice_id"])

    due = account_template(world, account_id, recipe=subscribe_and_pay, work_day=ISSUE_DAY)
    return Template(due.items, due.tokens, work_keys=set()), due


def _mark_paid(account_id: str, invoice_id: str) -> None:
    """What settlement leaves of a first invoice paid by boleto: paid, off the live summaries."""
    from chalicelib.store.base import account_pk
    from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem, invoice_sk, open_invoice_sk

    invoice = InvoiceItem.get(account_pk(account_id), invoice_sk(invoice_id), consistent_read=True)
    invoice.status, invoice.paid_cents = "paid", invoice.total_cents
    invoice.save()
    OpenInvoiceItem(pk=invoice.pk, sk=open_invoice_sk(invoice_id)).delete()


if __name__ == "__main__":
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.bench_invoicing")
    parser.add_argument("--ddb-local", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    backend.configure(ddb_local=args.ddb_local, quick=args.quick)
    print(json.dumps(measure(), indent=2, ensure_ascii=False))
