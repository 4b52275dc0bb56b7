"""Job checkpoints and their catch-up window (store/checkpoints.py over domain/catch_up.py), and
where each job of the registry leaves its checkpoint. Runs on moto and on DynamoDB Local."""
from datetime import date, timedelta

import pytest

from chalicelib.domain.catch_up import CatchUpWindow
from chalicelib.jobs.registry import run_job
from chalicelib.store.checkpoints import CheckpointRepository
from tests.faults.injection import DynamoFaults

pytestmark = pytest.mark.ddblocal

TODAY = date(2026, 3, 10)
JOB = "some-job"


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


# --- the repository's window ------------------------------------------------------------------
def test_a_first_window_looks_back_and_its_close_writes_the_checkpoint(aws):
    checkpoints = CheckpointRepository()
    window = checkpoints.open_window(JOB, TODAY, 7)
    assert window.days[0] == day(-7) and window.days[-1] == TODAY
    checkpoints.close_window(JOB, window)
    assert checkpoints.get(JOB) == TODAY


def test_a_window_catches_up_from_the_checkpoint_and_holds_before_a_failed_day(aws):
    checkpoints = CheckpointRepository()
    checkpoints.advance(JOB, day(-5))
    window = checkpoints.open_window(JOB, TODAY, 7, today_stays_open=True)
    assert window.days == [day(offset) for offset in range(-4, 1)]
    window.failed(day(-2))
    checkpoints.close_window(JOB, window)
    assert checkpoints.get(JOB) == day(-3)
    retry = checkpoints.open_window(JOB, TODAY, 7, today_stays_open=True)
    assert retry.days[0] == day(-2)  # the next run starts at the failed day


def test_closing_a_window_that_moved_nothing_sends_no_write(aws):
    checkpoints = CheckpointRepository()
    checkpoints.advance(JOB, day(-1))
    with DynamoFaults() as counting:
        window = checkpoints.open_window(JOB, TODAY, 7, today_stays_open=True)
        checkpoints.close_window(JOB, window)
    assert window.days == [TODAY]
    assert dict(counting.calls) == {"GetItem": 1}
    assert checkpoints.get(JOB) == day(-1)


def test_an_overlapping_run_that_closes_later_never_moves_the_checkpoint_back(aws):
    checkpoints = CheckpointRepository()
    checkpoints.advance(JOB, day(-3))
    slow = checkpoints.open_window(JOB, TODAY, 7)
    slow.failed(day(-1))
    fast = checkpoints.open_window(JOB, TODAY, 7)
    checkpoints.close_window(JOB, fast)
    checkpoints.close_window(JOB, slow)  # through day(-2): older than what stands
    assert checkpoints.get(JOB) == TODAY


def test_close_window_writes_what_the_window_says(aws):
    checkpoints = CheckpointRepository()
    window = CatchUpWindow(day(-2), TODAY)
    checkpoints.close_window(JOB, window)
    assert checkpoints.get(JOB) == TODAY


# --- each job's checkpoint ------------------------------------------------------------------
# (job, checkpoint after its first run on TODAY, after a run three days later). A job that keeps
# today open stops the day before; run-backups keeps the first day still to read.
EXPECTED = [
    ("issue-invoices", TODAY, day(3)),
    ("purge-accounts", TODAY, day(3)),
    ("check-overdue", day(-1), day(2)),
    ("charge-cards", day(-1), day(2)),
    ("register-boletos", day(-1), day(2)),
    ("run-backups", TODAY, day(3)),
]


def _at_night(client, business_date: date) -> None:  # 21:00 in São Paulo: inside the backup window
    instant = f"{business_date.isoformat()}T21:00:00-03:00"
    assert client.call("PUT", "/v1/_dev/clock", None, {"now": instant}).status_code == 200


@pytest.mark.parametrize("job, after_first, after_catch_up", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_where_each_job_leaves_its_checkpoint(client, aws, job, after_first, after_catch_up):
    _at_night(client, TODAY)
    run_job(job, aws, TODAY)
    assert aws.checkpoints.get(job) == after_first
    with DynamoFaults() as counting:
        again = run_job(job, aws, TODAY)
    # Run again the same day: nothing is written but run-backups' (refused) checkpoint write.
    assert counting.calls["PutItem"] == (1 if job == "run-backups" else 0)
    assert aws.checkpoints.get(job) == after_first
    if "days_checked" in again:
        assert again["days_checked"] == 0  # a job closing today: today is done
    _at_night(client, day(3))
    summary = run_job(job, aws, day(3))
    assert aws.checkpoints.get(job) == after_catch_up
    if "days_checked" in summary:
        assert summary["days_checked"] == 3


def test_the_first_run_of_a_job_closing_today_looks_back_seven_days(client, aws):
    _at_night(client, TODAY)
    assert run_job("purge-accounts", aws, TODAY)["days_checked"] == 8
    assert run_job("issue-invoices", aws, TODAY)["days_checked"] == 8
