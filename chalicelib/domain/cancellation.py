"""What a cancellation requested today does: when it takes effect, what is refunded, what is owed.

- Within 7 days from the purchase or the renewal (right of withdrawal): immediate, the payment of
  that purchase or renewal is refunded. The window counts from the purchase date or the renewal date
  (the start of the renewed period), never from the day it was paid.
- Otherwise auto-renewal stops. At least 30 days before the renewal: ends at the period end.
  Later: the next renewal is still billed and the cancellation takes effect at its end.
- A fixed_term contract ended early owes its remaining installments.
- A subscription with a commitment billed monthly (Conta Azul Mais: "antes do término do contrato,
  após o prazo de arrependimento (...) será responsável pelo pagamento integral do valor acordado")
  ended before the commitment is over owes the committed months not billed yet."""
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.enums import CancellationKind, Contract, Periodicity, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, add_months, next_period

WITHDRAWAL_DAYS = 7
NOTICE_DAYS = 30


@dataclass(frozen=True)
class Payment:
    """The purchase or renewal payment the right of withdrawal gives back."""
    window_start: date  # withdrawal_window_start: the purchase or renewal date, not the day it was paid
    amount_cents: int


@dataclass(frozen=True)
class Commitment:
    """A commitment of `months` monthly periods from the purchase, billed month by month.

    The agreed value is `months` × the monthly price; every monthly period billed so far (the first
    at the purchase, each renewal since — invoiced, paid or not, it is owed anyway) is part of it. So
    the months left are the committed periods not billed yet: cancelled in month 5 of 12, with month
    5 billed, 7 are left; once the 6th is invoiced (7 days ahead), 6. The total billed is then the
    agreed value exactly, and no month is billed twice. After the last committed month the
    subscription goes on month to month, under the notice rules alone."""
    months: int
    months_billed: int  # monthly periods billed so far, the purchase's included
    monthly_price_cents: int  # what is contracted today, one month
    billed_through: date  # end of the last period billed: the first committed month left starts here
    anchor_day: int  # the day the monthly periods renew on
    purchased_on: date | None = None  # the only withdrawal window inside the commitment

    @property
    def months_left(self) -> int:
        return max(self.months - self.months_billed, 0)

    @property
    def ends_on(self) -> date:
        """The first day after the committed months."""
        return add_months(self.billed_through, self.months_left, self.anchor_day)


@dataclass(frozen=True)
class CommitmentCharge:
    months: int
    amount_cents: int
    ends_on: date


def commitment_charge(commitment: Commitment) -> CommitmentCharge | None:
    """What ending a commitment now bills (after the withdrawal window): the months left × the
    monthly price; None once the committed months are all billed."""
    if commitment.months_left <= 0:
        return None
    if commitment.monthly_price_cents < 0:
        raise DomainError("Preço mensal inválido.")
    return CommitmentCharge(commitment.months_left, commitment.months_left * commitment.monthly_price_cents,
                            commitment.ends_on)


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
    commitment: Commitment | None = None  # monthly billing with a commitment (catalog commitment_months)


@dataclass(frozen=True)
class CancellationOutcome:
    kind: CancellationKind
    effective_date: date
    refund_cents: int
    amount_owed_cents: int
    status: SubscriptionStatus
    commitment: CommitmentCharge | None = None  # the committed months billed by an early termination


def evaluate_cancellation(request: CancellationRequest, today: date,
                          withdrawal_days: int = WITHDRAWAL_DAYS,
                          notice_days: int = NOTICE_DAYS) -> CancellationOutcome:
    if not request.current_period.contains(today):
        raise DomainError("A data do pedido está fora do período vigente.")
    if _within_withdrawal(request.last_payment, today, withdrawal_days) and \
            _withdrawable_under_commitment(request.commitment, request.last_payment):
        return CancellationOutcome(CancellationKind.WITHDRAWAL, today,
                                   request.last_payment.amount_cents, 0,
                                   SubscriptionStatus.CANCELLED)
    if Contract(request.contract) is Contract.FIXED_TERM:
        return _early_termination(request)
    charge = commitment_charge(request.commitment) if request.commitment else None
    if charge is not None:
        return CancellationOutcome(CancellationKind.EARLY_TERMINATION, request.current_period.end, 0,
                                   charge.amount_cents, SubscriptionStatus.PENDING_CANCELLATION, charge)
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


def _withdrawable_under_commitment(commitment: Commitment | None, payment: Payment) -> bool:
    """Inside a commitment the monthly bills are not renewals of the contract ("7 dias a partir da
    compra ou renovação"): only the purchase opens a withdrawal window, or the monthly payments would
    let anyone leave the commitment every month without paying it."""
    if commitment is None or commitment.months_left <= 0 or commitment.purchased_on is None:
        return True
    return payment.window_start <= commitment.purchased_on


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
