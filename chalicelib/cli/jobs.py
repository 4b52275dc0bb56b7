"""`jobs run JOB [--date YYYY-MM-DD]`: run a scheduled job against the configured stage."""
from datetime import date

from chalicelib.cli import CliInputError
from chalicelib.errors import NotFound


def register(subparsers) -> None:
    group = subparsers.add_parser("jobs", help="scheduled jobs")
    commands = group.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a job now and print its summary")
    run.add_argument("job")
    run.add_argument("--date", help="business date (default: today on the stage's clock)")
    run.set_defaults(func=run_command)


def run_command(args) -> dict:
    from chalicelib.jobs.registry import run_job
    from chalicelib.wiring import container

    services = container()
    try:
        business_date = date.fromisoformat(args.date) if args.date else services.clock.today()
    except ValueError as exc:
        raise CliInputError(f"data inválida: {args.date} (use AAAA-MM-DD)") from exc
    try:
        return run_job(args.job, services, business_date)
    except NotFound as exc:
        raise CliInputError(exc.message, {"error": exc.message, **exc.details}) from exc
