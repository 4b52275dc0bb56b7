"""The work on one NFS-e, under a lease, and the issue-service-invoices job's run.

Exactly one NFS-e per invoice:
- the NFS-e item exists once per invoice (settlement creates it with attribute_not_exists);
- its DPS number is allocated once (an atomic counter, then a versioned write), so every send of it
  carries the same DPS id, and the SEFIN never authorises one DPS id twice;
- `sent_at` is written before each send: a later attempt (after a timeout, or a crash between the
  SEFIN's answer and our write) asks `find_by_dps` first and stores what it finds instead of sending;
- a worker claims the item (lease) with a versioned put before calling the SEFIN, and every later
  write is versioned too: a second worker sees the lease or loses the condition, and stops.

Outcomes of one run on an item: issued, cancelled, substituted, failed, retry (the SEFIN did not
answer: backoff), busy (another worker has it), nothing (nothing due)."""
import logging
import secrets
from datetime import datetime, timedelta

from chalicelib.adapters.clock import FixedClock
from chalicelib.adapters.service_invoices import SefinRejected, SefinUnavailable
from chalicelib.domain.service_invoice_rules import (
    CANCEL_SERVICE_NOT_PROVIDED, describe_problems, next_attempt_after_outage, next_attempt_after_rejection,
)
from chalicelib.domain.service_invoices import IssuedNfse, ServiceInvoiceStatus
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.service_invoices.dps import DpsBuilder
from chalicelib.services.service_invoices.notices import SYSTEM_ACTOR, ServiceInvoiceNotices
from chalicelib.services.service_invoices.opening import declared_net
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.store.service_invoices import CANCEL, ISSUE, SUBSTITUTE, ServiceInvoiceItem

_log = get_logger("service_invoices")
# Longer than any Lambda runs (15 minutes): a lease older than this was left by a worker that died.
LEASE = timedelta(minutes=16)
# Items taken from each shard of the work list per run (the next run takes the rest).
PER_SHARD = 100
FILES = "invoices"
CANCELLATION_REASON = "Desistência da compra no prazo de 7 dias: valor estornado ao cliente."
PENDING, ISSUED, FAILED, CANCELLED = (ServiceInvoiceStatus.PENDING.value, ServiceInvoiceStatus.ISSUED.value,
                                      ServiceInvoiceStatus.FAILED.value, ServiceInvoiceStatus.CANCELLED.value)


class LeaseLost(Exception):
    """Another writer changed the item since this worker claimed it: it goes on from there."""


