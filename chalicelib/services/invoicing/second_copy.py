"""2ª via of a boleto (PRODUCT.md §4; Promob, Operand).

- Lost, not yet due: the same boleto again (same nosso número).
- Overdue: a new boleto due today — the next business day when banks do not open today — with the
  multa and the juros (domain.late_fees, counted from the invoice's due date to the new boleto's)
  as lines of their own, replacing the fee lines of an earlier 2ª via (the fine is charged once).
  The old boleto is marked `replaced`; its nosso número lookup stays, so paying it still counts.
- No boleto yet (issued while the account had no billing data, or an order), or one for more than
  is still owed (paid in part): one is issued for what is owed.

The invoice's own due date never moves: overdue rules count from it."""
import logging
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.bank_calendar import next_business_day
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod
from chalicelib.domain.late_fees import (
    DEFAULT_FINE_BPS, DEFAULT_MONTHLY_INTEREST_BPS, LateFee, days_late, late_fee,
)
from chalicelib.domain.money import format_brl
from chalicelib.domain.nosso_numero import nosso_numero_key
from chalicelib.errors import ConcurrentUpdate, Conflict, NotFound
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.invoicing.boleto_documents import payer_from_billing_data
from chalicelib.services.shared.instants import frozen
from chalicelib.services.invoicing.drafts import PAYABLE
from chalicelib.services.invoicing.records import attach_boleto, current_boleto
from chalicelib.store.invoices import InvoiceItem, InvoiceLine

FEE = "fee"
# Hops followed from a superseded invoice to the one that now holds its items. Each consolidation of
# unpaid items adds one, and an account that keeps not paying is cancelled within a few months, so a
# real chain is short; the bound only keeps a corrupt one from looping.
MAX_SUPERSESSIONS = 24
_log = get_logger("invoicing")


@dataclass(frozen=True)
class SecondCopy:
    invoice: InvoiceItem
    new_boleto: bool
    fee: LateFee | None = None


def _percent(bps: int) -> str:
    return f"{bps / 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


def fee_lines(fee: LateFee) -> list[InvoiceLine]:
    lines = []
    if fee.fine_cents:
        lines.append(InvoiceLine(description=f"Multa por atraso ({_percent(DEFAULT_FINE_BPS)})",
                                 amount_cents=fee.fine_cents, kind=FEE))
    if fee.interest_cents:
        lines.append(InvoiceLine(description=f"Juros de mora ({_percent(DEFAULT_MONTHLY_INTEREST_BPS)} ao mês, "
                                             f"{fee.days_late} dias)", amount_cents=fee.interest_cents, kind=FEE))
    return lines


def _own_fee(line: InvoiceLine) -> bool:
    """A late fee of this invoice's own 2ª via (fees carried from an older invoice are debt)."""
    return line.kind == FEE and not line.source_invoice_id


