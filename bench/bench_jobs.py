"""Per scheduled job: DynamoDB calls per item of work, and whether the cost of the same due work
follows the work or the size of the tables (a small table vs one 5x larger).

For every job registered at run time (`jobs.registry.available_jobs()`): a priming run (not
measured) the day before leaves the job's checkpoint where production would have it; then, at each
table size, on two consecutive days of the job's own:
  1. an empty run: the fixed cost of a day with nothing due (its queries over the day's shards);
  2. a work run: `due` accounts made due that day through the job's work recipe (WORK_RECIPES: one
     account through the API or its service, then cloned): calls per item = (work - empty) / due.
Every account in the tables is a clone (bench/world.py): a typical account, or one a recipe made
due, built through the API, read back and removed. A clone's dated index keys lie 200 to 560 days
ahead, except those its recipe set: nothing but the measured work is due on the benchmark's days.

Checks (failures make `make bench` exit non-zero): no Scan; the work run makes the same DynamoDB
calls at both sizes; on DynamoDB Local the time ratio large/small is at most 1.2 (issue 6), judged
on the CPU time the run takes in this process and in DynamoDB Local's (`cpu_seconds`, `cpu x5`):
on 2 cores shared with other work, wall time measures the neighbours as much as the job (the app's
own Python time, which cannot depend on the tables, varied by up to 1.7x between the two sizes in
one run). The wall-time ratio (`time x5`) and the same in units of a CPU probe taken around each
run (`cpu_probe`, `norm x5`) are printed beside it.

Where it runs: `measure()` at the default sizes always runs on AWS DynamoDB Local, in a process of
its own (`in_own_process`: `python -m bench.bench_jobs --ddb-local` with BENCH_DDB_LOCAL_FILE=1),
whatever the backend of `make bench`, because the time ratio means something there only: moto
answers a Query by walking every item of the table and copies whole tables for each
TransactWriteItems (moto/dynamodb/models), so on moto time grows with the table whatever the app
does. That DynamoDB Local keeps its data in an SQLite file (tmpfs), so bench/world.py seeds the
tables by writing DynamoDB Local's own rows into it (`SQLiteSeeder`, checked against the rows
DynamoDB Local wrote itself for the first account): 10,000-16,000 items/s here instead of 1,500-3,300
through BatchWriteItem. With explicit sizes (tests), with BENCH_JOBS_MOTO=1, or when DynamoDB Local
is not installed, it runs in the calling process on its backend (moto: calls only, no time check).
`app_time_ratio` (time outside AWS calls) is shown on both.

Sizes (accounts in the tables, small / large = 5x small, and due items), overridable by
BENCH_JOB_ACCOUNTS and BENCH_JOB_DUE:
  DynamoDB Local  10,000 / 50,000 accounts, 100 due (quick: 200 / 1,000, 10 due)
  moto            40 / 200 accounts, 3 due         (quick: 10 / 50, 2 due)
Seeding is incremental: 10,000 accounts, the small runs, then 40,000 more and the large runs
(1.85 M items in all, 37 an account). At the default sizes the whole took 3 min 55 s to 5 min
26 s on this project's 2 shared cores (8 min with three test suites running beside it), seeding
2 to 3 minutes of it; a job's due accounts (100) go through BatchWriteItem (`rows=False`).

Run: .venv/bin/python -m bench.bench_jobs [--quick] [--ddb-local]
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench import backend

TIME_RATIO_TARGET = 1.2  # issue 6: the same due work with 5x the accounts takes at most 1.2x the time
SCALE = 5


def _due_backup(world, account: dict) -> None:
    """run-backups: a backup scheduled within the run's hour."""
    run_at = world.now.replace(minute=30)
    world.api.ok("POST", f"/v1/accounts/{account['ids']['account_id']}/backups", account["tokens"]["owner"],
                 {"run_at": run_at.isoformat()})


def _due_purge(world, account: dict) -> None:
    """purge-accounts: an account cancelled exactly the retention period ago."""
    from chalicelib.domain.data_lifecycle import RETENTION_DAYS

    cancelled_on = world.now.date() - timedelta(days=RETENTION_DAYS)
    world.services.retention.schedule_purge(account["ids"]["account_id"], cancelled_on)


