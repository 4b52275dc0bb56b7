"""`send-reminders`: daily at 09:00 (São Paulo), a reminder e-mail for each open boleto invoice due
in 3 days (services/invoicing/reminders.py, docs/reminders.md), and one for each trial ending in 3 days
(services/subscriptions/trials.py)."""
from chalicelib.jobs.registry import register_job


@register_job("send-reminders")
def send_reminders(services, business_date):
    summary = services.reminders.run_due(business_date).as_dict()
    trials = services.trials.remind_due(business_date)  # trials ending in 3 days (docs/promotions.md)
    summary["processed"] += trials.processed
    summary["trials_reminded"] = trials.sent
    return summary
