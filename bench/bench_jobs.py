"""Per scheduled job: DynamoDB calls per item of work, and whether the cost of the same due work
follows the work or the size of the tables (a small table vs one 5x larger).

For every job registered at run time (`jobs.registry.available_jobs()`), at each table size, on
pairs of consecutive days of the job's own (bench/job_recipes.py; bench/job_runs.py `TableSize`):
  1. an empty run: the fixed cost of a day with nothing due (its queries over the day's shards);
  2. a work run: `due` accounts made due that day through the job's work recipe (one account
     through the API or its service, then cloned): calls per item = (work - empty) / due.
Every account in the tables is a clone (bench/seeding/): a typical account, or one a recipe made
due, built through the API, read back and removed. A clone's dated index keys lie 200 to 560 days
ahead, except those its recipe set: nothing but the measured work is due on the benchmark's days.

Checks (failures make `make bench` exit non-zero): no Scan; the work run makes the same DynamoDB
calls at both sizes; on DynamoDB Local the CPU-time ratio large/small is at most 1.2.

How the two sizes are timed. On DynamoDB Local (whenever it is installed: `make deps-ddblocal`)
each size lives in a process of its own with a DynamoDB Local of its own on an SQLite file, both
seeded at once (`job_runs.serve_size`), and the samples alternate between them: for each job,
sample n on the small table then on the large one (the other way round for odd n), SAMPLES times.
Both sizes of a job are measured within seconds of each other, under the same machine load, on
JVMs warmed up alike. Measuring every small run, then seeding 40,000 more accounts, then every large
run put minutes of changing load between the two (ratios scattered 0.56-1.6 from run to run on
this 2-core machine, on both sides of 1). The ratio is judged on CPU time — this process's and its
DynamoDB Local's (every thread: requests, SQLite, JIT, GC; from /proc) — and on the best sample at
each size: a neighbour's load only ever adds to a run's time, so the fastest sample is the one
closest to the work itself. The wall-time ratio (`time x5`) and the app's own time ratio (time
outside AWS calls, `app x5`) are printed beside it, and each sample's CPU-time ratio goes to the JSON.

Why DynamoDB Local: moto answers a Query by walking every item of the table and copies whole tables for
each TransactWriteItems (moto/dynamodb/models), so on moto time grows with the table whatever the app
does. DynamoDB Local's SQLite file is seeded by writing its own rows into it
(bench/seeding/sqlite_rows.py `SQLiteSeeder`, checked against the rows DynamoDB Local wrote itself for
the first account): 10,000-16,000 items/s here instead of 1,500-3,300 through BatchWriteItem. Without
DynamoDB Local installed, with BENCH_JOBS_MOTO=1, or with explicit sizes (tests), the benchmark runs in
the calling process on its backend, one table grown from the small size to the large: calls only, no
time check.

Sizes (accounts in the tables, small / large = 5x small; due items; samples at each size),
overridable by BENCH_JOB_ACCOUNTS, BENCH_JOB_DUE and BENCH_JOB_SAMPLES:
  DynamoDB Local  10,000 / 50,000 accounts, 100 due, 3 samples (quick: 200 / 1,000, 10 due, 1 sample)
  moto            40 / 200 accounts, 3 due, 1 sample          (quick: 10 / 50, 2 due)
(60,000 accounts seeded in all on DynamoDB Local, 37 items an account.)

Run: .venv/bin/python -m bench.bench_jobs [--quick]
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from bench import backend

TIME_RATIO_TARGET = 1.2  # the same due work with 5x the accounts takes at most 1.2x the time
SCALE = 5


def sizes(local: bool) -> tuple[int, int, int]:
    """(accounts in the small table, due items, samples at each size)."""
    quick = backend.quick()
    accounts = {(False, False): 40, (True, False): 10, (False, True): 10_000, (True, True): 200}[(quick, local)]
    due = {(False, False): 3, (True, False): 2, (False, True): 100, (True, True): 10}[(quick, local)]
    samples = 3 if local and not quick else 1
    return (int(os.environ.get("BENCH_JOB_ACCOUNTS", accounts)), int(os.environ.get("BENCH_JOB_DUE", due)),
            int(os.environ.get("BENCH_JOB_SAMPLES", samples)))


def ddb_local_wanted() -> bool:
    """DynamoDB Local installed (`make deps-ddblocal`) and not told to stay on moto (BENCH_JOBS_MOTO=1)."""
    from scripts import ddb_local

    if os.environ.get("BENCH_JOBS_MOTO") == "1":
        return False
    try:
        ddb_local.java_executable()
    except ddb_local.DynamoDBLocalError:
        return False
    return ddb_local.installed()


@dataclass
class Measured:
    """Each job's samples at both sizes ({"empty": Run, "work": Run | None} or {"error": ...})."""
    small: dict[str, list[dict]]
    large: dict[str, list[dict]]
    seeding: list[dict]
    recipe_errors: dict[str, str]
    seconds: dict = field(default_factory=dict)  # each size's process getting ready, by phase; each job's samples


