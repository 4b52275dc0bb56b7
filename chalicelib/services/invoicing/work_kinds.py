"""The kinds of the issue-invoices job's work items, on their own: the Lambda entry registers its queue
handler by them at import, without loading the job itself (services/invoicing/job.py)."""
WORK_KIND = "issue-invoice"
PLAN_KIND = "plan-issue-shard"
