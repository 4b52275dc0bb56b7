"""Writes to one invoice that are not a use case's WriteSet: a 2ª via's boleto recorded with its
lookup and audit entry, and the send-reminders job's claim on an open invoice's summary."""
from datetime import datetime

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.audit import AuditItem
from chalicelib.store.base import transaction
from chalicelib.store.invoices import InvoiceItem, NossoNumeroItem, OpenInvoiceItem, nosso_numero_item, open_invoice_sk


class InvoiceWrites:
    def second_copy_issued(self, invoice: InvoiceItem, bank: str, nosso_numero: str, lookup_key: str,
                           issued_at: datetime, audit: AuditItem) -> None:
        """The invoice with its new boleto (version-checked: a payment meanwhile wins), its open
        summary's new total (only while the summary exists), the new nosso número's lookup (a number
        belongs to one invoice) and the audit entry, in one transaction. A failed condition raises
        ConcurrentUpdate."""
        summary = OpenInvoiceItem(pk=invoice.pk, sk=open_invoice_sk(invoice.invoice_id))
        lookup = nosso_numero_item(invoice.account_id, invoice.invoice_id, bank, nosso_numero, lookup_key, issued_at)
        try:
            with transaction() as tx:
                tx.save(invoice)
                tx.update(summary, actions=[OpenInvoiceItem.total_cents.set(invoice.total_cents)],
                          condition=OpenInvoiceItem.pk.exists())
                tx.save(lookup, condition=NossoNumeroItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            raise ConcurrentUpdate() from exc

    def second_copy_sent_again(self, audit: AuditItem) -> None:
        """The same boleto handed out again changes nothing but the audit trail."""
        audit.save()

    def move_reminder_claim(self, summary: OpenInvoiceItem, expected: datetime, new: datetime | None) -> bool:
        """Move the reminder claim on the summary from `expected` to `new` (None: the e-mail is out)
        if nobody moved it since; False otherwise. Never recreates a summary settlement deleted."""
        action = (OpenInvoiceItem.reminder_claimed_at.set(new) if new is not None
                  else OpenInvoiceItem.reminder_claimed_at.remove())
        try:
            summary.update(actions=[action], condition=OpenInvoiceItem.reminder_claimed_at == expected)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            return False
        return True
