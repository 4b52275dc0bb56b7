"""Pix Automático cycle charges: a renewal invoice of a subscription whose recurrence is approved is
charged at the vendor's PSP with `PUT /cobr/{txid}` for its total, by the issue-invoices worker
right after the invoice is issued (D-7, inside the window of 10 to 2 days before the due date).

Exactly once: the txid is derived from the recurrence and the invoice (domain.pix_automatico.cycle_txid),
so a rerun, a concurrent worker or a retry after a crash between the PSP's answer and our write asks
for the same charge, which the PSP refuses to create twice; the refusal is answered by reading the
charge (`GET /cobr/{txid}`) and recording it. The invoice records the txid and the charge's state
(version-checked), and its live summary the state, so the worker finds an invoice left uncharged in
the account's snapshot it already reads (no extra query).

An invoice whose window has passed, whose recurrence is no longer approved, or whose charge ended
unpaid is billed by boleto instead, with an e-mail. The payer's maximum (set in their bank app) is never
shown to the receiver: a charge above it is refused by the payer's PSP (REJEITADA, code AM02), in the
PSP's answer or later by webhook (`bill_by_boleto`), and the e-mail says so. What the worker could not charge (the PSP unreachable, a crash before it got there) the
charge-cards job's step `run_due` finds on the due-day partitions of the review list and charges the
same day or the next, still inside the window.

Calls per cycle charge: one PUT at the PSP (two after a crash: PUT + GET); DynamoDB: two GetItem (the
invoice, the recurrence), one Query (the account's live items) and one TransactWriteItems."""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.adapters.pix_automatico import PspError
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod
from chalicelib.domain.invoice_calendar import INVOICE_LEAD_DAYS
from chalicelib.domain.pix_automatico import (
    LATEST_DAYS_BEFORE_DUE, UNPAID_ENDINGS, PixAutomaticoError, RecurrenceStatus, charge_window, create_cycle_charge,
    cycle_txid, unpaid_reason,
)
from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.invoicing.records import issue_first_boleto, record_boleto_lookup
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.recipients import billing_recipients
from chalicelib.services.shared.retry import retrying
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.schema import DUE_SHARDS

PIX_AUTOMATICO = "pix_automatico"
ACTOR = "job:pix-cycle-charges"
_log = get_logger("pix_cycle_charges")


@dataclass(frozen=True)
class ChargeOutcome:
    invoice_id: str
    outcome: str  # charged | recovered (sent before, read back) | already_charged | boleto | not_yet | skipped
    #                | psp_unavailable
    txid: str | None = None
    status: str | None = None


