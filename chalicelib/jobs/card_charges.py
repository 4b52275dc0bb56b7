"""`charge-cards`: daily at 08:00 (São Paulo), charges the card invoices due and the retries due;
then sends the Pix Automático cycle charges the issue-invoices workers could not send when they
issued the invoices (the PSP unreachable, a crash: services/invoicing/pix_cycle_charges.py)."""
from chalicelib.jobs.registry import register_job


@register_job("charge-cards")
def charge_cards(services, business_date):
    summary = services.card_charges.run_due(business_date).as_dict()
    summary["pix_cycle_charges"] = services.pix_cycle_charges.run_due(business_date)
    return summary
