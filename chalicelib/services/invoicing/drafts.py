"""The invoices the invoicing job is about to issue, before anything is written: `Draft` (one invoice),
`Renewal` (one period of a subscription it bills) and `AccountBill` (what one account gets on a
due date). How they are filled: services/invoicing/account_bills.py."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.consolidation import PeriodCharge
from chalicelib.domain.enums import Consolidation, InvoiceStatus
from chalicelib.services.invoicing.orders import Line
from chalicelib.services.plans.renewals import RenewalTerms
from chalicelib.store.invoices import InvoiceItem, InvoiceLine
from chalicelib.store.subscriptions import SubscriptionItem

PAYABLE = frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value})
RENEWAL, REISSUE = "renewal", "reissue"
CANCELLATION, TERMINATION = "cancellation", "termination"  # collections.cancellation_invoices (above: not imported)


@dataclass(frozen=True)
class Renewal:
    subscription: SubscriptionItem
    terms: RenewalTerms
    lines: tuple[Line, ...]
    consolidation: Consolidation

    @property
    def charge(self) -> PeriodCharge:
        period = self.terms.period
        return PeriodCharge(self.subscription.subscription_id, period.start, period.end,
                            self.terms.amount_cents, self.consolidation)


@dataclass
class Draft:
    """One invoice to issue."""

    origin: str  # renewal | reissue (separate items left on a superseded invoice)
    payment_method: str
    due_date: date
    lines: list[InvoiceLine] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def subscription_ids(self) -> list[str]:
        return sorted({line.subscription_id for line in self.lines if line.subscription_id})


@dataclass
class AccountBill:
    drafts: list[Draft]  # the main invoice first
    superseded: list[InvoiceItem]  # taken over by drafts[0]
    account_credit_cents: int  # the account's credit balance afterwards

    @property
    def empty(self) -> bool:
        return not any(draft.renewals for draft in self.drafts)


def invoice_line(line: Line) -> InvoiceLine:
    return InvoiceLine(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                       subscription_id=line.subscription_id, period_start=line.period_start,
                       period_end=line.period_end)


def carried(line: InvoiceLine, invoice_id: str) -> InvoiceLine:
    return InvoiceLine(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                       subscription_id=line.subscription_id, period_start=line.period_start,
                       period_end=line.period_end, source_invoice_id=line.source_invoice_id or invoice_id)