def _due_card_charge(world, account: dict) -> None:
    """charge-cards: a card subscription taken today; its first invoice is charged today."""
    world.api.ok("POST", f"/v1/accounts/{account['ids']['account_id']}/subscriptions", account["tokens"]["owner"],
                 {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "card"})


def _due_renewal(world, account: dict) -> None:
    """issue-invoices: an annual subscription taken a year before the 20th renews on the 20th;
    with the account's due day 15 its invoice is due on the 15th and issued 7 days before: today,
    the 8th."""
    _annual_renewing_on(world, account, world.now.date() + timedelta(days=12))


def _annual_renewing_on(world, account: dict, renewal: date) -> None:
    """An annual boleto subscription taken a year before `renewal`, its first invoice paid then (an
    invoice left unpaid for a year would be an overdue account's, not a renewal's)."""
    from chalicelib.domain.periods import add_months

    today = world.now
    world.set_now(datetime.combine(add_months(renewal, -12), today.timetz()))
    try:
        invoice_id = world.api.ok(
            "POST", f"/v1/accounts/{account['ids']['account_id']}/subscriptions", account["tokens"]["owner"],
            {"product_id": "operand-pro", "periodicity": "annual", "quantity": 2,
             "payment_method": "boleto"})["invoice_id"]
        world.api.ok("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": invoice_id, "method": "pix"})
    finally:
        world.set_now(today)


def _reminder_due(world, account: dict) -> None:
    """send-reminders: a renewal invoice due in 3 days, open — the annual renewal of the 20th
    (`_due_renewal`), issued on the 8th by the issuing worker (not the job: its checkpoint is the
    benchmark's), due on the 15th; today is the 12th. It sits on the review list of the 16th."""
    account_id, today = account["ids"]["account_id"], world.now
    _annual_renewing_on(world, account, today.date() + timedelta(days=8))
    issue_day = today.date() - timedelta(days=4)
    world.set_now(datetime.combine(issue_day, today.timetz()))
    try:
        issued = world.services.invoicing.issue_for_account(account_id, issue_day)
    finally:
        world.set_now(today)
    if not issued.invoice_ids:
        raise RuntimeError(f"send-reminders recipe: no renewal invoice issued on {issue_day}")


def _overdue_boleto(world, account: dict) -> None:
    """check-overdue: a boleto subscription taken ten days ago, its first invoice unpaid, on today's
    review list (the list the job keeps: the day after the due date, then each change day)."""
    from chalicelib.store.base import account_pk
    from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
    from chalicelib.store.reviews import review_due

    account_id, today = account["ids"]["account_id"], world.now
    world.set_now(today - timedelta(days=10))
    try:
        invoice_id = world.api.ok("POST", f"/v1/accounts/{account_id}/subscriptions", account["tokens"]["owner"],
                                  {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                                   "payment_method": "boleto"})["invoice_id"]
    finally:
        world.set_now(today)
    due = review_due(account_id, invoice_id, today.date())
    OpenInvoiceItem(pk=account_pk(account_id), sk=open_invoice_sk(invoice_id)).update(
        actions=[OpenInvoiceItem.due_pk.set(due["due_pk"]), OpenInvoiceItem.due_sk.set(due["due_sk"])])


def _issued_boleto(world, account: dict) -> None:
    """register-boletos: a boleto issued today, waiting for the day's CNAB 240 remittance — a
    boleto subscription taken today, whose first invoice's boleto the customer asks for (2ª via:
    the invoice has none yet, so one is issued now, listed REMIT#<today>)."""
    base = f"/v1/accounts/{account['ids']['account_id']}"
    owner = account["tokens"]["owner"]
    invoice_id = world.api.ok("POST", f"{base}/subscriptions", owner,
                              {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                               "payment_method": "boleto"})["invoice_id"]
    world.api.ok("POST", f"{base}/invoices/{invoice_id}/second-copy", owner)


WINDOW_DAYS = 14


def _default_days(first_day):
    return first_day + timedelta(days=1), first_day + timedelta(days=3)


def _monthly_on(day_of_month: int):
    """Work days on that day of two consecutive months, from `first_day` on."""
    def days(first_day):
        small = first_day.replace(day=day_of_month)
        if first_day.day >= day_of_month:
            small = _next_month(first_day).replace(day=day_of_month)
        return small, _next_month(small).replace(day=day_of_month)
    return days


