"""`charge-cards`: daily at 08:00 (São Paulo), charges the card invoices due and the retries due."""
from chalicelib.jobs.registry import register_job


@register_job("charge-cards")
def charge_cards(services, business_date):
    return services.card_charges.run_due(business_date).as_dict()
