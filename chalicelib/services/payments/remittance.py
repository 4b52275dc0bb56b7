"""Registration of boletos with the bank: the daily CNAB 240 remittance (segments P and Q) of the
boletos issued that day, written to the bucket under `bank-files/remittances/<day>/`.

Each boleto waits in the `due` index (REMIT#<issue day>, on its nosso número lookup, written by
invoicing) and leaves it once a file lists it, so a repeated run writes no boleto twice. A run
after missed days catches up from its checkpoint; today's list is read again by the next run, as
boletos keep being issued during the day (a 2ª via at night).

A boleto the layout cannot carry (a payer's CPF/CNPJ or address the bank would refuse) is held
out of the file, not allowed to sink it: it moves to today's list, so every following run tries it
again until its data is fixed or it stops being payable, and each run logs it as an error. The
others go to the bank the same day."""
import logging
from dataclasses import dataclass, field
from datetime import date

from chalicelib.adapters.bank_files import Beneficiary, BoletoEntry, Payer, write_remittance
from chalicelib.adapters.bank_files.errors import RemittanceError
from chalicelib.domain.banks import find_bank
from chalicelib.domain.late_fees import DAYS_PER_INTEREST_MONTH, DEFAULT_MONTHLY_INTEREST_BPS
from chalicelib.domain.money import BASIS_POINTS, round_half_up
from chalicelib.domain.settlement import PAYABLE_STATUSES
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.store.invoices import NossoNumeroItem
from chalicelib.store.schema import DUE_SHARDS

JOB = "register-boletos"
REMITTANCE_PREFIX = "bank-files/remittances/"
FIRST_RUN_LOOKBACK_DAYS = 7
_log = get_logger("remittance")


@dataclass
class RemittanceRun:
    business_date: date
    processed: int = 0
    remitted: int = 0
    skipped: int = 0
    held: int = 0  # unfit for the layout: kept on the list for the next run
    files: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.processed,
                "remitted": self.remitted, "skipped": self.skipped, "held": self.held, "files": self.files}


def beneficiary_from(settings) -> Beneficiary:
    digits = "".join(ch for ch in settings.beneficiary_document if ch.isdigit())
    bank = find_bank(settings.boleto_bank)
    return Beneficiary(
        bank_code=settings.boleto_bank, bank_name=bank.REMITTANCE_NAME if bank else "BANCO",
        document=digits, name=settings.beneficiary_name,
        agreement=settings.boleto_agreement or settings.boleto_account, agency=settings.boleto_agency,
        agency_digit=settings.boleto_agency_digit, account=settings.boleto_account,
        account_digit=settings.boleto_account_digit)


def payer_from(billing_data: dict) -> Payer:
    address = billing_data["address"]
    street = f"{address['street']}, {address['number']}" + (f" {address['complement']}" if address.get("complement") else "")
    return Payer(name=billing_data["legal_name"], document=billing_data["document"], address=street,
                 district=address["district"], postal_code="".join(ch for ch in address["cep"] if ch.isdigit()),
                 city=address["city"], state=address["state"])


def remittance_number(printed: str) -> str:
    """The nosso número as the remittance carries it: the printed one without separators."""
    return "".join(ch for ch in printed if ch.isalnum())


def daily_interest_cents(amount_cents: int) -> int:
    return round_half_up(amount_cents * DEFAULT_MONTHLY_INTEREST_BPS, BASIS_POINTS * DAYS_PER_INTEREST_MONTH)


