"""EventBridge schedules of the jobs. Chalice schedules are UTC cron expressions; each job is
declared at its São Paulo hour and converted here. Brazil has had no daylight saving time since
2019, so São Paulo is UTC-3 all year."""
from chalice import Blueprint, Cron

from chalicelib.jobs.registry import available_jobs, run_job
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.wiring import container

SAO_PAULO_UTC_OFFSET_HOURS = -3

# Job → São Paulo hours at which it runs ("*" hours are written as a list of hours).
JOB_HOURS = {
    "issue-invoices": [6],
    "charge-cards": [8],
    "check-overdue": [7],
    "send-reminders": [9],
    "run-backups": [19, 20, 21, 22, 23, 0, 1, 2, 3],
    "purge-accounts": [3],
    "register-boletos": [20],  # the day's boletos, after business hours
    "issue-service-invoices": list(range(24)),  # hourly: pending NFS-e and retries with backoff
}

bp = Blueprint(__name__)
_log = get_logger("jobs")


def utc_hours(sao_paulo_hours: list[int]) -> list[int]:
    return sorted((hour - SAO_PAULO_UTC_OFFSET_HOURS) % 24 for hour in sao_paulo_hours)


def cron_for(sao_paulo_hours: list[int], minute: int = 0) -> Cron:
    hours = ",".join(str(hour) for hour in utc_hours(sao_paulo_hours))
    return Cron(minute, hours, "*", "*", "?", "*")


def _make_handler(job: str):
    def handler(event):
        services = container()
        summary = run_job(job, services, services.clock.today())
        log_event(_log, "job finished", **summary)
        return summary

    handler.__name__ = "job_" + job.replace("-", "_")
    return handler


def register_schedules() -> None:
    """Schedule every job that has been built (a job module registers its runner on import)."""
    for job in available_jobs():
        bp.schedule(cron_for(JOB_HOURS[job]), name=job)(_make_handler(job))


register_schedules()
