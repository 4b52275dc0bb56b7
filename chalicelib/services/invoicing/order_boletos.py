"""The boleto and the invoice-issued e-mail of an invoice created on the spot — subscribing, added
licenses or storage, a plan change (PRODUCT.md §4: every invoice payable by boleto has its boleto,
with its Pix QR, from the moment it is created, and is e-mailed with it). The same boleto and the
same e-mail the invoicing worker gives a renewal; the 2ª via stays for a lost or overdue one.

Exactly once, as in the worker: the boleto is issued before the use case's transaction, which
claims its nosso número (conditional lookup item) and records the invoice with it; a transaction
that fails discards the PDF and the retried read issues a fresh one (a skipped number is harmless,
a number used twice is not). A request retried with the same Idempotency-Key replays the first
answer and never reaches here. The e-mail goes after the commit; the invoice's summary carries
`notice_pending` until it has gone, so an e-mail lost to a crash or a mail outage is sent by the
next invoicing run of the account instead of failing a change already written."""
import logging

from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.invoicing.records import issue_first_boleto, record_boleto_lookup
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem

_log = get_logger("invoicing")


class OrderBoletos:
    def __init__(self, documents, notices, reads, bank_code: str):
        self._documents = documents  # BoletoDocumentService
        self._notices = notices  # InvoiceNotices
        self._reads = reads  # InvoiceReads
        self._bank = bank_code

    def issue(self, invoice: InvoiceItem, related: list, account, writes: WriteSet) -> bool:
        """Issue the boleto of a new order invoice (open, by boleto, account with billing data) and
        add its nosso número lookup to `writes`, the transaction that creates the invoice and its
        summary (one of `related`), flagged for the e-mail. False when no boleto was issued."""
        if not issue_first_boleto(self._documents, invoice, account.billing_data, invoice.issue_date, self._bank):
            return False
        record_boleto_lookup(writes, invoice, invoice.created_at)
        for item in related:
            if isinstance(item, OpenInvoiceItem):
                item.notice_pending = True
        return True

    def discard(self, invoice: InvoiceItem | None) -> None:
        """The PDF of a boleto whose invoice was never recorded (its transaction failed)."""
        if invoice is not None and invoice.pdf_key:
            self._documents.discard(invoice.pdf_key)

    def announce(self, snapshot: AccountSnapshot, invoice: InvoiceItem | None) -> None:
        """The invoice-issued e-mail with the boleto, once the invoice is recorded. A failure leaves
        the notice pending (see above) rather than answering 500 for an order already written."""
        if invoice is None:
            return
        if not invoice.digitable_line:
            self._notices.issued_event(invoice)
            return
        try:
            self._notices.issued(snapshot, invoice)
            self._reads.notice_sent(invoice.account_id, invoice.invoice_id)
        except Exception as error:  # noqa: BLE001 — the order stands; the notice stays pending
            log_event(_log, "order notice left pending", level=logging.WARNING, account_id=invoice.account_id,
                      invoice_id=invoice.invoice_id, error=type(error).__name__)
