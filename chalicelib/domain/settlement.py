"""What a payment does to an invoice and to the subscriptions its lines bill (PRODUCT.md §6).

- The amount pays what the invoice still owes; the rest becomes account credit (overpayment), and a
  payment that finds nothing to pay (the invoice was already paid, voided or refunded) is credit whole.
- An invoice paid in full is `paid`; in part, `partially_paid` and still open for the rest.
- A paid line extends its subscription when it continues the current period (a renewal) and
  overlaps nothing newer; a line the current period already covers changes nothing.
- Refunds are possible within the withdrawal window counted from the payment's day."""
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.cancellation import WITHDRAWAL_DAYS
from chalicelib.domain.enums import InvoiceStatus, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period

PAYABLE_STATUSES = frozenset({InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID})
# A late subscription is back in good standing once nothing of it is overdue any more.
RESTORABLE_STATUSES = frozenset({SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED})


@dataclass(frozen=True)
class Allocation:
    applied_cents: int  # pays the invoice
    credit_cents: int  # becomes account credit
    paid_cents: int  # the invoice's paid amount afterwards
    status: InvoiceStatus  # the invoice's status afterwards

    @property
    def settles_invoice(self) -> bool:
        return self.applied_cents > 0 and self.status is InvoiceStatus.PAID


def allocate(amount_cents: int, total_cents: int, paid_cents: int, status: str) -> Allocation:
    """Split a payment between the invoice and the account credit."""
    if amount_cents <= 0:
        raise DomainError("O valor pago deve ser positivo.")
    current = InvoiceStatus(status)
    if current not in PAYABLE_STATUSES:
        return Allocation(0, amount_cents, paid_cents, current)
    outstanding = max(total_cents - paid_cents, 0)
    applied = min(amount_cents, outstanding)
    paid = paid_cents + applied
    new_status = InvoiceStatus.PAID if paid >= total_cents else InvoiceStatus.PARTIALLY_PAID
    return Allocation(applied, amount_cents - applied, paid, new_status)


def extended_period(current: Period, paid: list[Period]) -> Period:
    """The subscription's period once `paid` periods are paid: each one that continues the current
    period takes over from it (a renewal: [end, next end)) or stretches it; one the current period
    already covers, or one after a gap (an older period still unpaid), changes nothing."""
    period = current
    for line in sorted(paid):
        if line.end <= period.end or line.start > period.end:
            continue
        period = line if line.start >= period.end else Period(period.start, line.end)
    return period


def status_after_payment(status: str, still_overdue: bool) -> SubscriptionStatus:
    """Paying everything overdue restores `active` at once (PRODUCT.md §7); other states stay."""
    current = SubscriptionStatus(status)
    if current in RESTORABLE_STATUSES and not still_overdue:
        return SubscriptionStatus.ACTIVE
    return current


def within_withdrawal_window(paid_on: date, today: date, days: int = WITHDRAWAL_DAYS) -> bool:
    """Right of withdrawal: `days` calendar days after the payment, the payment day being day 0."""
    return 0 <= (today - paid_on).days <= days


def refund_deadline(paid_on: date, days: int = WITHDRAWAL_DAYS) -> date:
    """The last day a refund is accepted."""
    return paid_on + timedelta(days=days)
