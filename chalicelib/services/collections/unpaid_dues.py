"""What an account owes, as the overdue review reads it: the payable open invoices (not those still
being collected by card) and, per subscription, the original due date of each of its items on them
(a carried line keeps the due date of the invoice it came from). An order for added licenses or
storage is flagged: it is taken back when unpaid, never a step of its subscription."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.enums import PaymentMethod, SubscriptionStatus
from chalicelib.domain.overdue import UnpaidItem
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import CARD_CHARGE_KIND, InvoiceItem, OpenInvoiceItem

PAYABLE = frozenset({"open", "partially_paid"})
# The statuses overdue moves. A scheduled cancellation keeps its access to the effective date.
MOVABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED})
# What an order's addition line adds, by its kind (services/subscriptions/change_quotes.py).
ADDED_LICENSES, ADDED_STORAGE = "proration", "addon"


@dataclass(frozen=True)
class Due:
    due_date: date
    invoice_id: str  # the open invoice that holds the item now
    by_boleto: bool = False  # that invoice is paid by boleto: compensation takes a business day
    addition: bool = False  # an order for added licenses or storage: taken back, never blocking

    @property
    def unpaid(self) -> UnpaidItem:
        return UnpaidItem(self.due_date, self.by_boleto)


def payable_invoices(invoices, snapshot: AccountSnapshot) -> list[InvoiceItem]:
    """The payable open invoices (`invoices`: InvoiceReads). Card invoices still on the charge-cards
    list are being collected: they join once retries end."""
    summaries = [s for s in snapshot.open_invoices if s.status in PAYABLE and not collecting_by_card(s)]
    return invoices.get_many(snapshot.account_id, [s.invoice_id for s in summaries])


def unpaid_dues(invoices, snapshot: AccountSnapshot, payable: list[InvoiceItem]) -> dict[str, list[Due]]:
    """Per subscription, the original due dates of its items on the `payable` open invoices."""
    sources = {line.source_invoice_id for invoice in payable for line in invoice.lines if line.source_invoice_id}
    source_dues = {i.invoice_id: i.due_date for i in invoices.get_many(snapshot.account_id, sorted(sources))}
    dues: dict[str, list[Due]] = defaultdict(list)
    for invoice in payable:
        addition = is_addition_order(invoice)
        for line in invoice.lines:
            if line.subscription_id:
                original = source_dues.get(line.source_invoice_id, invoice.due_date)
                dues[line.subscription_id].append(Due(original, invoice.invoice_id,
                                                      invoice.payment_method == PaymentMethod.BOLETO,
                                                      addition))
    return dues


def is_addition_order(invoice: InvoiceItem) -> bool:
    """An order for added licenses or storage on one subscription: a change's invoice whose lines
    say what they add (a plan change's order bills a new period instead)."""
    if invoice.origin != "change" or any(line.source_invoice_id for line in invoice.lines):
        return False
    billed = [line for line in invoice.lines if line.subscription_id]
    return len({line.subscription_id for line in billed}) == 1 and all(line.kind in (ADDED_LICENSES, ADDED_STORAGE) and line.added_quantity
                                for line in billed)


def collecting_by_card(summary: OpenInvoiceItem) -> bool:
    return bool(summary.due_pk and summary.due_pk.startswith(f"{CARD_CHARGE_KIND}#"))