def _next_month(day):
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


# Job name -> how to make one account's work due on the benchmark's day. A registered job with no
# recipe is still measured (empty runs, Scans, growth with the tables) and reported without calls per item.
WORK_RECIPES = {
    "run-backups": _due_backup,
    "purge-accounts": _due_purge,
    "charge-cards": _due_card_charge,
    "issue-invoices": _due_renewal,
    "check-overdue": _overdue_boleto,
    "register-boletos": _issued_boleto,
    "send-reminders": _reminder_due,
}
# Job name -> its (small, large) work days from the first day of its window, when not the default
# (first + 1, first + 3): a job whose work can only fall due on some days. Invoices due on the 15th
# (the accounts' due day) are issued on the 8th and reminded on the 12th.
WORK_DAYS = {
    "issue-invoices": _monthly_on(8),
    "send-reminders": _monthly_on(12),
}
# Job name -> the day of the index key its work run reads, when not the work day itself: the
# reminders of the 12th read the review list of the 16th (invoices due on the 15th).
WORK_KEY_DAYS = {
    "send-reminders": lambda work_day: work_day + timedelta(days=4),
}


@dataclass
class Run:
    calls: dict = field(default_factory=dict)
    units_per_call: dict = field(default_factory=dict)
    other_calls: dict = field(default_factory=dict)
    dynamodb_calls: int = 0
    rru: float = 0.0
    wru: float = 0.0
    scans: int = 0
    seconds: float = 0.0
    app_seconds: float = 0.0
    summary: dict = field(default_factory=dict)
    probe_seconds: float = 0.0  # the CPU probe around the run: how fast this machine was then
    cpu_seconds: float = 0.0  # CPU time of this process and of DynamoDB Local's during the run


def cpu_probe() -> float:
    """Seconds a fixed piece of CPU work takes now (about 0.1 s on an idle core: long enough to
    share the CPU with whatever else runs). Two cores shared with other processes run at very
    different speeds minute to minute (here the app's own work, which does not depend on the table,
    took up to 2x as long between two runs), so job times are compared in units of this probe,
    taken just before and after each run."""
    import hashlib

    block = b"renova" * 50_000
    started = time.perf_counter()
    for _ in range(250):
        hashlib.sha256(block).digest()
    return time.perf_counter() - started


def cpu_seconds() -> float:
    """CPU seconds used so far by this process (every thread) and by DynamoDB Local's JVM (every
    thread: request handling, SQLite, JIT, GC; from /proc, 10 ms ticks): the work a run makes both
    do, whatever else the machine runs meanwhile."""
    total = time.process_time()
    pid = backend.ddb_local_pid()
    if pid is not None:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def sizes() -> tuple[int, int]:
    """(accounts in the small table, due items)."""
    quick, local = backend.quick(), backend.ddb_local()
    accounts = {(False, False): 40, (True, False): 10, (False, True): 10_000, (True, True): 200}[(quick, local)]
    due = {(False, False): 3, (True, False): 2, (False, True): 100, (True, True): 10}[(quick, local)]
    return int(os.environ.get("BENCH_JOB_ACCOUNTS", accounts)), int(os.environ.get("BENCH_JOB_DUE", due))


