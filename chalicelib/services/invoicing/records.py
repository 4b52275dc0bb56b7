"""The items that record an issued invoice and its boleto, added to a use case's WriteSet:
the invoice, its live summary while open (with the card-charge index entry for card invoices), a
~BILLED# marker per renewal period (conditional: a period is billed once, ever) and the nosso número
lookup of each boleto (conditional too: a number belongs to one invoice)."""
from datetime import date, datetime, timedelta

from chalicelib.domain.enums import InvoiceStatus, PaymentMethod
from chalicelib.domain.nosso_numero import nosso_numero_key
from chalicelib.errors import Conflict
from chalicelib.domain.money import format_brl
from chalicelib.services.invoicing.boleto_documents import BoletoDocument as IssuedBoleto, payer_from_billing_data
from chalicelib.services.invoicing.drafts import Draft
from chalicelib.store.base import account_pk
from chalicelib.store.billing import WriteSet
from chalicelib.store.invoices import (
    BilledPeriodItem, BoletoDocument, InvoiceItem, OpenInvoiceItem, billed_period_sk, card_charge_due,
    invoice_sk, nosso_numero_item, open_invoice_sk,
)
from chalicelib.store.reviews import overdue_review_due

CURRENT, REPLACED, SUPERSEDED = "current", "replaced", "superseded"


class AlreadyBilled(Conflict):
    """Another run or worker billed the same period first: nothing left to do here."""

    code = "period_already_billed"
    message = "Este período desta assinatura já foi faturado."


def invoice_item(account_id: str, invoice_id: str, draft: Draft, now: datetime, number: str) -> InvoiceItem:
    """number: AccountSnapshot.next_invoice_number of the account's snapshot."""
    total = draft.total_cents
    status = InvoiceStatus.OPEN if total > 0 else InvoiceStatus.PAID
    return InvoiceItem(
        pk=account_pk(account_id), sk=invoice_sk(invoice_id), account_id=account_id, invoice_id=invoice_id,
        number=number, status=status.value, origin=draft.origin, issue_date=now.date(), due_date=draft.due_date,
        payment_method=draft.payment_method, lines=draft.lines, total_cents=total, created_at=now,
    )


def attach_boleto(invoice: InvoiceItem, issued: IssuedBoleto, today: date, bank_code: str) -> BoletoDocument:
    """Make `issued` the invoice's current boleto; the one it had, if any, becomes `replaced`."""
    for document in invoice.documents:
        if document.status == CURRENT:
            document.status = REPLACED
    document = BoletoDocument(
        nosso_numero=issued.nosso_numero, bank_code=bank_code, barcode=issued.barcode,
        digitable_line=issued.digitable_line, due_date=issued.due_date, amount_cents=issued.amount_cents,
        pix_payload=issued.pix_payload, pdf_key=issued.pdf_key, status=CURRENT, issued_on=today)
    invoice.documents = [*invoice.documents, document]
    invoice.nosso_numero, invoice.barcode, invoice.digitable_line = (
        issued.nosso_numero, issued.barcode, issued.digitable_line)
    invoice.pix_payload, invoice.pdf_key = issued.pix_payload, issued.pdf_key
    invoice.boleto_due_date, invoice.boleto_amount_cents = issued.due_date, issued.amount_cents
    return document


def issue_first_boleto(documents, invoice: InvoiceItem, billing_data, today: date, bank_code: str) -> bool:
    """Give a new open boleto invoice its boleto (nosso número, barcode, Pix QR, PDF) before the
    transaction that records it; record_boleto_lookup then claims the number in that transaction.
    Without billing data nothing is issued: the 2ª via issues it once they are filled in.
    documents: BoletoDocumentService. False when no boleto was issued."""
    payable_by_boleto = (invoice.status == InvoiceStatus.OPEN
                         and invoice.payment_method == PaymentMethod.BOLETO)
    if not payable_by_boleto or not billing_data:
        return False
    issued = documents.issue(
        account_id=invoice.account_id, invoice_id=invoice.invoice_id, invoice_number=invoice.label,
        amount_cents=invoice.total_cents, due_date=invoice.due_date,
        payer=payer_from_billing_data(billing_data.as_dict()),
        description_lines=tuple(f"{line.description}: {format_brl(line.amount_cents)}" for line in invoice.lines))
    attach_boleto(invoice, issued, today, bank_code)
    return True


def current_boleto(invoice: InvoiceItem) -> BoletoDocument | None:
    return next((d for d in invoice.documents if d.status == CURRENT), None)


def open_summary(invoice: InvoiceItem, notice_pending: bool) -> OpenInvoiceItem:
    # A card invoice waits on the charge-cards list; any other on the check-overdue job's list. A
    # reissued invoice keeps a due date already past: it is listed from now on, not on a past day.
    listed = max(invoice.due_date, invoice.issue_date)
    charge = overdue_review_due(invoice.account_id, invoice.invoice_id, listed)
    if invoice.payment_method == PaymentMethod.CARD:
        charge = card_charge_due(invoice.account_id, invoice.invoice_id,
                                 max(invoice.due_date, invoice.issue_date + timedelta(days=1)))
    return OpenInvoiceItem(
        pk=invoice.pk, sk=open_invoice_sk(invoice.invoice_id), account_id=invoice.account_id,
        invoice_id=invoice.invoice_id, status=invoice.status, due_date=invoice.due_date,
        total_cents=invoice.total_cents, payment_method=invoice.payment_method,
        subscription_ids=sorted({line.subscription_id for line in invoice.lines if line.subscription_id}),
        notice_pending=notice_pending or None, created_at=invoice.created_at, **charge)


def record_new_invoice(writes: WriteSet, invoice: InvoiceItem, draft: Draft) -> None:
    writes.create(invoice)
    if invoice.status == InvoiceStatus.OPEN:
        writes.create(open_summary(invoice, notice_pending=True))
    for renewal in draft.renewals:
        subscription, period = renewal.subscription, renewal.terms.period
        writes.create(BilledPeriodItem(
            pk=invoice.pk, sk=billed_period_sk(subscription.subscription_id, subscription.plan_revision, period.start),
            account_id=invoice.account_id, subscription_id=subscription.subscription_id,
            plan_revision=subscription.plan_revision, period_start=period.start, invoice_id=invoice.invoice_id,
            created_at=invoice.created_at), conflict=AlreadyBilled())
    record_boleto_lookup(writes, invoice, invoice.created_at)


def record_boleto_lookup(writes: WriteSet, invoice: InvoiceItem, now: datetime) -> None:
    document = current_boleto(invoice)
    if document is None:
        return
    key = nosso_numero_key(document.bank_code, document.nosso_numero)
    writes.create(nosso_numero_item(invoice.account_id, invoice.invoice_id, document.bank_code,
                                    document.nosso_numero, key, now),
                  conflict=Conflict("Nosso número já usado por outro boleto.", code="nosso_numero_taken"))


def supersede(invoice: InvoiceItem, by_invoice_id: str) -> None:
    invoice.status = InvoiceStatus.SUPERSEDED.value
    invoice.superseded_by = by_invoice_id
    for document in invoice.documents:
        if document.status == CURRENT:
            document.status = SUPERSEDED
