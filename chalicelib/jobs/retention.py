"""`purge-accounts`: daily at 03:00 (São Paulo); purges every account whose 90 days after
cancellation have run out, catching up the days since its checkpoint."""
from chalicelib.jobs.registry import register_job


@register_job("purge-accounts")
def purge_accounts(services, business_date):
    return services.purges.run_due(business_date).as_dict()