def warm_up(world, seconds: float = 15.0) -> int:
    """Requests of the kinds the jobs make, for `seconds`, before the small runs: the tables are
    seeded as SQLite rows, so DynamoDB Local's JVM has not compiled its request paths yet, and the
    small runs would pay its JIT warm-up while the large ones profit from it (in one run every
    large/small ratio came out 0.44-0.89). Queries of the due index on the background's days,
    GetItem, BatchGetItem, PutItem, UpdateItem, TransactWriteItems and DeleteItem on scratch items
    (removed). Not counted. Returns the requests made."""
    import random

    from bench import world as w

    dynamodb = world.services.boto3_client("dynamodb")
    table = world.services.settings.billing_table
    kinds = sorted({match.group(1) for items in w.template(world).items.values() for item in items
                    if (match := w._DATED_SHARD.match((item.get("due_pk") or {}).get("S") or ""))})
    first = w.BENCH_NOW.date() + timedelta(days=w.BACKGROUND_SHIFT_DAYS)
    rng, made, n = random.Random(6), 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        n += 1
        key = {"pk": {"S": f"BENCH#WARMUP#{n % 50}"}, "sk": {"S": "ITEM"}}
        day = first + timedelta(days=rng.randrange(360))
        for kind in kinds[:2]:
            dynamodb.query(TableName=table, IndexName="due", KeyConditionExpression="due_pk = :p",
                           ExpressionAttributeValues={":p": {"S": f"{kind}#{day.isoformat()}#{rng.randrange(8)}"}})
        dynamodb.put_item(TableName=table, Item={**key, "n": {"N": str(n)}, "text": {"S": "x" * 200}})
        dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET n = n + :one",
                             ExpressionAttributeValues={":one": {"N": "1"}})
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key, "UpdateExpression": "SET m = :n",
                        "ExpressionAttributeValues": {":n": {"N": str(n)}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": f"BENCH#WARMUP#{n % 50}"}, "sk": {"S": "AUDIT"}},
                     "ConditionExpression": "attribute_not_exists(pk) OR attribute_exists(pk)"}}])
        dynamodb.batch_get_item(RequestItems={table: {"Keys": [key]}})
        dynamodb.query(TableName=table, KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": key["pk"]})
        made += 6 + len(kinds[:2])
    for m in range(min(n, 50)):
        for sk in ("ITEM", "AUDIT"):
            dynamodb.delete_item(TableName=table, Key={"pk": {"S": f"BENCH#WARMUP#{m}"}, "sk": {"S": sk}})
    return made


def run(world, job: str, day) -> Run:
    """One run of `job` for business day `day`, at 20:00 São Paulo (inside the backup window)."""
    from bench.call_counter import counting
    from bench.world import BENCH_NOW
    from chalicelib.jobs.registry import run_job

    world.set_now(datetime.combine(day, BENCH_NOW.timetz()))
    speed_before = cpu_probe()
    with counting() as log:
        started, cpu_before = time.perf_counter(), cpu_seconds()
        summary = run_job(job, world.services, day)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    probe = (speed_before + cpu_probe()) / 2
    return Run(calls=log.dynamodb(), units_per_call=log.units_per_call(), dynamodb_calls=log.total(),
               rru=log.read_units, wru=log.write_units, probe_seconds=probe, cpu_seconds=cpu,
               other_calls={svc: log.service(svc) for svc in ("ses", "s3", "events", "sqs") if log.service(svc)},
               scans=len(log.scans), seconds=seconds, app_seconds=max(seconds - log.aws_ms / 1000, 0.0),
               summary=summary if isinstance(summary, dict) else {})


def work_template(world, job: str, day):
    """One account whose work for `job` falls due on `day`, made through the recipe and read back as
    items. Built while the tables are still small: on moto every transaction copies the whole table."""
    from bench import world as w

    world.set_now(datetime.combine(day, w.BENCH_NOW.timetz()))
    account = w.seed_account(world, backups=0)
    key_day = WORK_KEY_DAYS.get(job, lambda work_day: work_day)(day)
    return w.account_template(world, account["ids"]["account_id"], recipe=lambda: WORK_RECIPES[job](world, account),
                              work_day=key_day)


def measure_size(world, jobs: list[str], due: int, days: dict, templates: dict, last_run: dict) -> dict[str, dict]:
    """Each job runs on its own consecutive days (`days[job]`: empty day, work day) after a run on
    every day since its last one (`last_run`, not measured), so each measured run catches up
    exactly one day since the job's checkpoint, at both sizes alike."""
    from bench import world as w

    results = {}
    for job in jobs:
        empty_day, work_day = days[job]
        try:
            day = last_run[job] + timedelta(days=1)
            while day < empty_day:
                run(world, job, day)
                day += timedelta(days=1)
            empty = run(world, job, empty_day)
            last_run[job] = work_day
            owned = set()
            if job in templates:
                w.clone_accounts(world, due, label=f"{job}: due accounts", source=templates[job][work_day], rows=False,
                                 partitions=owned)
            try:
                work = run(world, job, work_day)  # without a recipe still run: the next day catches up one day
            finally:
                # What the job made of its due accounts (a suspension's next invoice, a renewal's
                # review day) must not fall due on another job's measured days.
                w.remove_partitions(world, owned)
            results[job] = {"empty": empty, "work": work if job in templates else None}
        except Exception as exc:  # noqa: BLE001 — one broken job must not hide the others' figures
            results[job] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


@dataclass
class JobResult:
    job: str
    due: int
    small: dict | None = None
    large: dict | None = None
    note: str | None = None
    failures: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [], {})}


