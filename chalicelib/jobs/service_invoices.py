"""`issue-service-invoices`: hourly. Issues the NFS-e still pending, retries what the SEFIN left
unanswered (exponential backoff) or refused (daily, for a while), and makes the cancellations and
substitutions refunds asked for (services/service_invoices/issuer.py). A payment or refund in AWS
also sends one work item per NFS-e so it is handled at once, by the worker Lambda, on the same path."""
from chalicelib.jobs.registry import register_job
from chalicelib.jobs.work_queue import work_handler
from chalicelib.wiring.service_invoices import WORK_KIND


@register_job("issue-service-invoices")
def issue_service_invoices(services, business_date):
    return {"job": "issue-service-invoices", "date": business_date.isoformat(),
            **services.service_invoice_issuer.run_due()}


@work_handler(WORK_KIND)
def issue_service_invoice(services, message: dict) -> dict:
    outcome = services.service_invoice_issuer.process(message["account_id"], message["invoice_id"])
    return {"kind": WORK_KIND, "invoice_id": message["invoice_id"], "outcome": outcome}
