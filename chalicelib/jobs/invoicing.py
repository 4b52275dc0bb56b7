"""`issue-invoices`: daily at 06:00 (São Paulo). The schedule runs the planner; the work items it
fans out (a shard's page to plan, an account to invoice) are handled by the worker — the SQS worker
Lambda in AWS, in-process locally and in tests (services/invoicing/job.py)."""
from datetime import date

from chalicelib.jobs.registry import register_job
from chalicelib.jobs.work_queue import handle, work_handler
from chalicelib.services.invoicing.work_kinds import PLAN_KIND, WORK_KIND


@register_job("issue-invoices")
def issue_invoices(services, business_date):
    return services.issue_invoices_job.run(business_date, handle).as_dict()


@work_handler(WORK_KIND)
def issue_for_account(services, message: dict) -> dict:
    outcome = services.invoicing.issue_for_account(message["account_id"], date.fromisoformat(message["issue_date"]))
    return {"kind": WORK_KIND, "account_id": outcome.account_id, "invoice_ids": outcome.invoice_ids,
            "superseded": outcome.superseded, "already_issued": outcome.already_issued,
            "notices_resent": outcome.notices_resent,
            "pix_charges": [charge.outcome for charge in outcome.pix_charges]}


@work_handler(PLAN_KIND)
def plan_shard(services, message: dict) -> dict:
    return services.issue_invoices_job.plan_and_queue(message)