class SecondCopyService:
    def __init__(self, reads, writes, accounts, documents, clock, bank_code: str):
        self._reads = reads
        self._writes = writes
        self._accounts = accounts
        self._documents = documents
        self._clock = clock
        self._bank = bank_code

    def second_copy(self, account_id: str, invoice_id: str, actor: str) -> SecondCopy:
        clock = frozen(self._clock)
        today = clock.today()
        invoice = self._payable_boleto_invoice(account_id, invoice_id)
        current = current_boleto(invoice)
        owed = invoice.total_cents - invoice.paid_cents
        if current is not None and days_late(current.due_date, today) == 0 and current.amount_cents == owed:
            self._record(clock, invoice, actor, {"nosso_numero": current.nosso_numero, "same_boleto": True})
            return SecondCopy(invoice, new_boleto=False)
        late = days_late(invoice.due_date, today) > 0
        due = next_business_day(today) if late or invoice.due_date < today else invoice.due_date
        fee = self._reprice(invoice, due) if late else None
        replaced = current.nosso_numero if current else None
        issued = self._documents.issue(
            account_id=account_id, invoice_id=invoice.invoice_id, invoice_number=invoice.label,
            amount_cents=invoice.total_cents - invoice.paid_cents,
            due_date=due, payer=self._payer(account_id),
            description_lines=tuple(f"{line.description}: {format_brl(line.amount_cents)}" for line in invoice.lines))
        attach_boleto(invoice, issued, today, self._bank)
        try:
            self._save(clock, invoice, actor, {
                "nosso_numero": issued.nosso_numero, "replaced": replaced, "boleto_due_date": due.isoformat(),
                "amount_cents": issued.amount_cents, "fine_cents": fee.fine_cents if fee else 0,
                "interest_cents": fee.interest_cents if fee else 0})
        except Exception:
            self._documents.discard(issued.pdf_key)
            raise
        return SecondCopy(invoice, new_boleto=True, fee=fee)

    def _payable_boleto_invoice(self, account_id: str, invoice_id: str) -> InvoiceItem:
        invoice = self._reads.get(account_id, invoice_id)
        if invoice is None:
            raise NotFound("Fatura não encontrada.", code="invoice_not_found")
        if invoice.status == InvoiceStatus.SUPERSEDED:
            live = self._live_successor(invoice)
            named = f"pela fatura {live.label}" if live else "por outra fatura"
            raise Conflict(f"Esta fatura foi substituída {named}, que reúne os itens em aberto; gere a 2ª via "
                           "da fatura nova.", code="invoice_superseded",
                           details={"superseded_by": live.invoice_id if live else invoice.superseded_by,
                                    "superseded_by_number": live.number if live else None})
        if invoice.status not in PAYABLE:
            raise Conflict("Esta fatura não está em aberto: não há boleto a pagar.", code="invoice_not_payable",
                           details={"status": invoice.status})
        if invoice.payment_method != PaymentMethod.BOLETO:
            raise Conflict("Esta fatura é cobrada no cartão de crédito; para pagá-la agora, use o pagamento "
                           "com cartão.", code="invoice_paid_by_card")
        return invoice

    def _live_successor(self, invoice: InvoiceItem) -> InvoiceItem | None:
        """The invoice at the end of `invoice`'s supersession chain: a successor may itself have been
        superseded since (consolidated again the next month), and a 2ª via of anything but the last
        would be refused again. None when the chain loops, breaks or runs past MAX_SUPERSESSIONS:
        data to repair, logged; the caller then names the direct successor."""
        seen = {invoice.invoice_id}
        current = invoice
        for _ in range(MAX_SUPERSESSIONS):
            if current.status != InvoiceStatus.SUPERSEDED:
                return current
            following = current.superseded_by
            successor = None
            if following and following not in seen:
                successor = self._reads.get(invoice.account_id, following)
            if successor is None:
                break
            seen.add(successor.invoice_id)
            current = successor
        else:
            if current.status != InvoiceStatus.SUPERSEDED:
                return current
        log_event(_log, "supersession chain without a live end", level=logging.WARNING,
                  account_id=invoice.account_id, invoice_id=invoice.invoice_id, stopped_at=current.invoice_id,
                  superseded_by=current.superseded_by, hops=len(seen) - 1)
        return None

    @staticmethod
    def _reprice(invoice: InvoiceItem, due: date) -> LateFee:
        """Fees on what is still owed, from the invoice's due date to the new boleto's."""
        lines = [line for line in invoice.lines if not _own_fee(line)]
        owed = sum(line.amount_cents for line in lines) - invoice.paid_cents
        fee = late_fee(max(owed, 0), invoice.due_date, due)
        invoice.lines = lines + fee_lines(fee)
        invoice.total_cents = sum(line.amount_cents for line in invoice.lines)
        return fee

    def _payer(self, account_id: str):
        account = self._accounts.get(account_id)
        if account is None or not account.billing_data:
            raise Conflict("Preencha os dados de faturamento da conta (razão social, CPF ou CNPJ e endereço) "
                           "para gerar o boleto.", code="billing_data_required")
        return payer_from_billing_data(account.billing_data.as_dict())

    def _save(self, clock, invoice: InvoiceItem, actor: str, after: dict) -> None:
        """The invoice (version-checked: a payment meanwhile wins), its summary's new total, the new
        nosso número's lookup and the audit entry, in one transaction."""
        document = current_boleto(invoice)
        try:
            self._writes.second_copy_issued(
                invoice, self._bank, document.nosso_numero, nosso_numero_key(self._bank, document.nosso_numero),
                clock.now(), self._audit(clock, invoice, actor, after))
        except ConcurrentUpdate as exc:
            raise ConcurrentUpdate("A fatura foi alterada (paga ou atualizada) enquanto a 2ª via era gerada; "
                                   "confira a fatura e tente novamente.") from exc

    def _record(self, clock, invoice: InvoiceItem, actor: str, after: dict) -> None:
        self._writes.second_copy_sent_again(self._audit(clock, invoice, actor, after))

    @staticmethod
    def _audit(clock, invoice: InvoiceItem, actor: str, after: dict):
        return audit_entry(clock, invoice.account_id, actor=actor, action="invoice.second_copy",
                           target=invoice.invoice_id, after=after)
