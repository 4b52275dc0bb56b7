"""When a renewal is invoiced (PRODUCT.md §4): one invoice per account and due date, issued 7 days
before it, covering every subscription renewing before the next due date.

With a due day (8, 15 or 22) an account's due dates are that day of every month; the invoice due on
D bills every renewal starting in [D, next due date), plus anything lapsed before D. Without a due
day every renewal date is a due date of its own and its invoice bills the renewals starting on it."""
from datetime import date, timedelta

from chalicelib.domain.due_day import INVOICE_LEAD_DAYS, invoice_issue_date, next_due_date
from chalicelib.domain.periods import add_months

_ONE_DAY = timedelta(days=1)


def due_date_for_renewal(renewal_start: date, due_day: int | None) -> date:
    """The due date of the invoice that bills a renewal starting on `renewal_start`: the last due
    date on or before it (that invoice covers the renewal), or the start itself without a due day."""
    if not due_day:
        return renewal_start
    this_month = renewal_start.replace(day=due_day)
    return this_month if this_month <= renewal_start else add_months(this_month, -1)


def coverage_end(due_date: date, due_day: int | None) -> date:
    """Renewals starting before this date belong on the invoice due on `due_date`."""
    return next_due_date(due_date, due_day) if due_day else due_date + _ONE_DAY


def due_date_of_run(issue_date: date) -> date:
    """The due date of the invoices a run on `issue_date` issues."""
    return issue_date + timedelta(days=INVOICE_LEAD_DAYS)


def renewal_issue_date(renewal_start: date, due_day: int | None) -> date:
    """The regular day the invoicing job bills a renewal starting on `renewal_start`: 7 days before
    the due date of the invoice that covers it on the account's due-day grid (with a due day that
    can be earlier than 7 days before the renewal itself). The boleto is generated then, which is
    why the boleto→card switch closes with that run (Ummense)."""
    return invoice_issue_date(due_date_for_renewal(renewal_start, due_day))


def issue_date_for_renewal(renewal_start: date, due_day: int | None, after: date) -> date:
    """The day the invoicing job must bill a renewal starting on `renewal_start`, strictly after
    `after` (a run on `after` or before it has already happened, or is happening now).

    When the regular issue date has passed (a plan change moved the renewal close, the job was
    down), the renewal joins the next invoice still to be issued: with a due day, the next due
    date's; without one, tomorrow's run, due a week later."""
    due = due_date_for_renewal(renewal_start, due_day)
    while invoice_issue_date(due) <= after:
        if not due_day:
            return after + _ONE_DAY
        due = next_due_date(due, due_day)
    return invoice_issue_date(due)