class _Failure(Exception):
    """The NFS-e cannot be issued as it is: a person must act (code, pt-BR message)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ServiceInvoiceIssuer:
    def __init__(self, repository, invoices, accounts, authority, files, render_pdf, builder: DpsBuilder,
                 notices: ServiceInvoiceNotices, clock):
        """`authority`: the SEFIN port (chalicelib.adapters.service_invoices.ServiceInvoiceAuthority);
        `render_pdf(nfse_xml) -> bytes`: the DANFSe; `files`: the files bucket."""
        self._repo = repository
        self._invoices = invoices
        self._accounts = accounts
        self._authority = authority
        self._files = files
        self._render_pdf = render_pdf
        self._builder = builder
        self._notices = notices
        self._clock = clock

    # --- the job ------------------------------------------------------------------------------
    def run_due(self) -> dict:
        """Every NFS-e due now (pending, retries, refunds' cancellations and substitutions, notices a
        crash left), each under its own lease."""
        now = self._clock.now()
        counts: dict[str, int] = {}
        due = self._repo.due(now, PER_SHARD)
        for listed in due:
            outcome = self.process(listed.account_id, listed.invoice_id)
            counts[outcome] = counts.get(outcome, 0) + 1
        return {"processed": len(due), **counts}

    # --- one NFS-e ----------------------------------------------------------------------------
    def process(self, account_id: str, invoice_id: str) -> str:
        """Do what the NFS-e of the invoice is due for; safe to call any number of times, by any
        number of workers at once."""
        clock = frozen(self._clock)
        now = clock.now()
        item = self._repo.get(account_id, invoice_id)
        if item is None or not item.scheduled:
            return "nothing"
        if item.lease_until is not None and item.lease_until > now:
            return "busy"
        item.lease_owner, item.lease_until = secrets.token_hex(8), now + LEASE
        if not self._repo.save(item):
            return "busy"
        try:
            return self._work(item, now)
        except LeaseLost:
            log_event(_log, "service invoice changed by another writer", level=logging.INFO,
                      invoice_id=invoice_id)
            return "busy"

    def _work(self, item: ServiceInvoiceItem, now: datetime) -> str:
        if item.request_pending:
            self._notices.ask_finance(item, _request_text(item))
            item.request_pending = None
            self._save(item)
        if item.notice_pending:
            return self._deliver(item, now)
        try:
            if item.action == CANCEL:
                return self._cancel(item, now)
            if item.action == SUBSTITUTE:
                return self._substitute(item, now)
            if item.action == ISSUE:
                return self._issue(item, now)
        except SefinUnavailable as error:
            return self._retry(item, now, error)
        self._done(item)
        return "nothing"

    # --- issuing ------------------------------------------------------------------------------
    def _issue(self, item: ServiceInvoiceItem, now: datetime, substitutes: str | None = None) -> str:
        found = self._already_issued(item)
        if found is not None:
            return self._store_issued(item, found, now, substitutes)
        if item.dps_number is None:
            item.dps_number = self._repo.next_dps_number(item.dps_series)
            self._save(item)
        invoice = self._invoices.get(item.account_id, item.invoice_id)
        account = self._accounts.get(item.account_id)
        built = self._builder.build(item, invoice, account, now, substitutes)
        if built.dps is None:
            return self._fail(item, now, _Failure("dados_cobranca", describe_problems(built.problems)))
        try:
            signed = self._authority.sign(built.dps)
        except ValueError as refused:  # the layout's XSD refused a value: a person must look at it
            return self._fail(item, now, _Failure("leiaute", f"O documento da NFS-e não passou na validação do "
                                                             f"leiaute nacional: {refused}"))
        item.dps_id, item.sent_at = signed.dps_id, now
        self._save(item)
        try:
            issued = self._authority.issue(signed)
        except SefinRejected as rejected:
            # A DPS id the SEFIN already authorised is refused as a duplicate: that one is ours.
            found = self._authority.find_by_dps(item.dps_id)
            if found is not None:
                return self._store_issued(item, found, now, substitutes)
            item.sent_at = None
            return self._fail(item, now, _Failure(rejected.code, f"A SEFIN Nacional recusou a NFS-e "
                                                                 f"({rejected.code}): {rejected.message}"))
        return self._store_issued(item, issued, now, substitutes)

    def _already_issued(self, item: ServiceInvoiceItem) -> IssuedNfse | None:
        """A DPS sent before without a stored answer (timeout, crash): the SEFIN says what became of it."""
        if item.sent_at is None or not item.dps_id:
            return None
        return self._authority.find_by_dps(item.dps_id)

    def _store_issued(self, item: ServiceInvoiceItem, issued: IssuedNfse, now: datetime,
                      substitutes: str | None) -> str:
        prefix = f"{FILES}/{item.account_id}/{item.invoice_id}/nfse-{issued.access_key}"
        self._files.put(f"{prefix}.xml", issued.xml, "application/xml")
        item.xml_key = f"{prefix}.xml"
        item.pdf_key = self._store_pdf(prefix, issued)
        if substitutes:
            item.replaced_keys = [*item.replaced_keys, substitutes]
        item.status, item.access_key, item.number = ISSUED, issued.access_key, issued.number
        item.issued_at, item.dps_id, item.sent_at = issued.issued_at, issued.dps_id, None
        item.error = item.error_code = item.failed_since = None
        item.attempts = 0
        # A refund that asked for a cancellation while this was being issued still gets it.
        item.action = CANCEL if item.action == CANCEL else None
        item.notice_pending = ISSUED
        self._save(item, now, "service_invoice.issued", {
            "access_key": issued.access_key, "number": issued.number, "amount_cents": declared_net(item),
            "substitutes": substitutes, "summary": f"NFS-e {issued.number} emitida"})
        log_event(_log, "service invoice issued", invoice_id=item.invoice_id, access_key=issued.access_key)
        if item.action == CANCEL:
            self._deliver_notice(item)
            item.notice_pending = None
            self._save(item)
            return self._cancel(item, now)
        return self._deliver(item, now)

    def _store_pdf(self, prefix: str, issued: IssuedNfse) -> str | None:
        """The DANFSe rendered from the authorised XML; without it the NFS-e is still issued (the XML
        is the legal document) and the invoice offers no PDF link."""
        try:
            pdf = self._render_pdf(issued.xml)
        except Exception:  # a renderer's failure must not lose an authorised NFS-e
            _log.exception("DANFSe not rendered", extra={"fields": {"access_key": issued.access_key}})
            return None
        self._files.put(f"{prefix}.pdf", pdf, "application/pdf")
        return f"{prefix}.pdf"

    # --- refunds ------------------------------------------------------------------------------
    def _substitute(self, item: ServiceInvoiceItem, now: datetime) -> str:
        """A new DPS (a new number, allocated once) declaring what the invoice kept, replacing the
        NFS-e issued; the SEFIN cancels the replaced one by the substitution itself."""
        if item.status != ISSUED:  # nothing issued yet: the first NFS-e declares the kept value
            item.action = ISSUE
            return self._issue(item, now)
        if item.substitutes_key != item.access_key:
            item.substitutes_key = item.access_key
            item.dps_number, item.dps_id, item.sent_at = self._repo.next_dps_number(item.dps_series), None, None
            self._save(item)
        outcome = self._issue(item, now, substitutes=item.substitutes_key)
        return "substituted" if outcome == ISSUED else outcome

    def _cancel(self, item: ServiceInvoiceItem, now: datetime) -> str:
        if item.status != ISSUED:
            found = self._already_issued(item)
            if found is None:  # never authorised: there is nothing at the SEFIN to cancel
                item.status, item.action, item.cancelled_at = CANCELLED, None, now
                item.error = item.error_code = None
                item.unschedule()
                item.lease_owner = item.lease_until = None
                self._save(item, now, "service_invoice.cancelled", {
                    "access_key": None, "summary": "NFS-e não emitida: fatura estornada antes da emissão"})
                return CANCELLED
            return self._store_issued(item, found, now, None)  # then cancelled, as the action says
        try:
            event = self._authority.cancel(item.access_key, reason_code=CANCEL_SERVICE_NOT_PROVIDED,
                                           reason=CANCELLATION_REASON)
        except SefinRejected as rejected:
            # Outside the municipality's deadline, for instance: the NFS-e stays; a person decides.
            item.action = None
            item.error_code = rejected.code
            item.error = f"A SEFIN Nacional recusou o cancelamento da NFS-e ({rejected.code}): {rejected.message}"
            item.request_id, item.request_pending = sortable_id("req", now), True
            self._save(item, now, "service_invoice.cancel_refused", {
                "access_key": item.access_key, "error_code": rejected.code, "request_id": item.request_id,
                "summary": "Cancelamento da NFS-e recusado pela SEFIN"})
            self._notices.ask_finance(item, _request_text(item))
            item.request_pending = None
            self._done(item)
            return "cancel_rejected"
        key = f"{FILES}/{item.account_id}/{item.invoice_id}/nfse-{item.access_key}-cancelamento.xml"
        self._files.put(key, event.xml, "application/xml")
        item.status, item.action, item.cancelled_at = CANCELLED, None, event.registered_at
        item.notice_pending = CANCELLED
        self._save(item, now, "service_invoice.cancelled", {
            "access_key": item.access_key, "reason_code": CANCEL_SERVICE_NOT_PROVIDED,
            "summary": f"NFS-e {item.number} cancelada"})
        log_event(_log, "service invoice cancelled", invoice_id=item.invoice_id, access_key=item.access_key)
        return self._deliver(item, now)

    # --- failures and retries -----------------------------------------------------------------
    def _fail(self, item: ServiceInvoiceItem, now: datetime, failure: _Failure) -> str:
        """Failed with the reason; the finance team is asked once per distinct reason; tried again
        daily for a while, in case the data were fixed."""
        new_reason = failure.message != item.error
        item.status, item.error, item.error_code = FAILED, failure.message, failure.code
        item.failed_since = item.failed_since or now
        if new_reason:
            item.request_id, item.request_pending = sortable_id("req", now), True
            item.notice_pending = FAILED
        retry_at = next_attempt_after_rejection(item.failed_since, now)
        if retry_at is None:
            item.action = None
        audit = ("service_invoice.failed", {"error_code": failure.code, "request_id": item.request_id,
                                            "summary": "NFS-e não emitida"}) if new_reason else (None, None)
        self._save(item, now, *audit)
        log_event(_log, "service invoice failed", level=logging.WARNING, invoice_id=item.invoice_id,
                  code=failure.code)
        if item.request_pending:
            self._notices.ask_finance(item, _request_text(item))
            item.request_pending = None
        if item.notice_pending:
            self._deliver_notice(item)
            item.notice_pending = None
        if retry_at is None:
            self._done(item)
        else:
            self._release(item, retry_at)
        return FAILED

    def _retry(self, item: ServiceInvoiceItem, now: datetime, error: Exception) -> str:
        item.attempts = (item.attempts or 0) + 1
        retry_at = next_attempt_after_outage(item.attempts, now)
        log_event(_log, "sefin unavailable", level=logging.WARNING, invoice_id=item.invoice_id,
                  attempts=item.attempts, retry_at=retry_at.isoformat(), error=type(error).__name__)
        self._release(item, retry_at)
        return "retry"

    # --- notices and the work list ------------------------------------------------------------
    def _deliver(self, item: ServiceInvoiceItem, now: datetime) -> str:
        """The notice recorded with the change (a crash in between leaves it for the next run)."""
        outcome = item.notice_pending
        self._deliver_notice(item)
        item.notice_pending = None
        if item.action:  # more to do (a refund came meanwhile): stays on the list
            self._release(item, now)
        else:
            self._done(item)
        return outcome

    def _deliver_notice(self, item: ServiceInvoiceItem) -> None:
        if item.notice_pending == ISSUED:
            invoice = self._invoices.get(item.account_id, item.invoice_id)
            self._notices.issued(item, invoice, declared_net(item))
        elif item.notice_pending == CANCELLED:
            self._notices.cancelled(item, CANCEL_SERVICE_NOT_PROVIDED)
        elif item.notice_pending == FAILED:
            self._notices.failed(item)

    def _done(self, item: ServiceInvoiceItem) -> None:
        item.unschedule()
        item.lease_owner = item.lease_until = None
        self._save(item)

    def _release(self, item: ServiceInvoiceItem, when: datetime) -> None:
        item.schedule(when)
        item.lease_owner = item.lease_until = None
        self._save(item)

    def _save(self, item: ServiceInvoiceItem, now: datetime | None = None, action: str | None = None,
              after: dict | None = None) -> None:
        """A versioned put, with the audit entry of a change people care about (`action`)."""
        audit = audit_entry(FixedClock(now), item.account_id, actor=SYSTEM_ACTOR, action=action,
                            target=item.invoice_id, after=after) if action else None
        if not self._repo.save(item, audit):
            raise LeaseLost(item.invoice_id)


def _request_text(item: ServiceInvoiceItem) -> str:
    return (f"NFS-e da fatura {item.invoice_id}: {item.error} "
            "Verifique e, se preciso, emita ou cancele a nota no Emissor Nacional.")
