"""The `send-reminders` job (daily at 09:00 São Paulo): a pt-BR e-mail to the billing list and the
owner a few days before an open boleto invoice falls due, with the amount, the due date, the linha
digitável, the Pix copia e cola and the invoice's page in the portal (docs/reminders.md).

- Which invoices: open or partially paid (`domain.settlement.PAYABLE_STATUSES`) boleto invoices whose
  current boleto is the one to pay — for what is still owed, not past its due date. Card invoices are
  charged automatically and get no reminder; paid, void, superseded and cancelled ones are never
  reminded (settlement, voiding and consolidation delete their live summary, so they are not even
  listed).
- When: `DAYS_BEFORE_DUE` (3) days before the due date. The run of day D reminds the invoices due on
  D + 3.
- Where they are: an open boleto invoice's live summary (OPENINV#) sits on check-overdue's review
  list from the day it is created, for the day after its due date (`store/reviews.py`). So the
  invoices due on D + 3 are on REVIEW#<D + 4>: one Query per shard, filtered to open boleto
  summaries due that day — no Scan, and no new index entry in the issuing transaction.
- Exactly once: the reminder is claimed on the summary with one conditional write (`reminded_on`
  set to the reminder day only if not already at or past it, and only while the summary still
  exists — a settled invoice's summary is gone), in one transaction with its audit entry; the e-mail
  goes after the commit. The claim's instant (`reminder_claimed_at`) stays until the e-mail is out:
  a later run that finds a claim older than itself resends it (taking it over with a conditional
  write, so two later runs do not both resend); a claim made after a run started belongs to a run
  still sending it, and that run leaves it alone.
- Catch-up: the checkpoint window (domain/catch_up.py) keeps today open, so every run also re-reads
  yesterday's and today's lists (an invoice created after the morning run, due in 3 days, is still
  reminded the next day). A missed day whose invoices are still not due is run late (the e-mail
  counts the days left from today); a missed day whose due date has already passed is skipped —
  that invoice gets check-overdue's `invoice_overdue` e-mail instead."""
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.adapters.email import Email, render
from chalicelib.domain.boleto import format_line
from chalicelib.domain.enums import PaymentMethod
from chalicelib.domain.money import format_brl
from chalicelib.domain.settlement import PAYABLE_STATUSES
from chalicelib.errors import Conflict
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.invoicing.notices import recipients
from chalicelib.services.invoicing.records import current_boleto
from chalicelib.store.invoices import BoletoDocument, InvoiceItem, OpenInvoiceItem
from chalicelib.store.schema import DUE_SHARDS

JOB = "send-reminders"
DAYS_BEFORE_DUE = 3
TEMPLATE = "invoice_reminder"
_log = get_logger("reminders")

SENT, RESENT, SKIPPED, BUSY = "sent", "resent", "skipped", "busy"


@dataclass
class ReminderRun:
    business_date: date
    processed: int = 0  # open boleto invoices read from the lists, due on a reminder day's date
    sent: int = 0
    resent: int = 0  # reminders a crash left claimed but not sent
    skipped: int = 0  # already reminded, no boleto to pay as it stands, or settled meanwhile
    failed: int = 0
    past_due_days: int = 0  # missed days whose invoices are already due: nothing to remind

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.processed,
                "sent": self.sent, "resent": self.resent, "skipped": self.skipped, "failed": self.failed,
                "past_due_days": self.past_due_days}


def reminder_boleto(invoice: InvoiceItem | None, today: date) -> BoletoDocument | None:
    """The boleto a reminder tells to pay: the invoice's current one, while the invoice is payable,
    by boleto, for exactly what is still owed and not past its due date. None: no reminder."""
    if invoice is None or invoice.status not in PAYABLE_STATUSES or invoice.payment_method != PaymentMethod.BOLETO:
        return None
    boleto = current_boleto(invoice)
    if boleto is None or boleto.due_date < today:
        return None
    if boleto.amount_cents != invoice.total_cents - (invoice.paid_cents or 0):
        return None  # paid in part: the 2ª via issues the boleto of what is owed
    return boleto


