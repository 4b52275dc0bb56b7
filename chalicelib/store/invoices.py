"""Invoices. The invoice itself is history (sort key ~INV#<id>, outside the live range); while it
is open a small live summary (OPENINV#<id>) lets one Query show it on "Meu Plano". A marker
~BILLED#<subscription>#<plan revision>#<period start> is created, conditionally, in the invoice's
transaction, so a period is never billed twice. Every invoice is found by its id alone through gsi1
(INVOICE#<id>); an open card invoice's summary sits in the `due` index (CHARGE#<day>) until it is
charged. See docs/data-model.md and docs/payments.md."""
from datetime import date

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.due import due_pk

# gsi1 key of every invoice: gateways and the dev gateway know an invoice by its id alone.
INVOICE_LOOKUP_SK = "INVOICE"
# `due` index kind of open card invoices to charge on a day (the charge-cards job, issue 7).
CARD_CHARGE_KIND = "CHARGE"


def invoice_sk(invoice_id: str) -> str:
    return f"{HISTORY}INV#{invoice_id}"


def open_invoice_sk(invoice_id: str) -> str:
    return f"OPENINV#{invoice_id}"


def invoice_lookup_pk(invoice_id: str) -> str:
    return f"INVOICE#{invoice_id}"


def card_charge_due(account_id: str, invoice_id: str, day: date) -> dict:
    """The `due` attributes that put an open card invoice on the charge-cards job's list for `day`.
    Whoever creates an open invoice paid by card sets them on its OpenInvoiceItem; the job moves
    them to the retry days and settlement drops them with the summary."""
    return {"due_pk": due_pk(CARD_CHARGE_KIND, day, invoice_id), "due_sk": f"{account_id}#{invoice_id}"}


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
    # The invoice that took over this one's unpaid items (carry, consolidation): a payment of this
    # invoice's boleto is credited there (settlement follows the chain).
    superseded_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    def serialize(self, null_check: bool = True):
        # Every invoice is findable by its id alone (gsi1 INVOICE#<id>), whoever writes it.
        self.gsi1pk, self.gsi1sk = invoice_lookup_pk(self.invoice_id), INVOICE_LOOKUP_SK
        return super().serialize(null_check=null_check)


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
    # Card invoices: failed charge attempts so far and the day of the first failure (retry days).
    charge_attempts = NumberAttribute(default=0)
    charge_failed_on = DateAttribute(null=True)


class BilledPeriodItem(BillingItem, discriminator="billed_period"):
    """Uniqueness key: (subscription, plan revision, period start) billed once, ever."""

    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    plan_revision = NumberAttribute()
    period_start = DateAttribute()
    invoice_id = UnicodeAttribute()
