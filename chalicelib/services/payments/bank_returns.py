"""Bank return files (CNAB 240 and 400, PRODUCT.md §6): imported by the finance team
(`POST /v1/admin/bank-returns`) or when a file lands in the bucket under the returns prefix.

The whole file is parsed before anything is applied: a malformed line refuses the file, naming the
line. Then each record acts on the boleto its nosso número names:
- liquidation (06, 17, and each layout's equivalents) settles the invoice (settlement service);
- entry confirmed (02) marks the boleto registered; rejected (03) alerts the finance team.
Every record is recorded under (bank, nosso número, movement, date) with a conditional write, so
importing the same file again settles nothing twice.

Once the whole file is applied, the import itself is kept (store/bank_returns.py) with what it did,
for the finance team's list; a crash before that leaves the records applied and the import unlisted
(imported again, the file shows its records as already imported)."""
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time

from chalicelib.adapters.bank_files import BankFileError, MovementKind, ReturnRecord, parse_return_file
from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import format_brl
from chalicelib.domain.nosso_numero import return_file_key
from chalicelib.errors import ValidationFailed
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.payments.incoming_payments import IncomingPayment, Outcome
from chalicelib.services.payments.receipts import receipt_item
from chalicelib.store.bank_returns import new_import

_log = get_logger("bank_returns")
# Records to check kept with an import (unmatched payments, rejected boletos): the first ones, so the
# item stays far under DynamoDB's 400 KB whatever the file holds; the counts are always whole.
TO_CHECK_KEPT = 200
_COUNTS = ("records", "settled", "credited", "duplicates", "unmatched", "registered", "rejected", "ignored",
           "settled_cents")


@dataclass
class ImportSummary:
    name: str
    layout: int
    bank_code: str
    records: int = 0
    settled: int = 0
    credited: int = 0
    duplicates: int = 0
    unmatched: int = 0
    registered: int = 0
    rejected: int = 0
    ignored: int = 0
    settled_cents: int = 0
    unmatched_records: list = field(default_factory=list)
    rejected_records: list = field(default_factory=list)
    id: str | None = None  # the import kept for the finance team's list


class BankFileRefused(ValidationFailed):
    code = "bank_file_invalid"


def paid_instant(day: date | None, fallback: datetime) -> datetime:
    """A return file states the day of the payment, not the hour: noon in São Paulo stands for it."""
    return datetime.combine(day, time(12), SAO_PAULO) if day else fallback


