"""The job benchmark measures whatever jobs are registered: shown here with small fake jobs, one that
finds its work through the sharded due index as the real ones do, and one that Scans.

Order does not matter: importing bench.world installs the call counter at collection, before any
test of the session runs, and each world forgets the AWS clients made before (world._fresh_clients),
so clients cached by tests that ran earlier are made again, counted."""
from datetime import timedelta

import pytest

from bench import bench_jobs, job_recipes, world  # noqa: F401 — world: the call counter is installed at collection

KIND = "REMIND"
LEAVE = "LEAVE"


def reminders(services, day):
    """A job in the shape of the real ones: a Query per shard of the day, one update per item."""
    processed = 0
    for item in due_items(services, KIND, day):
        done(services, item)
        processed += 1
    return {"job": "send-reminders", "date": day.isoformat(), "processed": processed}


def due_items(services, kind: str, day):
    """The items on the day's shards of `kind` in the due index, one Query per shard."""
    from chalicelib.store.due import day_partitions

    dynamodb, table = services.boto3_client("dynamodb"), services.settings.billing_table
    for partition in day_partitions(kind, day):
        yield from dynamodb.query(TableName=table, IndexName="due", KeyConditionExpression="due_pk = :p",
                                  ExpressionAttributeValues={":p": {"S": partition}})["Items"]


def done(services, item) -> None:
    """Off the due index: one UpdateItem."""
    services.boto3_client("dynamodb").update_item(TableName=services.settings.billing_table,
                                                  Key={"pk": item["pk"], "sk": item["sk"]},
                                                  UpdateExpression="REMOVE due_pk, due_sk")


def put_due(services, pk: str, sk: str, kind: str, day, account_id: str) -> None:
    """An item of the account's on the due index under `kind` for `day`."""
    from chalicelib.store.due import due_pk

    services.boto3_client("dynamodb").put_item(TableName=services.settings.billing_table, Item={
        "pk": {"S": pk}, "sk": {"S": sk}, "type": {"S": "reminder"},
        "due_pk": {"S": due_pk(kind, day, account_id)}, "due_sk": {"S": account_id}})


def remind(world, account):
    account_id = account["ids"]["account_id"]
    put_due(world.services, f"ACCOUNT#{account_id}", "~REMINDER", KIND, world.now.date(), account_id)


def scanning(services, day):
    services.boto3_client("dynamodb").scan(TableName=services.settings.billing_table, Limit=1)
    return {"job": "check-overdue", "date": day.isoformat(), "processed": 0}


@pytest.fixture
def fake_jobs(monkeypatch):
    from chalicelib.jobs import registry

    registry.available_jobs()  # load the real runners first, so the fakes replace rather than precede them
    monkeypatch.setitem(registry._RUNNERS, "send-reminders", reminders)
    monkeypatch.setitem(registry._RUNNERS, "check-overdue", scanning)
    monkeypatch.setitem(job_recipes.WORK_RECIPES, "send-reminders", remind)
    monkeypatch.delitem(job_recipes.WORK_DAYS, "send-reminders", raising=False)  # the fake's work: any day
    monkeypatch.delitem(job_recipes.WORK_KEY_DAYS, "send-reminders", raising=False)
    monkeypatch.delitem(job_recipes.WORK_RECIPES, "check-overdue", raising=False)


def test_calls_per_item_equal_at_both_sizes_and_a_scanning_job_fails(fake_jobs):
    result = bench_jobs.measure(jobs=["send-reminders", "check-overdue"], accounts=3, due=2, verbose=False)
    assert result["backend"] == "moto"  # in this process: explicit sizes never start DynamoDB Local

    assert (result["accounts_small"], result["accounts_large"]) == (3, 15)
    reminders_row = result["detail"]["send-reminders"]
    small, large = reminders_row["small"], reminders_row["large"]
    assert small["empty_run_calls"] == large["empty_run_calls"] == {"Query": 8}  # one per shard
    assert small["per_item_calls"] == {"Query": 0, "UpdateItem": 1}
    assert small["per_item_dynamodb_calls"] == 1 and small["summary"]["processed"] == 2
    assert small["work_calls"] == large["work_calls"]
    assert "failures" not in reminders_row and "note" not in reminders_row

    scanning_row = result["detail"]["check-overdue"]
    assert scanning_row["note"].startswith("no work recipe")
    assert "Scan in check-overdue (empty run, small table)" in result["failures"]
    assert result["scans"] >= 1