def compare(job: str, due: int, small: dict, large: dict, local: bool) -> JobResult:
    result = JobResult(job=job, due=due)
    for label, data in (("small", small), ("large", large)):
        if "error" in data:
            result.failures.append(f"{job} raised at the {label} size: {data['error']}")
    if result.failures:
        return result
    result.small, result.large = _figures(small, due), _figures(large, due)
    for label, data in (("small", small), ("large", large)):
        for kind in ("empty", "work"):
            if data[kind] is not None and data[kind].scans:
                result.failures.append(f"Scan in {job} ({kind} run, {label} table)")
    if small["empty"].calls != large["empty"].calls:
        result.failures.append(f"{job}: an empty run's calls grow with the table "
                               f"({small['empty'].calls} -> {large['empty'].calls})")
    if small["work"] is None:
        result.note = "no work recipe in bench_jobs.WORK_RECIPES: calls per item unmeasured"
        return result
    if small["work"].calls != large["work"].calls:
        result.failures.append(f"{job}: the same due work makes other calls with {SCALE}x the accounts "
                               f"({small['work'].calls} -> {large['work'].calls})")
    processed = small["work"].summary.get("processed")
    if isinstance(processed, int) and processed < due:
        result.note = f"the job processed {processed} of {due} due items: check its work recipe"
    ratio = result.large["work_seconds"] / max(result.small["work_seconds"], 1e-9)
    speed = small["work"].probe_seconds / max(large["work"].probe_seconds, 1e-9)
    normalized = ratio * speed  # the time ratio in units of the CPU probe: the machine's load taken out
    result.large["normalized_time_ratio"] = round(normalized, 2)
    result.large["time_ratio"] = round(ratio, 2)
    app_ratio = result.large["work_app_seconds"] / max(result.small["work_app_seconds"], 1e-9)
    result.large["app_time_ratio"] = round(app_ratio, 2)
    cpu_ratio = large["work"].cpu_seconds / max(small["work"].cpu_seconds, 1e-9)
    result.large["cpu_time_ratio"] = round(cpu_ratio, 2)
    if local and not backend.quick() and cpu_ratio > TIME_RATIO_TARGET:  # quick: runs too short to time
        result.failures.append(f"{job}: {SCALE}x the accounts took {cpu_ratio:.2f}x the CPU time of the app and "
                               f"DynamoDB Local ({ratio:.2f}x the wall time, {normalized:.2f}x in probe units; "
                               f"target {TIME_RATIO_TARGET})")
    return result


def _figures(data: dict, due: int) -> dict:
    empty, work = data["empty"], data["work"]
    figures = {"empty_run_calls": empty.calls, "empty_run_units_per_call": empty.units_per_call,
               "empty_run_other_calls": empty.other_calls,
               "empty_run_rru": round(empty.rru, 2), "empty_run_wru": round(empty.wru, 2),
               "empty_run_seconds": round(empty.seconds, 3), "empty_run_app_ms": round(empty.app_seconds * 1000, 2)}
    if work is None:
        return figures
    ops = set(work.calls) | set(empty.calls)
    figures.update({
        "work_calls": work.calls,
        "work_units_per_call": work.units_per_call,
        "per_item_calls": {op: round((work.calls.get(op, 0) - empty.calls.get(op, 0)) / due, 2) for op in sorted(ops)},
        "per_item_dynamodb_calls": round((work.dynamodb_calls - empty.dynamodb_calls) / due, 2),
        "per_item_rru": round((work.rru - empty.rru) / due, 2),
        "per_item_wru": round((work.wru - empty.wru) / due, 2),
        "per_item_other_calls": {svc: {op: round((n - empty.other_calls.get(svc, {}).get(op, 0)) / due, 2)
                                       for op, n in calls.items()}
                                 for svc, calls in work.other_calls.items()},
        "per_item_app_ms": round(max(work.app_seconds - empty.app_seconds, 0.0) * 1000 / due, 2),
        "work_seconds": round(work.seconds, 3),
        "work_cpu_seconds": round(work.cpu_seconds, 3),
        "work_app_seconds": round(work.app_seconds, 3),
        "summary": work.summary,
    })
    return figures


