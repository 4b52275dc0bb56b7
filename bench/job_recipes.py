"""How each scheduled job's work is made due on a benchmark day (bench/bench_jobs.py).

A recipe takes one account built through the API (bench/world.py `seed_account`) and makes its work
for the job due on the world's day; the account is then read back and cloned `due` times. Each job
measures in a window of days of its own, WINDOW_DAYS apart, so what one job's work leaves due for
another (a boleto issued, a card invoice) never lands on another's measured days; its work days in
that window come from `work_days` (every other day, or a day of the month for jobs whose work can
only fall due then)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

WINDOW_DAYS = 14


def _due_backup(world, account: dict) -> None:
    """run-backups: a backup scheduled within the run's hour."""
    run_at = world.now.replace(minute=30)
    world.api.ok("POST", f"/v1/accounts/{account['ids']['account_id']}/backups", account["tokens"]["owner"],
                 {"run_at": run_at.isoformat()})


def _due_purge(world, account: dict) -> None:
    """purge-accounts: an account cancelled exactly the retention period ago."""
    from chalicelib.domain.data_lifecycle import RETENTION_DAYS

    cancelled_on = world.now.date() - timedelta(days=RETENTION_DAYS)
    world.services.retention.schedule_purge(account["ids"]["account_id"], cancelled_on)


def _due_card_charge(world, account: dict) -> None:
    """charge-cards: a card subscription taken today; its first invoice is charged today."""
    world.api.ok("POST", f"/v1/accounts/{account['ids']['account_id']}/subscriptions", account["tokens"]["owner"],
                 {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "card"})


def _due_renewal(world, account: dict) -> None:
    """issue-invoices: an annual subscription taken a year before the 20th renews on the 20th;
    with the account's due day 15 its invoice is due on the 15th and issued 7 days before: today,
    the 8th."""
    _annual_renewing_on(world, account, world.now.date() + timedelta(days=12))


def _annual_renewing_on(world, account: dict, renewal: date) -> None:
    """An annual boleto subscription taken a year before `renewal`, its first invoice paid then (an
    invoice left unpaid for a year would be an overdue account's, not a renewal's)."""
    from chalicelib.domain.periods import add_months

    today = world.now
    world.set_now(datetime.combine(add_months(renewal, -12), today.timetz()))
    try:
        invoice_id = world.api.ok(
            "POST", f"/v1/accounts/{account['ids']['account_id']}/subscriptions", account["tokens"]["owner"],
            {"product_id": "operand-pro", "periodicity": "annual", "quantity": 2,
             "payment_method": "boleto"})["invoice_id"]
        world.api.ok("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": invoice_id, "method": "pix"})
    finally:
        world.set_now(today)


def _reminder_due(world, account: dict) -> None:
    """send-reminders: a renewal invoice due in 3 days, open — the annual renewal of the 20th
    (`_due_renewal`), issued on the 8th by the issuing worker (not the job: its checkpoint is the
    benchmark's), due on the 15th; today is the 12th. It sits on the review list of the 16th."""
    account_id, today = account["ids"]["account_id"], world.now
    _annual_renewing_on(world, account, today.date() + timedelta(days=8))
    issue_day = today.date() - timedelta(days=4)
    world.set_now(datetime.combine(issue_day, today.timetz()))
    try:
        issued = world.services.invoicing.issue_for_account(account_id, issue_day)
    finally:
        world.set_now(today)
    if not issued.invoice_ids:
        raise RuntimeError(f"send-reminders recipe: no renewal invoice issued on {issue_day}")


def _overdue_boleto(world, account: dict) -> None:
    """check-overdue: a boleto subscription taken ten days ago, its first invoice unpaid, on today's
    review list (the list the job keeps: the day after the due date, then each change day)."""
    from chalicelib.store.base import account_pk
    from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
    from chalicelib.store.reviews import review_due

    account_id, today = account["ids"]["account_id"], world.now
    world.set_now(today - timedelta(days=10))
    try:
        invoice_id = world.api.ok("POST", f"/v1/accounts/{account_id}/subscriptions", account["tokens"]["owner"],
                                  {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                                   "payment_method": "boleto"})["invoice_id"]
    finally:
        world.set_now(today)
    due = review_due(account_id, invoice_id, today.date())
    OpenInvoiceItem(pk=account_pk(account_id), sk=open_invoice_sk(invoice_id)).update(
        actions=[OpenInvoiceItem.due_pk.set(due["due_pk"]), OpenInvoiceItem.due_sk.set(due["due_sk"])])


def _issued_boleto(world, account: dict) -> None:
    """register-boletos: a boleto issued today, waiting for the day's CNAB 240 remittance — a
    boleto subscription taken today, whose first invoice's boleto the customer asks for (2ª via:
    the invoice has none yet, so one is issued now, listed REMIT#<today>)."""
    base = f"/v1/accounts/{account['ids']['account_id']}"
    owner = account["tokens"]["owner"]
    invoice_id = world.api.ok("POST", f"{base}/subscriptions", owner,
                              {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                               "payment_method": "boleto"})["invoice_id"]
    world.api.ok("POST", f"{base}/invoices/{invoice_id}/second-copy", owner)


def every_other_day(first_day: date, count: int) -> list[date]:
    """`count` work days from the day after `first_day`, each after an empty day of its own."""
    if 2 * count > WINDOW_DAYS:
        raise ValueError(f"{count} work days do not fit a window of {WINDOW_DAYS} days")
    return [first_day + timedelta(days=1 + 2 * n) for n in range(count)]


def monthly_on(day_of_month: int):
    """Work days on that day of `count` consecutive months, from `first_day` on."""
    def days(first_day: date, count: int) -> list[date]:
        day = first_day.replace(day=day_of_month)
        if first_day.day >= day_of_month:
            day = _next_month(first_day).replace(day=day_of_month)
        found = []
        for _ in range(count):
            found.append(day)
            day = _next_month(day).replace(day=day_of_month)
        return found
    return days


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


# Job name -> how to make one account's work due on the benchmark's day. A registered job with no
# recipe is still measured (empty runs, Scans, growth with the tables) and reported without calls per item.
WORK_RECIPES = {
    "run-backups": _due_backup,
    "purge-accounts": _due_purge,
    "charge-cards": _due_card_charge,
    "issue-invoices": _due_renewal,
    "check-overdue": _overdue_boleto,
    "register-boletos": _issued_boleto,
    "send-reminders": _reminder_due,
}
# Job name -> its work days in its window, when not every other day: a job whose work can only fall
# due on some days. Invoices due on the 15th (the accounts' due day) are issued on the 8th and
# reminded on the 12th.
WORK_DAYS = {
    "issue-invoices": monthly_on(8),
    "send-reminders": monthly_on(12),
}
# Job name -> the day of the index key its work run reads, when not the work day itself: the
# reminders of the 12th read the review list of the 16th (invoices due on the 15th).
WORK_KEY_DAYS = {
    "send-reminders": lambda work_day: work_day + timedelta(days=4),
}


def work_days(job: str, first_day: date, count: int) -> list[date]:
    """The job's `count` work days in the window that starts on `first_day`; each work day's eve is
    the job's empty day (nothing due)."""
    return WORK_DAYS.get(job, every_other_day)(first_day, count)


def work_key_day(job: str, work_day: date) -> date:
    return WORK_KEY_DAYS.get(job, lambda day: day)(work_day)
