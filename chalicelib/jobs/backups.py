"""`run-backups`: hourly from 19:00 to 03:00 (São Paulo); each run generates the backups scheduled
within its hour, plus any a missed run left behind. Outside the window it does nothing, whatever
calls it, so backups are never generated during business hours."""
from chalicelib.jobs.registry import register_job


@register_job("run-backups")
def run_backups(services, business_date):
    return services.backups.run_due(services.clock.now()).as_dict(business_date)