def interleaved(jobs: list[str], accounts: int, due: int, samples: int) -> Measured:
    """Both sizes in processes of their own, on DynamoDB Local. For each sample both prepare at
    once (catch-up runs, the empty run, the due accounts cloned: nothing timed), then each runs its
    measured work run while the other waits, the small table first on even samples."""
    from bench import job_runs

    processes = {label: job_runs.SizeProcess(label, count, jobs, due, samples, backend.quick(), progress=label == "large")
                 for label, count in (("small", accounts), ("large", accounts * SCALE))}
    found = {label: {job: [] for job in jobs} for label in processes}
    job_seconds = {}
    try:
        ready = {label: process.ready() for label, process in processes.items()}
        for job in jobs:
            started = time.perf_counter()
            for n in range(samples):
                for process in processes.values():
                    process.send("prepare", job, n)
                prepared = {label: process.answer() for label, process in processes.items()}
                for label in ("small", "large") if n % 2 == 0 else ("large", "small"):
                    if "error" in prepared[label]:
                        found[label][job].append(prepared[label])
                        continue
                    processes[label].send("work", job, n)
                    found[label][job].append(processes[label].answer())
            job_seconds[job] = round(time.perf_counter() - started, 1)
    finally:
        for process in processes.values():
            process.stop()
    phases = {label: ready[label].get("seconds", {}) for label in ready}
    return Measured(found["small"], found["large"],
                    [seeding for label in ready for seeding in ready[label].get("seeding", [])],
                    ready["small"].get("recipe_errors", {}), {**phases, "samples_by_job": job_seconds})


def in_this_process(jobs: list[str], accounts: int, due: int, samples: int) -> Measured:
    """One table on this process's backend: the small size's samples, then SCALE x the accounts and
    the large size's (calls only: minutes lie between the two)."""
    from bench import world as w
    from bench.job_runs import TableSize, warm_up

    with w.open_world() as world, w.quiet_app():
        size = TableSize(world, jobs, due, 2 * samples)
        size.build_templates()
        size.grow_to(accounts)
        if backend.ddb_local() and not backend.quick():  # quick: time is not judged, nothing to warm for
            warm_up(world, 15.0)
        size.prime()
        small = {job: [size.sample(job, n) for n in range(samples)] for job in jobs}
        size.grow_to(accounts * SCALE)
        large = {job: [size.sample(job, samples + n) for n in range(samples)] for job in jobs}
    return Measured(small, large, size.seeding, size.recipe_errors)


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


