"""Scheduled jobs by name. Each runner takes the container and the business date and returns a
summary dict: {"job", "date", "processed", ...counts}. The same runner serves the EventBridge
schedule, `POST /v1/_dev/jobs/{job}` and `python -m chalicelib.cli jobs run`."""
from datetime import date
from typing import Callable

from chalicelib.errors import NotFound

JobRunner = Callable[[object, date], dict]

# The six jobs of the product (API.md), plus the bank registration of the day's boletos (CNAB 240
# remittance) and the hourly NFS-e run; a name maps to its runner once the job is built.
JOB_NAMES = ("issue-invoices", "charge-cards", "check-overdue", "send-reminders", "run-backups",
             "purge-accounts", "register-boletos", "issue-service-invoices")
_RUNNERS: dict[str, JobRunner] = {}


def register_job(name: str):
    if name not in JOB_NAMES:
        raise ValueError(f"unknown job {name!r}")

    def decorator(runner: JobRunner) -> JobRunner:
        _RUNNERS[name] = runner
        return runner

    return decorator


def available_jobs() -> list[str]:
    _load_runners()
    return sorted(_RUNNERS)


def run_job(name: str, services, business_date: date) -> dict:
    _load_runners()
    runner = _RUNNERS.get(name)
    if runner is None:
        raise NotFound(f"Job desconhecido: {name}.", code="job_not_found",
                       details={"available": sorted(_RUNNERS)})
    return runner(services, business_date)


def _load_runners() -> None:
    # Job modules register themselves on import; importing them here keeps the API's cold start
    # free of job code until a job is actually asked for.
    import importlib
    import pkgutil

    import chalicelib.jobs as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in ("registry", "handlers"):
            importlib.import_module(f"chalicelib.jobs.{module.name}")
