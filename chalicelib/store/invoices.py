"""Invoices. The invoice itself is history (sort key ~INV#<id>, outside the live range); while it
is open a small live summary (OPENINV#<id>) lets one Query show it on "Meu Plano". A marker
~BILLED#<subscription>#<plan revision>#<period start> is created, conditionally, in the invoice's
transaction, so a period is never billed twice. See docs/data-model.md."""
from datetime import date

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem
from chalicelib.store.collection_keys import HISTORY


def invoice_sk(invoice_id: str) -> str:
    return f"{HISTORY}INV#{invoice_id}"


def open_invoice_sk(invoice_id: str) -> str:
    return f"OPENINV#{invoice_id}"


def billed_period_sk(subscription_id: str, plan_revision: int, period_start: date) -> str:
    return f"{HISTORY}BILLED#{subscription_id}#{plan_revision}#{period_start.isoformat()}"


class InvoiceLine(MapAttribute):
    description = UnicodeAttribute()
    amount_cents = NumberAttribute()  # negative for credits
    kind = UnicodeAttribute()  # subscription | proration | addon | credit | fee
    subscription_id = UnicodeAttribute(null=True)
    period_start = DateAttribute(null=True)
    period_end = DateAttribute(null=True)


class InvoiceItem(BillingItem, discriminator="invoice"):
    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    status = UnicodeAttribute()
    origin = UnicodeAttribute()  # subscription | change | renewal
    issue_date = DateAttribute()
    due_date = DateAttribute()
    payment_method = UnicodeAttribute()
    lines = ListAttribute(of=InvoiceLine)
    total_cents = NumberAttribute()  # sum of the lines: what is due
    paid_cents = NumberAttribute(default=0)
    # The payable document, filled by the invoicing issue (boleto with Pix) or the card charge.
    nosso_numero = UnicodeAttribute(null=True)
    barcode = UnicodeAttribute(null=True)
    digitable_line = UnicodeAttribute(null=True)
    pix_payload = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    version = VersionAttribute()


class OpenInvoiceItem(BillingItem, discriminator="open_invoice"):
    """Live summary of an open invoice; whoever settles, voids or supersedes the invoice deletes it
    in the same transaction."""

    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    status = UnicodeAttribute()
    due_date = DateAttribute()
    total_cents = NumberAttribute()
    payment_method = UnicodeAttribute()
    subscription_ids = ListAttribute(of=UnicodeAttribute, default=list)


class BilledPeriodItem(BillingItem, discriminator="billed_period"):
    """Uniqueness key: (subscription, plan revision, period start) billed once, ever."""

    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    plan_revision = NumberAttribute()
    period_start = DateAttribute()
    invoice_id = UnicodeAttribute()
