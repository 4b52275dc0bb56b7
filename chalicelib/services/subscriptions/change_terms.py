"""The vocabulary of a change of plan, periodicity, licenses or storage: what is asked
(`ChangeRequest`), what it will do (`Quote`), and the issued next-period invoice it supersedes
(`NextPeriod`). Computed by services/subscriptions/change_quotes.py."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.enums import InvoiceStatus, PaymentMethod, Periodicity
from chalicelib.domain.periods import Period
from chalicelib.domain.reissue import Reissue
from chalicelib.services.invoicing.orders import Line, Order
from chalicelib.services.plans.pricing import Plan
from chalicelib.store.invoices import InvoiceItem

PIX_AUTOMATICO = "pix_automatico"

REISSUE_ORIGIN = "reissue"
PAYABLE = frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value})


@dataclass(frozen=True)
class ChangeRequest:
    product_id: str | None = None
    periodicity: Periodicity | None = None
    quantity: int | None = None
    storage_gb: int | None = None
    payment_method: str | None = None
    make_default: bool = False


@dataclass(frozen=True)
class Quote:
    """Everything a change will do, before anything is written."""

    subscription_id: str
    plan: Plan  # the plan after the change
    is_plan_change: bool  # product or periodicity: a new period starts today
    charge_now_cents: int
    credit_cents: int  # unused part of what was paid for the current period
    account_credit_cents: int  # leftover centavos of the credit, added to the account
    days_granted: int
    new_period: Period
    order: Order  # what the invoice will say (empty when nothing is charged)
    payment_method: str  # of this order
    make_default: bool
    payments: tuple[tuple[int, date], ...]  # the subscription's period payments afterwards
    next_period: "NextPeriod | None" = None  # the issued next-period invoice it supersedes
    account_credit_after_cents: int = 0  # the account's credit balance once everything is written
    reissued_invoice_id: str | None = None  # set by the change: the replacement of `next_period`
    # Unpaid invoices of the current period a plan change voids (or supersedes by its own invoice).
    voided: tuple[InvoiceItem, ...] = ()
    discount_cents: int = 0  # what a coupon takes off the new plan's first period (its own order line)

    @property
    def order_method(self) -> str:
        """What pays this order now. Pix Automático charges renewal cycles only (one charge per
        recurrence and cycle): an order of a subscription renewing by it is paid now by boleto, whose
        Pix QR is the one-off Pix; the renewals stay with Pix Automático."""
        return PaymentMethod.BOLETO.value if self.payment_method == PIX_AUTOMATICO else self.payment_method


@dataclass(frozen=True)
class NextPeriod:
    """The unpaid invoice already issued for the next period, superseded by the change, and what
    replaces it: the same invoice without the old plan's next period (a new plan bills its own
    periods) or with it re-priced (licenses or storage added), same due date and method."""

    superseded: InvoiceItem
    returned_cents: int  # account credit it had applied + what was paid on it, back to the account
    kept: tuple  # the superseded invoice's lines that stay (store InvoiceLine, as they were)
    added: tuple[Line, ...]  # the re-priced next period, then the account credit line
    amounts: Reissue
    repriced_period_start: date | None  # the next period re-billed by the replacement (additions)

    @property
    def lines(self) -> tuple[Line, ...]:
        """The replacement's lines, its account credit line included."""
        return tuple(as_line(line) for line in self.kept) + self.added

    @property
    def superseded_invoice_id(self) -> str:
        return self.superseded.invoice_id

    @property
    def replaced(self) -> bool:
        """A replacement invoice is issued when something is left to bill."""
        return bool(self.lines)

    @property
    def due_date(self) -> date:
        return self.superseded.due_date

    @property
    def payment_method(self) -> str:
        return self.superseded.payment_method


def as_line(line) -> Line:
    return Line(line.description, line.amount_cents, line.kind, line.subscription_id, line.period_start,
                line.period_end)