class BankReturnService:
    def __init__(self, payments, settlement, notices, files, clock, imports):
        """`imports`: the repository keeping each import with its results (store/bank_returns.py)."""
        self._payments = payments
        self._settlement = settlement
        self._notices = notices
        self._files = files
        self._clock = clock
        self._imports = imports

    def import_file(self, content: bytes, name: str, actor: str) -> ImportSummary:
        parsed = self._parse(content)
        summary = ImportSummary(name, int(parsed.layout), parsed.bank_code)
        for record in parsed.records:
            summary.records += 1
            self._apply(parsed.bank_code, record, summary, actor)
        log_event(_log, "bank return imported", name=name, bank=parsed.bank_code, records=summary.records,
                  settled=summary.settled, duplicates=summary.duplicates, unmatched=summary.unmatched)
        self._keep(summary, actor)
        self._alert_finance(summary)
        return summary

    def _keep(self, summary: ImportSummary, actor: str) -> None:
        now = self._clock.now()
        summary.id = sortable_id("ret", now)
        to_check = [{"line": r.line, "nosso_numero": r.nosso_numero, "movement": r.movement, "kind": "unmatched",
                     "paid_cents": r.paid_cents, "invoice_id": None, "account_id": None}
                    for r in summary.unmatched_records]
        to_check += [{"line": r.line, "nosso_numero": r.nosso_numero, "movement": r.movement, "kind": "rejected",
                      "paid_cents": None, "invoice_id": b.invoice_id if b else None,
                      "account_id": b.account_id if b else None}
                     for r, b in summary.rejected_records]
        counts = {name: getattr(summary, name) for name in _COUNTS}
        item = new_import(summary.id, now, {
            "name": summary.name, "layout": summary.layout, "bank_code": summary.bank_code, "imported_by": actor,
            **counts}, sorted(to_check, key=lambda entry: entry["line"])[:TO_CHECK_KEPT])
        try:
            self._imports.record(item)
        except Exception:  # the file is applied (each record with its receipt): only the listing is lost
            _log.exception("bank return import not kept for the list", extra={"fields": {"name": summary.name}})
            summary.id = None

    def import_object(self, key: str) -> ImportSummary | None:
        """A file landed in the bucket: import it; a refused file is reported to the finance team
        (raising would only make the event retry the same bytes)."""
        try:
            return self.import_file(self._files.get(key), key, "bank_file:s3")
        except BankFileRefused as exc:
            log_event(_log, "bank return refused", level=logging.WARNING, key=key, line=exc.details.get("line"))
            self._notices.finance_alert("Arquivo de retorno recusado", [f"Arquivo: {key}", exc.message],
                                        "Peça ao banco um novo arquivo; nada deste arquivo foi aplicado.")
            return None

    @staticmethod
    def _parse(content: bytes):
        try:
            return parse_return_file(content)
        except BankFileError as exc:
            raise BankFileRefused(f"Arquivo de retorno recusado, linha {exc.line}: {exc.message}. Nada deste "
                                  f"arquivo foi aplicado.", details={"line": exc.line}) from exc

    def _apply(self, bank: str, record: ReturnRecord, summary: ImportSummary, actor: str) -> None:
        try:
            key = return_file_key(bank, record.nosso_numero)
        except DomainError:
            summary.ignored += 1
            return
        receipt_key = f"bank:{key}:{record.movement}:{record.occurred_on or 'sem-data'}"
        if record.kind is MovementKind.SETTLED and record.paid_cents > 0:
            self._settle(bank, key, receipt_key, record, summary, actor)
        elif record.kind is MovementKind.ENTRY_CONFIRMED:
            self._registration(key, receipt_key, record, summary, registered=True)
        elif record.kind is MovementKind.REJECTED:
            self._registration(key, receipt_key, record, summary, registered=False)
        else:
            summary.ignored += 1

    def _settle(self, bank, key, receipt_key, record: ReturnRecord, summary: ImportSummary, actor: str) -> None:
        result = self._settlement.settle(IncomingPayment(
            receipt_key=receipt_key, amount_cents=record.paid_cents, method="boleto", source="bank_file",
            paid_at=paid_instant(record.occurred_on, self._clock.now()), nosso_numero_key=key, bank_code=bank,
            nosso_numero=record.nosso_numero, fee_cents=record.fee_cents, credited_on=record.credited_on,
            actor=actor), alert_unmatched=False)
        if result.outcome is Outcome.DUPLICATE:
            summary.duplicates += 1
        elif result.outcome is Outcome.UNMATCHED:
            summary.unmatched += 1
            summary.unmatched_records.append(record)
        else:
            summary.settled += result.outcome is Outcome.SETTLED
            summary.credited += result.outcome is Outcome.CREDITED
            summary.settled_cents += record.paid_cents

    def _registration(self, key, receipt_key, record: ReturnRecord, summary: ImportSummary, registered: bool) -> None:
        clock = frozen(self._clock)
        boleto = self._payments.nosso_numero(key)
        outcome = "registered" if registered else "rejected"
        receipt = receipt_item(receipt_key, outcome, boleto.account_id if boleto else None, None, [], clock.now())
        if not self._payments.record_receipt(receipt):
            summary.duplicates += 1
            return
        if boleto is not None:
            self._payments.boleto_registration(boleto, registered, record.occurred_on or clock.today())
        if registered:
            summary.registered += 1
        else:
            summary.rejected += 1
            summary.rejected_records.append((record, boleto))

    def _alert_finance(self, summary: ImportSummary) -> None:
        lines = [f"Boleto {r.nosso_numero} (linha {r.line}): rejeitado pelo banco, ocorrência {r.movement}"
                 + (f" — fatura {b.invoice_id} da conta {b.account_id}" if b else " — não emitido por nós")
                 for r, b in summary.rejected_records]
        lines += [f"Pagamento de {format_brl(r.paid_cents)} para o nosso número {r.nosso_numero} (linha {r.line}) "
                  f"sem fatura correspondente" for r in summary.unmatched_records]
        if lines:
            self._notices.finance_alert(f"Retorno bancário {summary.name}: itens para conferir", lines,
                                        "Confira os boletos rejeitados e os pagamentos sem fatura no portal do banco.")