def compare(job: str, due: int, small: list[dict], large: list[dict], judge_time: bool) -> JobResult:
    """The job's samples at both sizes (the same days, or in one process consecutive ones): calls
    per item, Scans, calls that differ between the sizes, and the time ratios."""
    result = JobResult(job=job, due=due)
    for label, samples in (("small", small), ("large", large)):
        errors = [sample["error"] for sample in samples if "error" in sample]
        if errors:
            result.failures.append(f"{job} raised at the {label} size: {errors[0]}")
    if result.failures:
        return result
    result.small, result.large = _figures(small, due), _figures(large, due)
    for label, samples in (("small", small), ("large", large)):
        for kind in ("empty", "work"):
            if any(sample[kind] is not None and sample[kind].scans for sample in samples):
                result.failures.append(f"Scan in {job} ({kind} run, {label} table)")
    grown = next(((s["empty"].calls, b["empty"].calls) for s, b in zip(small, large)
                  if s["empty"].calls != b["empty"].calls), None)
    if grown:
        result.failures.append(f"{job}: an empty run's calls grow with the table ({grown[0]} -> {grown[1]})")
    if small[0]["work"] is None:
        result.note = "no work recipe in job_recipes.WORK_RECIPES: calls per item unmeasured"
        return result
    differ = next(((s["work"].calls, b["work"].calls) for s, b in zip(small, large)
                   if s["work"].calls != b["work"].calls), None)
    if differ:
        result.failures.append(f"{job}: the same due work makes other calls with {SCALE}x the accounts "
                               f"({differ[0]} -> {differ[1]})")
    processed = small[0]["work"].summary.get("processed")
    if isinstance(processed, int) and processed < due:
        result.note = f"the job processed {processed} of {due} due items: check its work recipe"
    ratios = _time_ratios(small, large)
    result.large.update(ratios)
    if judge_time and ratios["cpu_time_ratio"] > TIME_RATIO_TARGET:
        result.failures.append(
            f"{job}: {SCALE}x the accounts took {ratios['cpu_time_ratio']:.2f}x the CPU time of the app and "
            f"DynamoDB Local (best of {len(small)} samples at each size; per sample "
            f"{ratios['cpu_time_ratios_per_sample']}; {ratios['time_ratio']:.2f}x the wall time; "
            f"target {TIME_RATIO_TARGET})")
    return result


def _best(samples: list[dict], attribute: str) -> float:
    return min(getattr(sample["work"], attribute) for sample in samples)


def _time_ratios(small: list[dict], large: list[dict]) -> dict:
    def ratio(attribute: str) -> float:
        return round(_best(large, attribute) / max(_best(small, attribute), 1e-9), 2)

    return {"cpu_time_ratio": ratio("cpu_seconds"), "time_ratio": ratio("seconds"),
            "app_time_ratio": ratio("app_seconds"),
            "cpu_time_ratios_per_sample": [round(b["work"].cpu_seconds / max(s["work"].cpu_seconds, 1e-9), 2)
                                           for s, b in zip(small, large)]}


def _figures(samples: list[dict], due: int) -> dict:
    """Calls from the first sample (every sample makes the same at one size: checked against the
    other size's); times from the best sample."""
    empty, work = samples[0]["empty"], samples[0]["work"]
    figures = {"empty_run_calls": empty.calls, "empty_run_units_per_call": empty.units_per_call,
               "empty_run_other_calls": empty.other_calls,
               "empty_run_rru": round(empty.rru, 2), "empty_run_wru": round(empty.wru, 2),
               "empty_run_seconds": round(min(s["empty"].seconds for s in samples), 3),
               "empty_run_app_ms": round(min(s["empty"].app_seconds for s in samples) * 1000, 2)}
    if work is None:
        return figures
    ops = set(work.calls) | set(empty.calls)
    app_ms_per_item = min(max(s["work"].app_seconds - s["empty"].app_seconds, 0.0) for s in samples) * 1000 / due
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
        "per_item_app_ms": round(app_ms_per_item, 2),
        "work_seconds": round(_best(samples, "seconds"), 3),
        "work_cpu_seconds": round(_best(samples, "cpu_seconds"), 3),
        "work_cpu_seconds_samples": [round(s["work"].cpu_seconds, 3) for s in samples],
        "work_app_seconds": round(_best(samples, "app_seconds"), 3),
        "summary": work.summary,
    })
    return figures