LAST: dict | None = None  # the last result in this process (bench/cost.py reads it)
RESULT_FILE_ENV = "BENCH_JOBS_RESULT"


def own_process_wanted() -> bool:
    """Not already on DynamoDB Local's SQLite file, not told to stay on moto (BENCH_JOBS_MOTO=1),
    and DynamoDB Local installed (`make deps-ddblocal`)."""
    from scripts import ddb_local

    if backend.ddb_local_db() is not None or os.environ.get("BENCH_JOBS_MOTO") == "1":
        return False
    try:
        ddb_local.java_executable()
    except ddb_local.DynamoDBLocalError:
        return False
    return ddb_local.installed()


def in_own_process(verbose: bool) -> dict:
    """`python -m bench.bench_jobs --ddb-local` with BENCH_DDB_LOCAL_FILE=1: DynamoDB Local on an
    SQLite file, seeded by rows (bench/world.py `SQLiteSeeder`). Its table goes to this process's
    stdout, its progress bars to stderr; its result comes back as JSON."""
    import json
    import subprocess
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="renova-bench-jobs-") as scratch:
        result_path = Path(scratch) / "result.json"
        env = {**os.environ, "BENCH_DDB_LOCAL_FILE": "1", RESULT_FILE_ENV: str(result_path)}
        env.pop("AWS_ENDPOINT_URL", None)
        if not verbose:
            env["BENCH_JOBS_QUIET"] = "1"
        command = [sys.executable, "-m", "bench.bench_jobs", "--ddb-local"] + (["--quick"] if backend.quick() else [])
        sys.stdout.flush()
        finished = subprocess.run(command, cwd=root, env=env, check=False)
        if not result_path.exists():
            return {"backend": "dynamodb-local", "failures": [f"bench.bench_jobs exited {finished.returncode} "
                                                              "without a result"]}
        return json.loads(result_path.read_text())


def measure(jobs: list[str] | None = None, accounts: int | None = None, due: int | None = None,
            verbose: bool = True) -> dict:
    """Every registered job at the default sizes runs on DynamoDB Local on an SQLite file, in a
    process of its own (`in_own_process`), whatever the backend of the calling process; with
    explicit arguments (tests), in this process on its backend."""
    global LAST
    if jobs is None and accounts is None and due is None and own_process_wanted():
        LAST = in_own_process(verbose)
        return LAST
    from bench import world as w
    from chalicelib.jobs.registry import available_jobs

    default_accounts, default_due = sizes()
    accounts, due = accounts or default_accounts, due or default_due
    jobs = available_jobs() if jobs is None else jobs
    result = {"backend": backend.name(), "jobs": len(jobs), "accounts_small": accounts,
              "accounts_large": accounts * SCALE, "due": due, "failures": []}
    if not jobs:
        result["note"] = "no jobs registered"
        if verbose:
            print("\njobs: no jobs registered\n")
        LAST = result
        return result
    # Each job measures in a window of days of its own, WINDOW_DAYS apart: what one job's work leaves
    # due for another (a boleto issued, a card invoice) falls outside the other's measured days.
    today = w.BENCH_NOW.date()
    work_days = {job: WORK_DAYS.get(job, _default_days)(today + timedelta(days=WINDOW_DAYS * n))
                 for n, job in enumerate(jobs)}
    small_days = {job: (small - timedelta(days=1), small) for job, (small, _) in work_days.items()}
    large_days = {job: (large - timedelta(days=1), large) for job, (_, large) in work_days.items()}
    last_run = {job: small_days[job][0] - timedelta(days=2) for job in jobs}
    recipe_errors = {}
    with w.open_world() as world, w.quiet_app():
        w.template(world)
        templates = {}
        for job in jobs:
            if job in WORK_RECIPES:
                try:
                    templates[job] = {d: work_template(world, job, d) for d in work_days[job]}
                except Exception as exc:  # noqa: BLE001 — a recipe that no longer fits the code
                    recipe_errors[job] = f"{type(exc).__name__}: {exc}"
        seeding = [w.clone_accounts(world, accounts, label=f"{accounts:,} accounts")]
        if backend.ddb_local():
            result["warm_up_requests"] = warm_up(world, 5.0 if backend.quick() else 15.0)
        primed = {}
        for job in jobs:  # a run the day before: the checkpoint where production would have it
            try:
                run(world, job, last_run[job])
            except Exception as exc:  # noqa: BLE001 — reported with the job's row
                primed[job] = {"error": f"{type(exc).__name__}: {exc}"}
        healthy = [j for j in jobs if j not in primed]
        small = {**measure_size(world, healthy, due, small_days, templates, last_run), **primed}
        seeding.append(w.clone_accounts(world, accounts * (SCALE - 1), label=f"{accounts * SCALE:,} accounts"))
        large = {**measure_size(world, healthy, due, large_days, templates, last_run), **primed}
    rows = [compare(job, due, small[job], large[job], backend.ddb_local()) for job in jobs]
    for row in rows:
        if row.job in recipe_errors:
            row.note = f"work recipe failed ({recipe_errors[row.job]}): calls per item unmeasured"
    result["seeding"] = {"items_per_account": seeding[0]["items_per_account"],
                         "bytes_per_account": seeding[0]["bytes_per_account"],
                         "items": sum(s["items"] for s in seeding),
                         "seconds": round(sum(s["seconds"] for s in seeding), 1),
                         "items_per_second": round(sum(s["items"] for s in seeding)
                                                   / max(sum(s["seconds"] for s in seeding), 1e-9)),
                         "written_by": seeding[-1]["written_by"]}
    ratios = [row.large["cpu_time_ratio"] for row in rows if row.large and "cpu_time_ratio" in row.large]
    if ratios and backend.ddb_local():
        result["cpu_time_ratio_max"] = max(ratios)
    result["failures"] = [f for row in rows for f in row.failures]
    result["scans"] = sum(1 for f in result["failures"] if f.startswith("Scan"))
    result["detail"] = {row.job: row.as_dict() for row in rows}
    if verbose:
        print_table(rows, result)
    LAST = result
    return result