def leaving(services, day):
    """A job whose work leaves each of its accounts due again on another job's measured days, as a
    suspension reschedules the next invoice: a REMIND item for each of send-reminders' work days."""
    later = job_recipes.every_other_day(world.BENCH_NOW.date() + timedelta(days=job_recipes.WINDOW_DAYS), 2)
    processed = 0
    for item in due_items(services, LEAVE, day):
        account_id = item["due_sk"]["S"]
        for other_day in later:
            put_due(services, item["pk"]["S"], f"~LEFT#{other_day}", KIND, other_day, account_id)
        done(services, item)
        processed += 1
    return {"job": "charge-cards", "date": day.isoformat(), "processed": processed}


def leave(world, account):
    account_id = account["ids"]["account_id"]
    put_due(world.services, f"ACCOUNT#{account_id}", "~LEAVE", LEAVE, world.now.date(), account_id)


def test_what_one_jobs_work_leaves_due_never_reaches_another_jobs_measured_runs(fake_jobs, monkeypatch):
    """The due accounts are removed after their job's work run, with whatever the job wrote in
    their partitions: the next job counts its own work only (check-overdue's suspended accounts
    once doubled issue-invoices' calls per item)."""
    from chalicelib.jobs import registry

    monkeypatch.setitem(registry._RUNNERS, "charge-cards", leaving)
    monkeypatch.setitem(job_recipes.WORK_RECIPES, "charge-cards", leave)
    result = bench_jobs.measure(jobs=["charge-cards", "send-reminders"], accounts=2, due=2, verbose=False)

    assert result["failures"] == []
    for size in ("small", "large"):
        assert result["detail"]["charge-cards"][size]["summary"]["processed"] == 2
        reminded = result["detail"]["send-reminders"][size]
        assert reminded["summary"]["processed"] == 2, size  # its own 2 due accounts, none left by the other
        assert reminded["per_item_calls"] == {"Query": 0, "UpdateItem": 1}


def test_no_registered_job_is_reported_as_such():
    result = bench_jobs.measure(jobs=[], verbose=False)
    assert result["note"] == "no jobs registered" and result["failures"] == []


def test_a_job_whose_calls_grow_with_the_table_fails():
    from bench.bench_jobs import compare
    from bench.job_runs import Run

    def size(query_calls):
        return [{"empty": Run(calls={"Query": query_calls}), "work": None}]

    row = compare("some-job", due=2, small=size(8), large=size(40), judge_time=False)
    assert row.failures == ["some-job: an empty run's calls grow with the table ({'Query': 8} -> {'Query': 40})"]


def work_sample(cpu_seconds: float, calls=None) -> dict:
    from bench.job_runs import Run

    calls = calls or {"Query": 9, "UpdateItem": 2}
    return {"empty": Run(calls={"Query": 8}), "work": Run(calls=calls, dynamodb_calls=sum(calls.values()),
                                                          cpu_seconds=cpu_seconds, seconds=cpu_seconds,
                                                          app_seconds=cpu_seconds / 2)}


def test_the_time_ratio_is_judged_on_the_best_sample_at_each_size():
    """A neighbour's load only adds time: one slow sample at either size does not fail the job, a
    large table slower in every sample does."""
    from bench.bench_jobs import compare

    noisy = compare("charge-cards", due=2, judge_time=True,
                    small=[work_sample(1.0), work_sample(2.5), work_sample(1.1)],
                    large=[work_sample(1.9), work_sample(1.05), work_sample(1.08)])
    assert noisy.failures == []
    assert noisy.large["cpu_time_ratio"] == 1.05
    assert noisy.large["cpu_time_ratios_per_sample"] == [1.9, 0.42, 0.98]
    assert noisy.small["work_cpu_seconds_samples"] == [1.0, 2.5, 1.1]

    slower = compare("charge-cards", due=2, judge_time=True,
                     small=[work_sample(1.0), work_sample(1.0)], large=[work_sample(1.3), work_sample(1.4)])
    assert slower.large["cpu_time_ratio"] == 1.3
    assert len(slower.failures) == 1 and "1.30x the CPU time" in slower.failures[0]

    unjudged = compare("charge-cards", due=2, judge_time=False, small=[work_sample(1.0)], large=[work_sample(3.0)])
    assert unjudged.failures == [] and unjudged.large["cpu_time_ratio"] == 3.0


def test_the_same_work_with_other_calls_at_the_large_size_fails_whichever_sample():
    from bench.bench_jobs import compare

    row = compare("charge-cards", due=2, judge_time=False,
                  small=[work_sample(1.0), work_sample(1.0)],
                  large=[work_sample(1.0), work_sample(1.0, calls={"Query": 9, "UpdateItem": 2, "Scan": 1})])
    assert row.failures == ["charge-cards: the same due work makes other calls with 5x the accounts "
                            "({'Query': 9, 'UpdateItem': 2} -> {'Query': 9, 'UpdateItem': 2, 'Scan': 1})"]


