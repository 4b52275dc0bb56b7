"""One size of the job benchmark's tables, and the job runs measured on it (bench/bench_jobs.py).

`TableSize` holds a world (bench/world.py) whose tables it grows by cloning (bench/seeding/), the work
templates of every job (bench/job_recipes.py) and each job's last run; `sample(job, n)` runs the job on
its n-th pair of days — an empty day, then a work day with `due` accounts made due — counting every AWS
call and timing the work run. `serve_size` is the same in a process of its own, on a DynamoDB Local of
its own, answering the samples its parent asks for: bench_jobs interleaves two of them, a small and a
large table, so both sizes are measured minutes apart at most, under the same machine load."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench import backend, job_recipes


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
    cpu_seconds: float = 0.0  # CPU time of this process and of DynamoDB Local's during the run


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


def warm_up(world, seconds: float = 15.0) -> int:
    """Requests of the kinds the jobs make, for `seconds`, before the first sample: the tables are
    seeded as SQLite rows, so DynamoDB Local's JVM has not compiled its request paths yet, and the
    first runs would pay its JIT warm-up (in one run where the small table was measured first every
    large/small ratio came out 0.44-0.89). Queries of the due index on the background's days,
    GetItem, BatchGetItem, PutItem, UpdateItem, TransactWriteItems and DeleteItem on scratch items
    (removed). Not counted. Returns the requests made."""
    import random

    from bench import world as w
    from bench.seeding.cloner import BACKGROUND_SHIFT_DAYS, DATED_SHARD
    from bench.seeding.templates import template

    dynamodb = world.services.boto3_client("dynamodb")
    table = world.services.settings.billing_table
    kinds = sorted({match.group(1) for items in template(world).items.values() for item in items
                    if (match := DATED_SHARD.match((item.get("due_pk") or {}).get("S") or ""))})
    first = w.BENCH_NOW.date() + timedelta(days=BACKGROUND_SHIFT_DAYS)
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
    with counting() as log:
        started, cpu_before = time.perf_counter(), cpu_seconds()
        summary = run_job(job, world.services, day)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu_before
    return Run(calls=log.dynamodb(), units_per_call=log.units_per_call(), dynamodb_calls=log.total(),
               rru=log.read_units, wru=log.write_units, cpu_seconds=cpu,
               other_calls={svc: log.service(svc) for svc in ("ses", "s3", "events", "sqs") if log.service(svc)},
               scans=len(log.scans), seconds=seconds, app_seconds=max(seconds - log.aws_ms / 1000, 0.0),
               summary=summary if isinstance(summary, dict) else {})

def work_template(world, job: str, day: date):
    """One account whose work for `job` falls due on `day`, made through the recipe and read back as
    items."""
    from bench import world as w
    from bench.seeding.templates import account_template

    world.set_now(datetime.combine(day, w.BENCH_NOW.timetz()))
    account = w.seed_account(world, backups=0)
    return account_template(world, account["ids"]["account_id"],
                            recipe=lambda: job_recipes.WORK_RECIPES[job](world, account),
                            work_day=job_recipes.work_key_day(job, day))


class TableSize:
    """The tables at one size and every job's state on them. Work days come from each job's window
    (job_recipes.work_days): sample n runs on the n-th. Before the first sample each job has run on
    the day before its first empty day (priming: its checkpoint where production would have it);
    each sample first runs the job on every day since its last run, so the measured empty run
    catches up exactly one day, as a daily schedule does."""

    def __init__(self, world, jobs: list[str], due: int, samples: int):
        from bench import world as w
        from bench.seeding.cloner import BACKGROUND_SHIFT_DAYS

        self.world, self.jobs, self.due = world, jobs, due
        today = w.BENCH_NOW.date()
        self.work_days = {job: job_recipes.work_days(job, today + timedelta(days=job_recipes.WINDOW_DAYS * n), samples)
                          for n, job in enumerate(jobs)}
        last = max((days[-1] for days in self.work_days.values()), default=today)
        if (last - today).days >= BACKGROUND_SHIFT_DAYS:  # the background accounts fall due from there on
            raise ValueError(f"{samples} samples of {len(jobs)} jobs reach {last}: past the background's days")
        self.last_run = {job: days[0] - timedelta(days=2) for job, days in self.work_days.items()}
        self.templates: dict[str, dict] = {}
        self.errors: dict[str, str] = {}  # job -> why it cannot be measured (its priming run raised)
        self.recipe_errors: dict[str, str] = {}
        self.accounts = 0
        self.seeding: list[dict] = []
        self._owned: set = set()  # the partitions of the due accounts of the sample in progress
        self._prepared: tuple | None = None  # (job, n, its empty run) once `prepare` succeeded

    def build_templates(self) -> None:
        """The typical account and, per job with a recipe, one due account per work day: built while
        the tables are empty (on moto every transaction copies the whole table)."""
        from bench.seeding.templates import template

        template(self.world)
        for job in self.jobs:
            if job not in job_recipes.WORK_RECIPES:
                continue
            try:
                self.templates[job] = {day: work_template(self.world, job, day) for day in self.work_days[job]}
            except Exception as exc:  # noqa: BLE001 — a recipe that no longer fits the code
                self.recipe_errors[job] = f"{type(exc).__name__}: {exc}"

    def grow_to(self, accounts: int) -> dict:
        """Clone typical accounts until the tables hold `accounts`; returns what seeding took."""
        from bench.seeding.clones import clone_accounts

        seeding = clone_accounts(self.world, accounts - self.accounts, label=f"{accounts:,} accounts")
        self.accounts = accounts
        self.seeding.append(seeding)
        return seeding

    def prime(self) -> None:
        for job in self.jobs:
            try:
                run(self.world, job, self.last_run[job])
            except Exception as exc:  # noqa: BLE001 — reported with the job's row
                self.errors[job] = f"{type(exc).__name__}: {exc}"

    def sample(self, job: str, n: int) -> dict:
        """{"empty": Run, "work": Run | None} of the job's n-th pair of days, or {"error": why}:
        `prepare`, `work`, then `clean`."""
        try:
            return self.work(job, n) if (failed := self.prepare(job, n)) is None else failed
        finally:
            self.clean()

    def prepare(self, job: str, n: int) -> dict | None:
        """Everything before the measured work run of the job's n-th sample: the leftovers of the
        last sample removed, a run on every day since the job's last one, the empty run, and the
        due accounts cloned. None when ready, else {"error": why}."""
        from bench.seeding.clones import clone_accounts

        self.clean()
        self._prepared = None
        if job in self.errors:
            return {"error": self.errors[job]}
        work_day = self.work_days[job][n]
        empty_day = work_day - timedelta(days=1)
        try:
            day = self.last_run[job] + timedelta(days=1)
            while day < empty_day:
                run(self.world, job, day)
                day += timedelta(days=1)
            empty = run(self.world, job, empty_day)
            self.last_run[job] = work_day
            if job in self.templates:
                clone_accounts(self.world, self.due, label=f"{job}: due accounts",
                               source=self.templates[job][work_day], rows=False, partitions=self._owned)
        except Exception as exc:  # noqa: BLE001 — one broken job must not hide the others' figures
            return {"error": f"{type(exc).__name__}: {exc}"}
        self._prepared = (job, n, empty)
        return None

    def work(self, job: str, n: int) -> dict:
        """The measured work run of the sample `prepare` made ready (run even without a recipe: the
        next day's run then catches up one day)."""
        if self._prepared is None or self._prepared[:2] != (job, n):
            return {"error": f"sample {n} of {job} was not prepared"}
        empty = self._prepared[2]
        self._prepared = None
        try:
            work = run(self.world, job, self.work_days[job][n])
        except Exception as exc:  # noqa: BLE001
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {"empty": empty, "work": work if job in self.templates else None}

    def clean(self) -> None:
        """Remove the last sample's due accounts with whatever the job wrote in their partitions:
        what it made of them (a suspension's next invoice, a renewal's review day) must not fall due
        on another job's measured days."""
        from bench.seeding.clones import remove_partitions

        if self._owned:
            remove_partitions(self.world, self._owned)
            self._owned = set()


def serve_size(connection, accounts: int, jobs: list[str], due: int, samples: int, quick: bool,
               progress: bool) -> None:
    """A worker process (multiprocessing, spawned): a DynamoDB Local of its own on an SQLite file
    (bench/backend.py), its tables seeded to `accounts`, warmed up and primed; it then sends
    {"ready": ...} and answers each ("prepare" | "work", job, n) it receives with that step of
    `TableSize`, until None."""
    os.environ["BENCH_DDB_LOCAL_FILE"] = "1"
    backend.configure(ddb_local=True, quick=quick)
    from bench import world as w
    from bench.seeding import clones

    clones.SHOW_PROGRESS = progress
    try:
        with w.open_world() as world, w.quiet_app():
            size, phases = TableSize(world, jobs, due, samples), {}
            with _timed(phases, "templates"):
                size.build_templates()
            with _timed(phases, "seeding"):
                size.grow_to(accounts)
            if not quick:  # a quick run's times are printed, not judged: nothing to warm up for
                with _timed(phases, "warm_up"):
                    warm_up(world, 15.0)
            with _timed(phases, "priming"):
                size.prime()
            connection.send({"ready": {"seeding": size.seeding, "recipe_errors": size.recipe_errors,
                                       "seconds": phases}})
            steps = {"prepare": lambda job, n: size.prepare(job, n) or {"prepared": True}, "work": size.work}
            while (request := connection.recv()) is not None:
                step, job, n = request
                connection.send(steps[step](job, n))
    except Exception as exc:  # the parent reports it with every job's row
        connection.send({"crashed": f"{type(exc).__name__}: {exc}"})
    finally:
        connection.close()


@contextmanager
def _timed(seconds: dict, phase: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[phase] = round(time.perf_counter() - started, 1)


class SizeProcess:
    """The parent's side of `serve_size`: one table size in a spawned process (a fresh interpreter:
    nothing of the parent's moto or clients), asked for one sample at a time. A process that dies
    answers every later sample with an error naming how it ended."""

    def __init__(self, label: str, accounts: int, jobs: list[str], due: int, samples: int, quick: bool,
                 progress: bool):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.label = label
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=serve_size, name=f"bench-jobs-{label}",
                                       args=(theirs, accounts, jobs, due, samples, quick, progress))
        self.process.start()
        theirs.close()
        self.crashed: str | None = None

    def _receive(self) -> dict:
        try:
            answer = self.connection.recv()
        except EOFError:
            self.process.join(5)
            answer = {"crashed": f"exited with code {self.process.exitcode}"}
        if "crashed" in answer:
            self.crashed = answer["crashed"]
        return answer

    def ready(self) -> dict:
        """What seeding took, once the tables are seeded, warmed up and primed."""
        return self._receive().get("ready", {})

    def send(self, step: str, job: str, n: int) -> None:
        """Ask for a step of a sample ("prepare" or "work"); `answer` waits for it."""
        if self.crashed is None:
            try:
                self.connection.send((step, job, n))
            except (BrokenPipeError, OSError):
                self.crashed = f"gone (exit code {self.process.exitcode})"

    def answer(self) -> dict:
        if self.crashed is None:
            answer = self._receive()
            if self.crashed is None:
                return answer
        return {"error": f"the {self.label} table's process failed: {self.crashed}"}

    def stop(self) -> None:
        if self.crashed is None and self.process.is_alive():
            try:
                self.connection.send(None)
            except (BrokenPipeError, OSError):
                pass
        self.process.join(60)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(10)
        self.connection.close()
