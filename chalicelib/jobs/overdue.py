"""`check-overdue`: daily at 07:00 (São Paulo), after the invoices are issued and before cards are charged."""
from chalicelib.jobs.registry import register_job


@register_job("check-overdue")
def check_overdue(services, business_date):
    return services.check_overdue_job.run(business_date).as_dict()
