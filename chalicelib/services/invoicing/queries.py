"""Read side of invoices: the account's lists (open, paid, all; newest first) and one invoice with
a fresh short-lived link to its current boleto's PDF."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.enums import InvoiceStatus
from chalicelib.errors import NotFound
from chalicelib.services.invoicing.boleto_documents import PDF_LINK_SECONDS
from chalicelib.services.invoicing.records import current_boleto
from chalicelib.store.invoices import InvoiceItem

STATUS_FILTERS = {
    "open": frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value}),
    "paid": frozenset({InvoiceStatus.PAID.value}),
    "all": None,
}


@dataclass(frozen=True)
class PdfLink:
    url: str
    expires_at: datetime


class InvoiceQueries:
    def __init__(self, reads, documents, clock):
        self._reads = reads
        self._documents = documents
        self._clock = clock

    def page(self, account_id: str, status: str, limit: int, after_sk: str | None):
        return self._reads.page(account_id, STATUS_FILTERS[status], limit, after_sk)

    def get(self, account_id: str, invoice_id: str) -> InvoiceItem:
        invoice = self._reads.get(account_id, invoice_id)
        if invoice is None:
            raise NotFound("Fatura não encontrada.", code="invoice_not_found")
        return invoice

    def pdf_link(self, invoice: InvoiceItem) -> PdfLink | None:
        """Only the current boleto of an invoice still to be paid is offered."""
        document = current_boleto(invoice)
        if document is None or invoice.status not in STATUS_FILTERS["open"]:
            return None
        return PdfLink(self._documents.pdf_link(document.pdf_key),
                       self._clock.now() + timedelta(seconds=PDF_LINK_SECONDS))