class ReminderService:
    def __init__(self, billing, invoice_reads, invoice_writes, invoice_notices, mailer, checkpoints, clock,
                 days_before: int = DAYS_BEFORE_DUE):
        self._billing = billing
        self._reads = invoice_reads
        self._writes = invoice_writes
        self._notices = invoice_notices
        self._mailer = mailer
        self._checkpoints = checkpoints
        self._clock = clock
        self._days_before = days_before

    def run_due(self, today: date) -> ReminderRun:
        clock = frozen(self._clock)  # the run's start: claims older than it belong to a run that died
        run = ReminderRun(today)
        window = self._checkpoints.open_window(JOB, today, self._days_before, today_stays_open=True)
        for day in window.days:
            due = day + timedelta(days=self._days_before)
            if due < today:  # a missed day whose invoices are already due: check-overdue's e-mail now
                run.past_due_days += 1
                continue
            if not self._run_day(day, due, today, clock, run):
                window.failed(day)
        self._checkpoints.close_window(JOB, window)
        return run

    def _listed(self, due: date):
        """The open boleto invoices due on `due`, shard by shard."""
        for shard in range(DUE_SHARDS):
            yield from self._reads.open_boleto_invoices_due_on(due, shard)

    def _run_day(self, day: date, due: date, today: date, clock, run: ReminderRun) -> bool:
        done = True
        for summary in self._listed(due):
            run.processed += 1
            try:
                outcome = self._remind(summary, day, today, clock)
            except Exception:  # noqa: BLE001 — one invoice's failure must not stop the others
                _log.exception("reminder failed", extra={"fields": {
                    "account_id": summary.account_id, "invoice_id": summary.invoice_id, "day": day.isoformat()}})
                run.failed += 1
                done = False
                continue
            if outcome == SENT:
                run.sent += 1
            elif outcome == RESENT:
                run.resent += 1
            else:
                run.skipped += 1
            # Busy: another run holds the claim (or won the race) — the day is read again next
            # run, so a reminder that run fails to send is not lost with the checkpoint.
            done = done and outcome != BUSY
        return done

    def _remind(self, summary: OpenInvoiceItem, day: date, today: date, clock) -> str:
        if summary.reminded_on is not None and summary.reminded_on >= day:
            claimed = summary.reminder_claimed_at
            if claimed is None:
                return SKIPPED  # sent
            if claimed >= clock.now():
                return BUSY  # claimed since this run started: another run is sending it
            return self._resend(summary, claimed, today)
        invoice = self._reads.get(summary.account_id, summary.invoice_id)
        boleto = reminder_boleto(invoice, today)
        if boleto is None:
            return SKIPPED
        snapshot = self._billing.snapshot(summary.account_id)
        if snapshot.account is None:
            return SKIPPED
        email = self._email(snapshot, invoice, boleto, today)
        claimed_at = self._clock.now()
        writes = self._billing.writes()
        writes.update(summary, [OpenInvoiceItem.reminded_on.set(day), OpenInvoiceItem.reminder_claimed_at.set(claimed_at)],
                      condition=OpenInvoiceItem.pk.exists() & (OpenInvoiceItem.reminded_on.does_not_exist()
                                                               | (OpenInvoiceItem.reminded_on < day)))
        writes.save(audit_entry(clock, summary.account_id, actor=f"job:{JOB}", action="invoice.reminded",
                                target=invoice.invoice_id, after={
                                    "reminder_day": day.isoformat(), "due_date": boleto.due_date.isoformat(),
                                    "amount_cents": boleto.amount_cents, "nosso_numero": boleto.nosso_numero,
                                    "recipients": len(email.to)}))
        try:
            writes.commit()
        except Conflict:
            return BUSY  # another run claimed it first, or the invoice was settled meanwhile
        self._send(summary, day, email, claimed_at)
        log_event(_log, "reminder sent", level=logging.INFO, invoice_id=invoice.invoice_id,
                  due_date=boleto.due_date.isoformat())
        return SENT

    def _resend(self, summary: OpenInvoiceItem, claimed: datetime, today: date) -> str:
        """A claim whose e-mail never went out (the run died after its commit): take it over, then
        send it — unless the invoice no longer has a boleto to remind of."""
        taken_at = self._clock.now()
        if not self._writes.move_reminder_claim(summary, claimed, taken_at):
            return BUSY  # another run took it over first
        invoice = self._reads.get(summary.account_id, summary.invoice_id)
        boleto = reminder_boleto(invoice, today)
        snapshot = self._billing.snapshot(summary.account_id) if boleto else None
        if boleto is None or snapshot.account is None:
            self._writes.move_reminder_claim(summary, taken_at, None)
            return SKIPPED
        # Queued at the first claim: the local outbox keeps one message when the crash came after it.
        self._send(summary, summary.reminded_on, self._email(snapshot, invoice, boleto, today), taken_at,
                   queued_at=claimed)
        return RESENT

    def _send(self, summary: OpenInvoiceItem, day: date, email: Email, claimed_at: datetime,
              queued_at: datetime | None = None) -> None:
        self._mailer.send(email, account_id=summary.account_id,
                          message_key=f"invoice.reminder:{summary.invoice_id}:{day.isoformat()}",
                          queued_at=queued_at or claimed_at)
        self._writes.move_reminder_claim(summary, claimed_at, None)

    def _email(self, snapshot, invoice: InvoiceItem, boleto: BoletoDocument, today: date) -> Email:
        return render(
            TEMPLATE, recipients(snapshot), account_name=snapshot.account.name, invoice_number=invoice.label,
            amount=format_brl(boleto.amount_cents), due_date=f"{boleto.due_date:%d/%m/%Y}",
            days_left=(boleto.due_date - today).days,
            lines=[{"description": line.description, "amount": format_brl(line.amount_cents)}
                   for line in invoice.lines],
            boleto={"line": format_line(boleto.digitable_line), "pix": boleto.pix_payload},
            invoice_url=self._notices.invoice_url(invoice),
        )
