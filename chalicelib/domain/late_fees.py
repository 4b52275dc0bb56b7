"""Late payment charges on an overdue amount: multa (a one-off fine) and juros (interest).

Juros are simple interest, pro rata die: a monthly rate of 1% is 1/30 of 1% per calendar day late.
Each is its own invoice line, so each is rounded half-up once, from its exact value: R$ 100,00 ten
days late at 1% a.m. is 33.33... centavos -> 33 (rounding per day would give 10 × 3 = 30, a
ceiling would give 34; neither is the amount the rate defines). With the 2% fine (200) the total
is R$ 102,33."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.bank_calendar import next_business_day
from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import BASIS_POINTS, apply_basis_points, round_half_up

DEFAULT_FINE_BPS = 200  # 2%, once
DEFAULT_MONTHLY_INTEREST_BPS = 100  # 1% a month
DAYS_PER_INTEREST_MONTH = 30  # pro rata die convention


@dataclass(frozen=True)
class LateFee:
    days_late: int
    fine_cents: int
    interest_cents: int

    @property
    def total_cents(self) -> int:
        return self.fine_cents + self.interest_cents


def days_late(due_date: date, paid_on: date) -> int:
    """Calendar days late, or 0 when paid by the due date or, for a due date on a weekend or bank
    holiday, by the next business day. Past that grace, lateness counts from the due date itself."""
    if paid_on <= next_business_day(due_date):
        return 0
    return (paid_on - due_date).days


def late_fee(amount_cents: int, due_date: date, paid_on: date,
             fine_bps: int = DEFAULT_FINE_BPS,
             monthly_interest_bps: int = DEFAULT_MONTHLY_INTEREST_BPS) -> LateFee:
    """Fine and interest owed on `amount_cents` due on `due_date` and paid on `paid_on`."""
    if amount_cents < 0 or fine_bps < 0 or monthly_interest_bps < 0:
        raise DomainError("Valor e taxas de atraso não podem ser negativos.")
    late = days_late(due_date, paid_on)
    if late == 0:
        return LateFee(0, 0, 0)
    interest = round_half_up(amount_cents * monthly_interest_bps * late,
                             BASIS_POINTS * DAYS_PER_INTEREST_MONTH)
    return LateFee(late, apply_basis_points(amount_cents, fine_bps), interest)