class PixCycleCharges:
    def __init__(self, billing, invoice_reads, recurrences, psp_provider, documents, accounts, mailer, clock,
                 receiver: dict, bank_code: str, portal_url: str = ""):
        """`psp_provider`: returns the PSP port, built only when a charge is sent (the invoicing worker
        holds this service for every account); `receiver`: the vendor's account at the PSP
        (CobRSolicitada.recebedor: conta, tipoConta, agencia); `documents`: BoletoDocumentService, for
        the boleto that replaces a charge."""
        self._billing = billing
        self._reads = invoice_reads
        self._recurrences = recurrences
        self._psp_provider = psp_provider
        self._documents = documents
        self._accounts = accounts
        self._mailer = mailer
        self._clock = clock
        self._receiver = receiver
        self._bank = bank_code
        self._portal_url = portal_url

    def run_due(self, today: date) -> dict:
        """A step of the daily charge-cards job: Pix Automático invoices the worker could not charge
        when it issued them (the PSP unreachable, a crash), found on the review list of their due day
        (no Scan: 8 Queries per due day, each returning only what is still to charge). The due days
        looked at run from tomorrow (its window has just passed: billed by boleto) to the due day of
        today's issue (7 days ahead): invoices are issued 7 days before their due date, so nothing
        uncharged can be due later."""
        counts: dict[str, int] = {}
        for ahead in range(LATEST_DAYS_BEFORE_DUE - 1, INVOICE_LEAD_DAYS + 1):
            due = today + timedelta(days=ahead)
            for shard in range(DUE_SHARDS):
                for summary in self._reads.open_pix_automatico_uncharged_due_on(due, shard):
                    outcome = self.charge(summary.account_id, summary.invoice_id).outcome
                    counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def uncharged(self, snapshot) -> list[str]:
        """The open Pix Automático invoices of an account's snapshot with no charge recorded yet."""
        return [summary.invoice_id for summary in snapshot.open_invoices
                if summary.payment_method == PIX_AUTOMATICO and not summary.pix_charge_status]

    def charge_invoices(self, account_id: str, invoice_ids: list[str]) -> list[ChargeOutcome]:
        return [self.charge(account_id, invoice_id) for invoice_id in invoice_ids]

    def charge(self, account_id: str, invoice_id: str) -> ChargeOutcome:
        try:
            return retrying(lambda: self._charge(account_id, invoice_id))
        except PspError as error:
            # Unreachable or refused: nothing recorded, the next run of the day tries the same txid again.
            log_event(_log, "pix cycle charge failed", level=logging.WARNING, account_id=account_id,
                      invoice_id=invoice_id, status=error.status, reason=str(error))
            return ChargeOutcome(invoice_id, "psp_unavailable")

    def _charge(self, account_id: str, invoice_id: str) -> ChargeOutcome:
        clock = frozen(self._clock)
        today = clock.today()
        invoice = self._reads.get(account_id, invoice_id)
        if invoice is None or invoice.status != InvoiceStatus.OPEN or invoice.payment_method != PIX_AUTOMATICO:
            return ChargeOutcome(invoice_id, "skipped")
        if invoice.pix_txid:
            return ChargeOutcome(invoice_id, "already_charged", invoice.pix_txid, invoice.pix_charge_status)
        recurrence = self._recurrence_of(invoice)
        if recurrence is None:
            return self._by_boleto(clock, invoice, "no_recurrence")
        window = charge_window(invoice.due_date)
        if today < window.earliest:
            return ChargeOutcome(invoice_id, "not_yet")
        if today > window.latest:
            return self._by_boleto(clock, invoice, "too_late")
        txid = cycle_txid(recurrence.rec_id, invoice.invoice_id)
        try:
            body = create_cycle_charge(rec_id=recurrence.rec_id, due=invoice.due_date, amount_cents=invoice.total_cents,
                                       today=today, receiver=self._receiver, info=f"Fatura {invoice.label}")
        except PixAutomaticoError as error:
            log_event(_log, "pix cycle charge not built", level=logging.WARNING, invoice_id=invoice_id,
                      reason=str(error))
            return ChargeOutcome(invoice_id, "skipped")
        outcome = "charged"
        try:
            answer = self._psp_provider().create_cycle_charge(txid, body)
        except PspError as error:
            if error.status != 400:
                raise
            # Sent before (a crash between the PSP's answer and our write, or another worker): read it.
            answer = self._psp_provider().get_cycle_charge(txid)
            outcome = "recovered"
        status = answer.get("status") or "ATIVA"
        self._record(clock, invoice, txid, status, recurrence.rec_id)
        log_event(_log, "pix cycle charge sent", account_id=account_id, invoice_id=invoice_id, txid=txid,
                  status=status, outcome=outcome)
        if status in UNPAID_ENDINGS:  # refused at once by the payer's PSP (e.g. above their maximum)
            return self.bill_by_boleto(account_id, invoice_id, unpaid_reason(answer))
        return ChargeOutcome(invoice_id, outcome, txid, status)

    def bill_by_boleto(self, account_id: str, invoice_id: str, reason: str) -> ChargeOutcome:
        """The invoice's cycle charge ended unpaid (refused, expired, cancelled at the PSP): it is paid
        by boleto from now on, with an e-mail, and stays on the overdue rules' list. Once only: an
        invoice already moved (or paid, or closed) is `skipped`."""
        def attempt() -> ChargeOutcome:
            invoice = self._reads.get(account_id, invoice_id)
            if invoice is None or invoice.status != InvoiceStatus.OPEN or invoice.payment_method != PIX_AUTOMATICO:
                return ChargeOutcome(invoice_id, "skipped")
            return self._by_boleto(frozen(self._clock), invoice, reason)

        return retrying(attempt)

    def _recurrence_of(self, invoice: InvoiceItem):
        for subscription_id in dict.fromkeys(line.subscription_id for line in invoice.lines if line.subscription_id):
            item = self._recurrences.get(invoice.account_id, subscription_id)
            if item is not None and item.status == RecurrenceStatus.APROVADA:
                return item
        return None

    def _summary(self, invoice: InvoiceItem):
        """(the invoice's live summary or None, the account's snapshot)."""
        snapshot = self._billing.snapshot(invoice.account_id, consistent=True)
        return next((s for s in snapshot.open_invoices if s.invoice_id == invoice.invoice_id), None), snapshot

    def _record(self, clock, invoice: InvoiceItem, txid: str, status: str, rec_id: str) -> None:
        summary, _ = self._summary(invoice)
        writes = self._billing.writes()
        invoice.pix_txid, invoice.pix_charge_status = txid, status
        writes.save(invoice)  # version-checked: a concurrent change reads again (retrying)
        if summary is not None:
            summary.pix_charge_status = status
            writes.save(summary, condition=OpenInvoiceItem.pk.exists())
        writes.save(audit_entry(clock, invoice.account_id, actor=ACTOR, action="invoice.pix_charge_sent",
                                target=invoice.invoice_id, after={"txid": txid, "status": status, "rec_id": rec_id}))
        _commit(writes)

    def _by_boleto(self, clock, invoice: InvoiceItem, reason: str) -> ChargeOutcome:
        """The invoice is paid by boleto instead (issued now), and the customer is told why."""
        summary, snapshot = self._summary(invoice)
        account = snapshot.account
        invoice.payment_method = PaymentMethod.BOLETO.value
        issue_first_boleto(self._documents, invoice, account.billing_data if account else None, clock.today(),
                           self._bank)
        writes = self._billing.writes()
        writes.save(invoice)
        if summary is not None:
            summary.payment_method = PaymentMethod.BOLETO.value
            writes.save(summary, condition=OpenInvoiceItem.pk.exists())
        record_boleto_lookup(writes, invoice, clock.now())
        writes.save(audit_entry(clock, invoice.account_id, actor=ACTOR, action="invoice.pix_charge_replaced",
                                target=invoice.invoice_id, after={"payment_method": "boleto", "reason": reason}))
        try:
            _commit(writes)
        except ConcurrentUpdate:
            if invoice.pdf_key:
                self._documents.discard(invoice.pdf_key)
            raise
        if account is not None:
            self._email(account, invoice, reason)
        log_event(_log, "pix cycle billed by boleto", account_id=invoice.account_id, invoice_id=invoice.invoice_id,
                  reason=reason)
        return ChargeOutcome(invoice.invoice_id, "boleto")

    def _email(self, account, invoice: InvoiceItem, reason: str) -> None:
        from chalicelib.adapters.email import render
        from chalicelib.domain.money import format_brl

        recipients = billing_recipients(self._accounts, account)
        link = f"{self._portal_url.rstrip('/')}/contas/{invoice.account_id}/faturas/{invoice.invoice_id}"
        self._mailer.send(render("pix_automatico_boleto", recipients, account_name=account.name, reason=reason,
                                 invoice_label=invoice.label, amount=format_brl(invoice.total_cents),
                                 due_date=invoice.due_date.strftime("%d/%m/%Y"),
                                 digitable_line=invoice.digitable_line, link=link),
                          account_id=invoice.account_id, message_key=f"pix_automatico_boleto:{invoice.invoice_id}")


def _commit(writes) -> None:
    try:
        writes.commit()
    except Conflict as conflict:
        raise ConcurrentUpdate() from conflict
