"""`send-reminders`: daily at 09:00 (São Paulo), a reminder e-mail for each open boleto invoice due
in 3 days (services/invoicing/reminders.py, docs/reminders.md)."""
from chalicelib.jobs.registry import register_job


@register_job("send-reminders")
def send_reminders(services, business_date):
    return services.reminders.run_due(business_date).as_dict()