class RemittanceService:
    def __init__(self, settings, payments, accounts, files, checkpoints, sequence, clock):
        self._settings = settings
        self._payments = payments
        self._accounts = accounts
        self._files = files
        self._checkpoints = checkpoints
        self._sequence = sequence  # store.remittance_counter.RemittanceSequence: the file number (NSA)
        self._clock = clock

    def run_due(self, today: date) -> RemittanceRun:
        run = RemittanceRun(today)
        self._finish_interrupted_file(run)
        # Today's list is read again by the next run: boletos keep being issued during the day.
        window = self._checkpoints.open_window(JOB, today, FIRST_RUN_LOOKBACK_DAYS, today_stays_open=True)
        waiting = [item for day in window.days
                   for shard in range(DUE_SHARDS)
                   for item in self._payments.boletos_to_remit(day, shard)]
        run.processed = len(waiting)
        entries = self._fit_for_the_layout(self._entries(waiting, run), today, run)
        if entries:
            self._write(entries, today, run)
        self._checkpoints.close_window(JOB, window)
        return run

    def _entries(self, waiting: list[NossoNumeroItem], run: RemittanceRun) -> list[tuple[NossoNumeroItem, BoletoEntry]]:
        entries, accounts = [], {}
        for boleto in waiting:
            entry = self._entry(boleto, accounts)
            if entry is None:
                run.skipped += 1
                self._payments.boleto_unlisted(boleto)
            else:
                entries.append((boleto, entry))
        return entries

    def _entry(self, boleto: NossoNumeroItem, accounts: dict) -> BoletoEntry | None:
        """The boleto as the bank registers it; None for one no longer payable (paid by Pix the
        same day, replaced by a 2ª via, its invoice superseded or void): registering it would let
        it be paid twice."""
        invoice = self._payments.invoice(boleto.account_id, boleto.invoice_id)
        document = next((d for d in (invoice.documents if invoice else []) if d.nosso_numero == boleto.nosso_numero), None)
        if boleto.account_id not in accounts:
            accounts[boleto.account_id] = self._accounts.get(boleto.account_id)
        account = accounts[boleto.account_id]
        payable = invoice is not None and invoice.status in PAYABLE_STATUSES and document is not None \
            and document.status == "current"
        if not payable or account is None or not account.billing_data:
            log_event(_log, "boleto left out of the remittance", level=logging.WARNING, nosso_numero=boleto.nosso_numero)
            return None
        # Identifiers travel upper-case ASCII in CNAB; the invoice id's tail is unique enough per boleto.
        reference = boleto.invoice_id.upper()
        return BoletoEntry(
            nosso_numero=remittance_number(boleto.nosso_numero), document_number=reference[-15:],
            due_on=document.due_date, issued_on=document.issued_on, amount_cents=document.amount_cents,
            payer=payer_from(account.billing_data.as_dict()), company_reference=reference[-25:],
            interest_per_day_cents=daily_interest_cents(document.amount_cents))

    def _fit_for_the_layout(self, entries, today: date, run: RemittanceRun) -> list:
        """Each boleto rendered alone first: one the layout refuses is held for the next run."""
        beneficiary, now = beneficiary_from(self._settings), self._clock.now()
        fit = []
        for boleto, entry in entries:
            try:
                write_remittance(beneficiary, [entry], file_sequence=1, generated_at=now)
            except RemittanceError as exc:
                log_event(_log, "boleto held out of the remittance", level=logging.ERROR,
                          nosso_numero=boleto.nosso_numero, invoice_id=boleto.invoice_id,
                          account_id=boleto.account_id, error=str(exc))
                # On today's list, which the next run reads again (today stays open in its window).
                self._payments.boleto_relisted(boleto, today)
                run.held += 1
            else:
                fit.append((boleto, entry))
        return fit

    def _finish_interrupted_file(self, run: RemittanceRun) -> None:
        """A run that died after taking its file number left the file pending: send it now with the
        same number and the same boletos (those still payable), so no number is skipped and no boleto
        goes to the bank in two files."""
        pending = self._sequence.pending()
        if pending is None:
            return
        accounts: dict = {}
        entries = [(boleto, entry) for boleto in self._payments.boletos(pending.boleto_pks)
                   if (entry := self._entry(boleto, accounts)) is not None]
        log_event(_log, "interrupted remittance finished", sequence=pending.sequence, boletos=len(entries))
        self._send(pending.sequence, pending.day, entries, run)

    def _write(self, entries, today: date, run: RemittanceRun) -> None:
        sequence = self._sequence.take(today, [boleto.pk for boleto, _ in entries])
        self._send(sequence, today, entries, run)

    def _send(self, sequence: int, day: date, entries, run: RemittanceRun) -> None:
        """Write file `sequence` of `day` and mark its boletos remitted (those a dead run had not
        marked yet), then release the number."""
        if entries:
            clock = frozen(self._clock)
            content = write_remittance(beneficiary_from(self._settings), [e for _, e in entries],
                                       file_sequence=sequence, generated_at=clock.now())
            key = f"{REMITTANCE_PREFIX}{day.isoformat()}/{self._settings.boleto_bank}-{sequence:06d}.REM"
            self._files.put(key, content.encode("latin-1", errors="replace"), "text/plain")
            for boleto, _ in entries:
                if boleto.remitted_on is None:
                    self._remitted(boleto, day, key, clock)
            run.remitted += len(entries)
            run.files.append(key)
        self._sequence.release(sequence)

    def _remitted(self, boleto: NossoNumeroItem, today: date, key: str, clock) -> None:
        """The boleto leaves the waiting list, with an audit entry on its account."""
        audit = audit_entry(clock, boleto.account_id, actor=f"job:{JOB}", action="boleto.remitted",
                            target=boleto.invoice_id, after={"nosso_numero": boleto.nosso_numero, "file": key})
        self._payments.boleto_remitted(boleto, today, audit)
