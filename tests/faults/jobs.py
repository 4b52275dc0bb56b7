"""A job killed halfway and run again must end where one clean run ends.

`killed_and_rerun(aws, job, business_date)` runs the job once cleanly from a snapshot of the tables
and counts its writes; then, for crash points spread over those writes, restores the snapshot, kills
the job at that write (tests/faults/injection.py `crash_after`, a BaseException no handler of the
app catches), runs it again, and compares the tables with the clean run's. Values that differ
between two honest runs — instants, generated ids — are normalised before comparing.

Works for any job of the registry (`POST /v1/_dev/jobs/{job}` runs the same runner), so a job added
later gets the check by being walked (tests/faults/test_jobs_faults.py)."""
import json
import re

from chalicelib.jobs.registry import run_job
from tests.faults.injection import WRITE_OPERATIONS, DynamoFaults, SimulatedCrash, crash_after
from tests.faults.tables import dump_tables

MAX_CRASH_POINTS = 5
_VOLATILE = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), "<instant>"),
    (re.compile(r"\b\d{10}(?:\.\d+)?\b"), "<epoch>"),
    # A UUID (an event's id, derived from the ids of the run that published it: a metrics fact's key).
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"[0-9a-f]{12,}"), "<id>"),
]


def normalised(dump: dict) -> list[str]:
    items = []
    for table, rows in dump.items():
        for row in rows:
            text = json.dumps(row, sort_keys=True)
            for pattern, placeholder in _VOLATILE:
                text = pattern.sub(placeholder, text)
            items.append(f"{table} {text}")
    return sorted(items)


def restore(aws, dump: dict) -> None:
    client = aws.boto3_client("dynamodb")
    current = dump_tables(aws)
    for table, rows in current.items():
        keys = _key_names(aws, table)
        for row in rows:
            client.delete_item(TableName=table, Key={key: row[key] for key in keys})
    for table, rows in dump.items():
        for row in rows:
            client.put_item(TableName=table, Item=row)


def _key_names(aws, table: str) -> list[str]:
    from chalicelib.store.schema import table_definitions

    definition = next(d for d in table_definitions(aws.settings) if d["TableName"] == table)
    return [key["AttributeName"] for key in definition["KeySchema"]]


def writes_of_clean_run(aws, job: str, business_date) -> tuple[int, list[str]]:
    with DynamoFaults() as counting:
        run_job(job, aws, business_date)
    writes = sum(counting.calls[operation] for operation in WRITE_OPERATIONS)
    return writes, normalised(dump_tables(aws))


def crash_points(writes: int) -> list[int]:
    if writes <= MAX_CRASH_POINTS:
        return list(range(writes))
    step = writes / MAX_CRASH_POINTS
    return sorted({int(i * step) for i in range(MAX_CRASH_POINTS)} | {writes - 1})


def killed_and_rerun(aws, job: str, business_date) -> dict:
    """{crash point: differences from the clean run} — empty lists when the job is safe to rerun."""
    snapshot = dump_tables(aws)
    writes, clean = writes_of_clean_run(aws, job, business_date)
    report = {"writes": writes, "differences": {}}
    for point in crash_points(writes):
        restore(aws, snapshot)
        with DynamoFaults().add(crash_after(point)):
            try:
                run_job(job, aws, business_date)
            except SimulatedCrash:
                pass
        run_job(job, aws, business_date)
        after = normalised(dump_tables(aws))
        missing = [item for item in clean if item not in after]
        extra = [item for item in after if item not in clean]
        if missing or extra or len(after) != len(clean):
            report["differences"][point] = {"missing": missing[:5], "extra": extra[:5]}
    restore(aws, snapshot)
    return report