def print_table(rows: list[JobResult], result: dict) -> None:
    seeding = result["seeding"]
    print(f"\njobs on {result['backend']}: {result['accounts_small']:,} vs {result['accounts_large']:,} accounts, "
          f"{result['due']} due; seeded {seeding['items']:,} items in {seeding['seconds']} s "
          f"({seeding['items_per_second']:,}/s)")
    print(f"{'job':<16} {'empty run calls':<28} {'calls/item':>10} {'RRU/item':>9} {'WRU/item':>9} "
          f"{'cpu x5':>7} {'time x5':>8} {'norm x5':>8} {'app x5':>7}  per item")
    for row in rows:
        if row.small is None:
            print(f"{row.job:<16} " + "; ".join(row.failures))
            continue
        empty = " ".join(f"{op}={n}" for op, n in row.small["empty_run_calls"].items()) or "none"
        if "per_item_calls" not in row.small:
            print(f"{row.job:<16} {empty:<28} {'-':>10}  {row.note or ''}")
            continue
        per_item = " ".join(f"{op}={n:g}" for op, n in row.small["per_item_calls"].items() if n)
        print(f"{row.job:<16} {empty:<28} {row.small['per_item_dynamodb_calls']:>10g} "
              f"{row.small['per_item_rru']:>9g} {row.small['per_item_wru']:>9g} "
              f"{row.large['cpu_time_ratio']:>7g} {row.large['time_ratio']:>8g} {row.large['normalized_time_ratio']:>8g} "
              f"{row.large['app_time_ratio']:>7g}  {per_item}"
              + (f"  ({row.note})" if row.note else ""))
    for failure in result["failures"]:
        print(f"  FAILED: {failure}")
    print()


def main(argv=None) -> int:
    result_file = os.environ.get(RESULT_FILE_ENV)
    if not result_file:
        return backend.run_alone(measure, __doc__, argv)
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ddb-local", action="store_true")
    args = parser.parse_args(argv)
    backend.configure(ddb_local=args.ddb_local, quick=args.quick)
    result = measure(verbose=os.environ.get("BENCH_JOBS_QUIET") != "1")
    with open(result_file, "w") as out:
        json.dump(result, out, default=str)
    return 1 if result.get("failures") else 0


if __name__ == "__main__":
    sys.exit(main())
