"""Every job of the registry, killed at several of its writes and run again, ends exactly where one
clean run ends (tests/faults/jobs.py). A job added later is walked by itself.

The world: an account with billing data, a card, a subscription paid by card, one by boleto and a
backup scheduled; each job runs at a few business dates after it, at 21:00 (inside the backup
window) — those where it has work are checked. issue-invoices finds no renewal due in this world yet
(the invoicing flow is landing); extending the world for it is listed in
tests/faults/test_webhook_faults.py PENDING_WITH_PAYMENTS."""
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib.jobs.registry import available_jobs
from tests.faults.jobs import killed_and_rerun
from tests.support import VALID_BILLING_DATA

BRASILIA = timezone(timedelta(hours=-3))
START = datetime(2026, 11, 2, 9, 0, tzinfo=BRASILIA)
DAYS_AFTER = (1, 6, 13, 20, 33, 38, 45)
JOBS_WITH_WORK_HERE = {"run-backups", "charge-cards"}  # issue-invoices: see PENDING_WITH_PAYMENTS


@pytest.fixture
def world(client):
    assert client.call("PUT", "/v1/_dev/clock", None, {"now": START.isoformat()}).status_code == 200
    account_id, token = client.create_account("jobs-owner")
    base = f"/v1/accounts/{account_id}"
    steps = [
        ("PUT", "/billing-data", VALID_BILLING_DATA),
        ("PUT", "/card", {"gateway_token": "tok_jobs", "brand": "visa", "last4": "4242", "exp_month": 12,
                          "exp_year": 2031}),
        ("POST", "/subscriptions", {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                                    "payment_method": "card"}),
        ("POST", "/subscriptions", {"product_id": "promob-cats-optional", "periodicity": "monthly",
                                    "payment_method": "boleto"}),
        ("POST", "/backups", {"run_at": (START + timedelta(days=1)).replace(hour=20).isoformat()}),
    ]
    for method, path, body in steps:
        response = client.call(method, base + path, token, body)
        assert response.status_code < 300, (path, response.data)
    return account_id


@pytest.mark.parametrize("job", available_jobs())
def test_a_job_killed_at_any_write_and_rerun_ends_like_one_clean_run(client, aws, world, job):
    checked = []
    for days in DAYS_AFTER:
        day = (START + timedelta(days=days)).replace(hour=21)
        assert client.call("PUT", "/v1/_dev/clock", None, {"now": day.isoformat()}).status_code == 200
        report = killed_and_rerun(aws, job, date.fromisoformat(day.date().isoformat()))
        assert report["differences"] == {}, (job, day.date(), report)
        if report["writes"] > 1:  # more than its checkpoint
            checked.append((day.date().isoformat(), report["writes"]))
    # Not every job has work in this world; the ones that must, do (so the check is not vacuous).
    if job in JOBS_WITH_WORK_HERE:
        assert checked, f"{job} found no work in the world: the crash points were never exercised"