class FakeSizeProcess:
    """Records the steps each size is asked for, in order; with `crash`, the large table's process
    dies at its third work run."""
    asked: list = []
    crash = False

    def __init__(self, label, accounts, jobs, due, samples, quick, progress):
        self.label, self.accounts = label, accounts
        self.step, self.work_runs = None, 0

    def ready(self):
        return {"seeding": [{"items": self.accounts * 10, "seconds": 1.0, "items_per_account": 10,
                             "bytes_per_account": 5000, "written_by": "fake"}]}

    def send(self, step, job, n):
        FakeSizeProcess.asked.append((self.label, step, job, n))
        self.step = step

    def answer(self):
        if self.step == "prepare":
            return {"prepared": True}
        self.work_runs += 1
        if FakeSizeProcess.crash and self.label == "large" and self.work_runs >= 3:
            return {"error": "the large table's process failed: exited with code 1"}
        return work_sample(1.0)

    def stop(self):
        FakeSizeProcess.asked.append((self.label, "stopped"))


@pytest.fixture
def fake_size_processes(monkeypatch):
    from bench import job_runs

    FakeSizeProcess.asked, FakeSizeProcess.crash = [], False
    monkeypatch.setattr(job_runs, "SizeProcess", FakeSizeProcess)
    return FakeSizeProcess


def test_the_two_sizes_are_sampled_in_turn_each_leading_every_other_time(fake_size_processes):
    measured = bench_jobs.interleaved(["charge-cards", "run-backups"], accounts=10, due=2, samples=3)

    def one_sample(job, n, first, second):
        return [("small", "prepare", job, n), ("large", "prepare", job, n),  # both at once: nothing timed
                (first, "work", job, n), (second, "work", job, n)]

    assert fake_size_processes.asked == [
        *one_sample("charge-cards", 0, "small", "large"), *one_sample("charge-cards", 1, "large", "small"),
        *one_sample("charge-cards", 2, "small", "large"),
        *one_sample("run-backups", 0, "small", "large"), *one_sample("run-backups", 1, "large", "small"),
        *one_sample("run-backups", 2, "small", "large"),
        ("small", "stopped"), ("large", "stopped")]
    assert [len(measured.small[job]) for job in ("charge-cards", "run-backups")] == [3, 3]
    assert [s["items"] for s in measured.seeding] == [100, 500]  # the small table's 10 accounts, the large's 50


def test_a_size_process_that_dies_fails_the_jobs_it_did_not_answer(fake_size_processes):
    fake_size_processes.crash = True
    measured = bench_jobs.interleaved(["charge-cards", "run-backups"], accounts=10, due=2, samples=2)
    rows = {job: bench_jobs.compare(job, 2, measured.small[job], measured.large[job], judge_time=True)
            for job in ("charge-cards", "run-backups")}
    assert rows["charge-cards"].failures == []  # answered before the large table's process died
    assert rows["run-backups"].failures == [
        "run-backups raised at the large size: the large table's process failed: exited with code 1"]
    assert fake_size_processes.asked[-2:] == [("small", "stopped"), ("large", "stopped")]


def test_both_sizes_in_processes_of_their_own_on_dynamodb_local_measure_a_real_job(monkeypatch):
    """The path `make bench` takes: two spawned processes, each with its own DynamoDB Local seeded
    as SQLite rows, sampled in turn (tiny sizes; quick: 5-second warm-ups)."""
    assert bench_jobs.ddb_local_wanted(), "DynamoDB Local is installed by `make deps-ddblocal` (make test)"
    monkeypatch.setenv("BENCH_QUICK", "1")
    measured = bench_jobs.interleaved(["run-backups"], accounts=4, due=2, samples=2)

    assert [(s["accounts"], s["written_by"].split(" ")[0]) for s in measured.seeding] == [(4, "SQLite"), (20, "SQLite")]
    row = bench_jobs.compare("run-backups", 2, measured.small["run-backups"], measured.large["run-backups"],
                             judge_time=False)
    assert row.failures == []
    assert row.small["per_item_dynamodb_calls"] == row.large["per_item_dynamodb_calls"] == 6
    assert [s["work"].summary["generated"] for s in measured.large["run-backups"]] == [2, 2]
    assert len(row.large["cpu_time_ratios_per_sample"]) == 2
    assert set(measured.seconds) == {"small", "large", "samples_by_job"}
