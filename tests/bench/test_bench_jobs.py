"""The job benchmark measures whatever jobs are registered: shown here with small fake jobs, one that
finds its work through the sharded due index as the real ones do, and one that Scans.

Order does not matter: importing bench.world installs the call counter at collection, before any
test of the session runs, and each world forgets the AWS clients made before (world._fresh_clients),
so clients cached by tests that ran earlier are made again, counted."""
from datetime import timedelta

import pytest

from bench import bench_jobs, world  # noqa: F401 — world: the call counter is installed at collection

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
    monkeypatch.setitem(bench_jobs.WORK_RECIPES, "send-reminders", remind)
    monkeypatch.delitem(bench_jobs.WORK_DAYS, "send-reminders", raising=False)  # the fake's work: any day
    monkeypatch.delitem(bench_jobs.WORK_KEY_DAYS, "send-reminders", raising=False)
    monkeypatch.delitem(bench_jobs.WORK_RECIPES, "check-overdue", raising=False)


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
    later = bench_jobs._default_days(world.BENCH_NOW.date() + timedelta(days=bench_jobs.WINDOW_DAYS))
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
    monkeypatch.setitem(bench_jobs.WORK_RECIPES, "charge-cards", leave)
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
    from bench.bench_jobs import Run, compare

    def size(query_calls):
        return {"empty": Run(calls={"Query": query_calls}), "work": None}

    row = compare("some-job", due=2, small=size(8), large=size(40), local=False)
    assert row.failures == ["some-job: an empty run's calls grow with the table ({'Query': 8} -> {'Query': 40})"]