LAST: dict | None = None  # the last result in this process (bench/cost.py reads it)


def measure(jobs: list[str] | None = None, accounts: int | None = None, due: int | None = None,
            verbose: bool = True) -> dict:
    """Every registered job at the default sizes on DynamoDB Local, the two sizes in processes of
    their own (`interleaved`), whatever the backend of the calling process; with explicit arguments
    (tests), or without DynamoDB Local, in this process on its backend."""
    global LAST
    from chalicelib.jobs.registry import available_jobs

    two_processes = jobs is None and accounts is None and due is None and ddb_local_wanted()
    default_accounts, default_due, samples = sizes(local=two_processes or backend.ddb_local())
    accounts, due = accounts or default_accounts, due or default_due
    jobs = available_jobs() if jobs is None else jobs
    result = {"backend": "dynamodb-local" if two_processes else backend.name(), "jobs": len(jobs),
              "accounts_small": accounts, "accounts_large": accounts * SCALE, "due": due, "samples": samples,
              "failures": []}
    if not jobs:
        result["note"] = "no jobs registered"
        if verbose:
            print("\njobs: no jobs registered\n")
        LAST = result
        return result
    measured = (interleaved if two_processes else in_this_process)(jobs, accounts, due, samples)
    judge_time = two_processes and not backend.quick()  # quick: runs too short to time
    rows = [compare(job, due, measured.small[job], measured.large[job], judge_time) for job in jobs]
    for row in rows:
        if row.job in measured.recipe_errors:
            row.note = f"work recipe failed ({measured.recipe_errors[row.job]}): calls per item unmeasured"
    result["seeding"] = _seeding_summary(measured.seeding)
    if measured.seconds:
        result["seconds_by_phase"] = measured.seconds
    ratios = [row.large["cpu_time_ratio"] for row in rows if row.large and "cpu_time_ratio" in row.large]
    if ratios and two_processes:
        result["cpu_time_ratio_max"] = max(ratios)
    result["failures"] = [f for row in rows for f in row.failures]
    result["scans"] = sum(1 for f in result["failures"] if f.startswith("Scan"))
    result["detail"] = {row.job: row.as_dict() for row in rows}
    if verbose:
        print_table(rows, result)
    LAST = result
    return result


def _seeding_summary(seeding: list[dict]) -> dict:
    if not seeding:
        return {}
    items, seconds = sum(s["items"] for s in seeding), sum(s["seconds"] for s in seeding)
    return {"items_per_account": seeding[0]["items_per_account"], "bytes_per_account": seeding[0]["bytes_per_account"],
            "items": items, "seconds": round(seconds, 1), "items_per_second": round(items / max(seconds, 1e-9)),
            "written_by": seeding[-1]["written_by"]}


def print_table(rows: list[JobResult], result: dict) -> None:
    seeding = result.get("seeding") or {}
    print(f"\njobs on {result['backend']}: {result['accounts_small']:,} vs {result['accounts_large']:,} accounts, "
          f"{result['due']} due, {result['samples']} sample(s) a size; seeded {seeding.get('items', 0):,} items "
          f"in {seeding.get('seconds', 0)} s of seeding processes ({seeding.get('items_per_second', 0):,}/s)")
    print(f"{'job':<16} {'empty run calls':<28} {'calls/item':>10} {'RRU/item':>9} {'WRU/item':>9} "
          f"{'cpu x5':>7} {'time x5':>8} {'app x5':>7}  per item")
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
              f"{row.large['cpu_time_ratio']:>7g} {row.large['time_ratio']:>8g} {row.large['app_time_ratio']:>7g}"
              f"  {per_item}" + (f"  ({row.note})" if row.note else ""))
    for failure in result["failures"]:
        print(f"  FAILED: {failure}")
    print()


if __name__ == "__main__":
    import sys

    sys.exit(backend.run_alone(measure, __doc__))
