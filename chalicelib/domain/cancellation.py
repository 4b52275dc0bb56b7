"""What a cancellation requested today does: when it takes effect, what is refunded, what is owed.

- Within 7 days from the purchase or the renewal (right of withdrawal): immediate, the payment of
  that purchase or renewal is refunded. The window counts from the purchase date or the renewal date
  (the start of the renewed period), never from the day it was paid.
- Otherwise auto-renewal stops. At least 30 days before the renewal: ends at the period end.
  Later: the next renewal is still billed and the cancellation takes effect at its end.
- A fixed_term contract ended early owes its remaining installments."""
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.enums import Contract, Periodicity, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, next_period

WITHDRAWAL_DAYS = 7
NOTICE_DAYS = 30


class CancellationKind(StrEnum):
    WITHDRAWAL = "withdrawal"
    AT_PERIOD_END = "at_period_end"
    AFTER_NEXT_PERIOD = "after_next_period"
    EARLY_TERMINATION = "early_termination"


@dataclass(frozen=True)
class Payment:
    """The purchase or renewal payment the right of withdrawal gives back."""
    window_start: date  # withdrawal_window_start: the purchase or renewal date, not the day it was paid
    amount_cents: int


@dataclass(frozen=True)
class CancellationRequest:
    contract: Contract
    current_period: Period
    periodicity: Periodicity
    next_period_price_cents: int
    anchor_day: int | None = None  # renewal anchor; defaults to the current period's start day
    last_payment: Payment | None = None  # the purchase or latest renewal payment
    installments_remaining: int = 0  # fixed_term: installments after the current one
    installment_price_cents: int = 0


@dataclass(frozen=True)
class CancellationOutcome:
    kind: CancellationKind
    effective_date: date
    refund_cents: int
    amount_owed_cents: int
    status: SubscriptionStatus


def evaluate_cancellation(request: CancellationRequest, today: date,
                          withdrawal_days: int = WITHDRAWAL_DAYS,
                          notice_days: int = NOTICE_DAYS) -> CancellationOutcome:
    if not request.current_period.contains(today):
        raise DomainError("A data do pedido está fora do período vigente.")
    if _within_withdrawal(request.last_payment, today, withdrawal_days):
        return CancellationOutcome(CancellationKind.WITHDRAWAL, today,
                                   request.last_payment.amount_cents, 0,
                                   SubscriptionStatus.CANCELLED)
    if Contract(request.contract) is Contract.FIXED_TERM:
        return _early_termination(request)
    return _with_notice(request, today, notice_days)


def can_undo(effective_date: date, today: date) -> bool:
    """A scheduled cancellation can be undone until it takes effect."""
    return today < effective_date


def withdrawal_window_start(purchased_on: date | None, period_start: date) -> date:
    """Where the right of withdrawal counts from for what a payment paid ("7 dias a partir da compra ou
    renovação"): the purchase date for the first period, the renewal date (the start of the renewed
    period) for a renewal. Never the payment date: a renewal boleto paid early (issued 7 days ahead)
    would otherwise lose days of the window, and one paid late would get days it is not owed. A
    period starting before the purchase (a first period anchored to the due-day grid) counts from the
    purchase."""
    return max(purchased_on, period_start) if purchased_on else period_start


def within_withdrawal_window(window_start: date, today: date, days: int = WITHDRAWAL_DAYS) -> bool:
    """Counted as the terms word it ("no prazo de 7 (sete) dias após a contratação ou renovação") and
    as Brazilian law counts a term of days: the start day is day 0 and the 7th day after it is still
    inside; the 8th is not. A renewal paid ahead and not begun yet is inside too: its 7 days have not
    even started."""
    return (today - window_start).days <= days


def withdrawal_deadline(window_start: date, days: int = WITHDRAWAL_DAYS) -> date:
    """The last day a withdrawal is accepted."""
    return window_start + timedelta(days=days)


def _within_withdrawal(payment: Payment | None, today: date, withdrawal_days: int) -> bool:
    return payment is not None and within_withdrawal_window(payment.window_start, today, withdrawal_days)


def _early_termination(request: CancellationRequest) -> CancellationOutcome:
    owed = request.installments_remaining * request.installment_price_cents
    if owed < 0:
        raise DomainError("Parcelas restantes inválidas.")
    return CancellationOutcome(CancellationKind.EARLY_TERMINATION, request.current_period.end, 0,
                               owed, SubscriptionStatus.PENDING_CANCELLATION)


def _with_notice(request: CancellationRequest, today: date,
                 notice_days: int) -> CancellationOutcome:
    current = request.current_period
    if (current.end - today).days >= notice_days:
        return CancellationOutcome(CancellationKind.AT_PERIOD_END, current.end, 0, 0,
                                   SubscriptionStatus.PENDING_CANCELLATION)
    following = next_period(current, request.periodicity, request.anchor_day or current.start.day)
    return CancellationOutcome(CancellationKind.AFTER_NEXT_PERIOD, following.end, 0,
                               request.next_period_price_cents,
                               SubscriptionStatus.PENDING_CANCELLATION)
