"""Which invoice a delivery of money pays: the one it names (by id, or by the nosso número of a bank
file), followed to the newer invoice its items moved to when it was superseded."""
from dataclasses import dataclass

from chalicelib.domain.enums import InvoiceStatus
from chalicelib.services.payments.incoming_payments import IncomingPayment
from chalicelib.store.invoices import InvoiceItem

_MAX_SUPERSEDED_HOPS = 5


@dataclass
class Target:
    invoice: InvoiceItem  # the invoice credited
    document_invoice_id: str | None  # the invoice whose document was paid, when another


def receipt_and_invoice(payments, incoming: IncomingPayment):
    """Has this delivery been applied, and which invoice does it name? One read when the delivery
    names the account (Stripe metadata), else the receipt then a lookup."""
    if incoming.account_id and incoming.invoice_id and not incoming.nosso_numero_key:
        return payments.receipt_and_invoice(incoming.receipt_key, incoming.account_id, incoming.invoice_id)
    receipt = payments.receipt(incoming.receipt_key)
    return receipt, (None if receipt else _named_invoice(payments, incoming))


def target(payments, invoice: InvoiceItem | None) -> Target | None:
    if invoice is None:
        return None
    first = invoice
    for _ in range(_MAX_SUPERSEDED_HOPS):
        if invoice.status != InvoiceStatus.SUPERSEDED or not invoice.superseded_by:
            break
        # Its items moved to a newer invoice: the payment pays them there (PRODUCT.md §4).
        newer = payments.invoice(invoice.account_id, invoice.superseded_by)
        if newer is None:
            break
        invoice = newer
    return Target(invoice, first.invoice_id if invoice is not first else None)


def _named_invoice(payments, incoming: IncomingPayment) -> InvoiceItem | None:
    if incoming.nosso_numero_key:
        reference = payments.nosso_numero(incoming.nosso_numero_key)
        if reference is None:
            return None
        return payments.invoice(reference.account_id, reference.invoice_id)
    if not incoming.invoice_id:
        return None
    return payments.invoice_by_id(incoming.invoice_id)
