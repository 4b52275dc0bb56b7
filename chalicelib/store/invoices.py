"""Invoices. The invoice itself is history (sort key ~INV#<id>, outside the live range); while it
is open a small live summary (OPENINV#<id>) lets one Query show it on "Meu Plano". A marker
~BILLED#<subscription>#<plan revision>#<period start> is created, conditionally, in the invoice's
transaction, so a period is never billed twice. Every invoice is found by its id alone through gsi1
(INVOICE#<id>); an open card invoice's summary sits in the `due` index (CHARGE#<day>) until it is
charged. Each boleto ever issued for an invoice keeps a lookup item NOSSO#<bank>:<number>
pointing at its invoice (superseded and replaced boletos included), so a bank file paying any of them
finds the invoice. See docs/data-model.md, docs/invoicing.md and docs/payments.md."""
from datetime import date
from zoneinfo import ZoneInfo

from pynamodb.attributes import (
    BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.base import BillingItem
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.due import due_pk
from chalicelib.store.ownership import owned_by

# gsi1 key of every invoice: gateways and the dev gateway know an invoice by its id alone.
INVOICE_LOOKUP_SK = "INVOICE"
# `due` index kind of open card invoices to charge on a day (the charge-cards job).
CARD_CHARGE_KIND = "CHARGE"
NOSSO_NUMERO_SK = "NOSSO"
# The account's invoice number counter: live side (one item, never growing), so the consistent
# live-state Query every invoice creator does already brings it.
INVOICE_COUNTER_SK = "COUNTER#INVOICE"
# `due` index kind of boletos to register with the bank in the day's remittance.
REMITTANCE_KIND = "REMIT"
_SAO_PAULO = ZoneInfo("America/Sao_Paulo")


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


def nosso_numero_pk(key: str) -> str:
    """key: domain.nosso_numero.nosso_numero_key(bank, printed) — the same for the printed boleto
    and the bank's return file."""
    return f"NOSSO#{key}"


def billed_period_sk(subscription_id: str, plan_revision: int, period_start: date) -> str:
    return f"{HISTORY}BILLED#{subscription_id}#{plan_revision}#{period_start.isoformat()}"


class InvoiceLine(MapAttribute):
    description = UnicodeAttribute()
    amount_cents = NumberAttribute()  # negative for credits
    kind = UnicodeAttribute()  # subscription | proration | addon | credit | fee
    subscription_id = UnicodeAttribute(null=True)
    period_start = DateAttribute(null=True)
    period_end = DateAttribute(null=True)
    # Set on items carried over from an older, now superseded, invoice (consolidation `carry`).
    source_invoice_id = UnicodeAttribute(null=True)
    # On the lines of an order for added licenses (kind proration) or storage (kind addon): how many
    # licenses or GB the line adds, what an unpaid order takes back after the grace (PRODUCT.md §7).
    added_quantity = NumberAttribute(null=True)


class BoletoDocument(MapAttribute):
    """One boleto issued for an invoice. Only the invoice's current one is payable without fees;
    a replaced (2ª via) or superseded one is still credited if paid (its lookup item stays)."""

    nosso_numero = UnicodeAttribute()
    bank_code = UnicodeAttribute()
    barcode = UnicodeAttribute()
    digitable_line = UnicodeAttribute()
    due_date = DateAttribute()
    amount_cents = NumberAttribute()
    pix_payload = UnicodeAttribute()
    pdf_key = UnicodeAttribute()
    status = UnicodeAttribute()  # current | replaced | superseded | void
    issued_on = DateAttribute()


class InvoiceItem(BillingItem, discriminator="invoice"):
    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    # What people read (`2026-000123`, domain/invoice_numbers.py), allocated with the account's
    # InvoiceCounterItem in the transaction that creates the invoice; null on invoices from before it.
    number = UnicodeAttribute(null=True)
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
    # The current boleto's due date and amount (a 2ª via moves them; the invoice's due_date stays)
    # and every boleto issued for the invoice, oldest first (invoicing).
    boleto_due_date = DateAttribute(null=True)
    boleto_amount_cents = NumberAttribute(null=True)
    documents = ListAttribute(of=BoletoDocument, default=list)
    # Pix Automático: the cycle charge sent for it (`PUT /cobr/{txid}`) and its state at the PSP
    # (ATIVA, CONCLUIDA, REJEITADA, ...), mirrored as the PSP reports it (docs/pix-automatico.md).
    pix_txid = UnicodeAttribute(null=True)
    pix_charge_status = UnicodeAttribute(null=True)
    # The payer's PSP's attempts at the charge (`tentativas`: the first on the due date, then the
    # retries PERMITE_3R_7D allows), as many as the PSP has reported, and the latest one's
    # {"date", "type", "status", "code"}.
    pix_charge_attempts = NumberAttribute(null=True)
    pix_last_attempt = UnicodeAttribute(null=True)  # JSON
    # Set in the transaction that opened its NFS-e (services/service_invoices/opening.py): paid again
    # after a chargeback, the invoice has its NFS-e already.
    service_invoice_opened = BooleanAttribute(null=True)
    version = VersionAttribute()

    def serialize(self, null_check: bool = True):
        # Every invoice is findable by its id alone (gsi1 INVOICE#<id>), whoever writes it.
        self.gsi1pk, self.gsi1sk = invoice_lookup_pk(self.invoice_id), INVOICE_LOOKUP_SK
        return super().serialize(null_check=null_check)

    @property
    def label(self) -> str:
        """How e-mails and documents name the invoice: its number, or its id if it has none."""
        return self.number or self.invoice_id


class InvoiceCounterItem(BillingItem, discriminator="invoice_counter"):
    """The last invoice sequence of the account (pk ACCOUNT#<id>, sk COUNTER#INVOICE). Never written
    on its own: WriteSet.commit puts it, conditioned on the value the numbers were taken after, in
    the transaction that creates the numbered invoices, so two writers that read the same value
    cannot both commit and a failed transaction consumes no number."""

    account_id = UnicodeAttribute()
    last = NumberAttribute()


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
    # Pix Automático invoices: the cycle charge's state once sent (null: not sent yet).
    pix_charge_status = UnicodeAttribute(null=True)
    # Set when the invoicing job issues it, cleared once its e-mail and event are out: a worker
    # retried after a crash in between sends them again.
    notice_pending = BooleanAttribute(null=True)
    # The send-reminders job (services/invoicing/reminders.py): the last reminder day claimed for this invoice
    # (set with a condition: one reminder per invoice and day), and the instant of that claim while
    # its e-mail is not out yet (removed once sent; a later run resends a claim older than itself).
    reminded_on = DateAttribute(null=True)
    reminder_claimed_at = UTCDateTimeAttribute(null=True)


class BilledPeriodItem(BillingItem, discriminator="billed_period"):
    """Uniqueness key: (subscription, plan revision, period start) billed once, ever."""

    account_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    plan_revision = NumberAttribute()
    period_start = DateAttribute()
    invoice_id = UnicodeAttribute()


class NossoNumeroItem(BillingItem, discriminator="nosso_numero_ref"):
    """Lookup: which invoice a boleto's nosso número belongs to (pk NOSSO#<bank>:<number>, sk NOSSO).
    Created with attribute_not_exists in the transaction that records the boleto, never deleted
    before the account's purge (gsi1 OWNED#<account>), so a late payment of a replaced or superseded
    boleto still finds its invoice."""

    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    bank_code = UnicodeAttribute()
    nosso_numero = UnicodeAttribute()
    # Registration with the bank: in the `due` index (REMIT#<issue day>) until the day's
    # remittance lists it; the bank's return file then confirms (02) or rejects (03) the entry.
    remitted_on = DateAttribute(null=True)
    registered_on = DateAttribute(null=True)
    rejected_on = DateAttribute(null=True)


def remittance_due_pk(boleto_pk: str, day: date) -> str:
    """The REMIT list partition of `day` for the boleto under `boleto_pk` (sharded by its key)."""
    return due_pk(REMITTANCE_KIND, day, boleto_pk.removeprefix("NOSSO#"))


def nosso_numero_item(account_id: str, invoice_id: str, bank: str, nosso_numero: str, key: str,
                      created_at) -> NossoNumeroItem:
    pk = nosso_numero_pk(key)
    issued_on = created_at.astimezone(_SAO_PAULO).date()
    return NossoNumeroItem(pk=pk, sk=NOSSO_NUMERO_SK, account_id=account_id, invoice_id=invoice_id,
                           bank_code=bank, nosso_numero=nosso_numero, created_at=created_at,
                           due_pk=remittance_due_pk(pk, issued_on), due_sk=pk,
                           **owned_by(account_id, pk, NOSSO_NUMERO_SK))
