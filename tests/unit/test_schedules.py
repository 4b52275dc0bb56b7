from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.jobs.schedules import JOB_HOURS, cron_for
from chalicelib.jobs.registry import JOB_NAMES

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def test_every_job_has_a_schedule():
    assert set(JOB_HOURS) == set(JOB_NAMES)


@pytest.mark.parametrize("job", sorted(JOB_HOURS))
@pytest.mark.parametrize("day", ["2026-01-15", "2026-07-15"])  # summer and winter: no DST since 2019
def test_utc_cron_fires_at_the_intended_sao_paulo_hour(job, day):
    cron = cron_for(JOB_HOURS[job])
    expression = cron.to_string()
    assert expression.startswith("cron(") and expression.endswith(")")
    minute, hours, *_ = expression[5:-1].split()
    for utc_hour in hours.split(","):
        instant = datetime.fromisoformat(f"{day}T{int(utc_hour):02d}:{int(minute):02d}:00").replace(tzinfo=timezone.utc)
        assert instant.astimezone(SAO_PAULO).hour in JOB_HOURS[job]
    assert len(hours.split(",")) == len(JOB_HOURS[job])


def test_issue_invoices_runs_at_six_in_the_morning_sao_paulo():
    assert cron_for(JOB_HOURS["issue-invoices"]).to_string() == "cron(0 9 * * ? *)"
