"""The account's due day (8, 15 or 22): every subscription of the account renews on it.

Moving a renewal onto a due day shortens or lengthens one period; the difference is prorated on
that period's price (positive: extra days charged; negative: days discounted)."""
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.bank_calendar import next_business_day
from chalicelib.domain.enums import ALLOWED_DUE_DAYS, Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import prorate
from chalicelib.domain.periods import Period, add_months

INVOICE_LEAD_DAYS = 7  # renewal invoices go out a week before the due date (Promob)


def validate_due_day(due_day: int) -> int:
    if due_day not in ALLOWED_DUE_DAYS:
        raise DomainError("O dia de vencimento deve ser 08, 15 ou 22.")
    return due_day


def next_due_date(after: date, due_day: int) -> date:
    """First due date strictly after `after`."""
    validate_due_day(due_day)
    this_month = after.replace(day=due_day)
    return this_month if this_month > after else add_months(this_month, 1)


def payable_due_date(nominal: date) -> date:
    """A due date on a weekend or bank holiday may be paid on the next business day, fee-free."""
    return next_business_day(nominal)


def invoice_issue_date(due_date: date, lead_days: int = INVOICE_LEAD_DAYS) -> date:
    return due_date - timedelta(days=lead_days)


@dataclass(frozen=True)
class LandedPeriod:
    period: Period
    period_price_cents: int
    proration_cents: int  # added to the period price on that invoice; negative is a discount

    @property
    def amount_cents(self) -> int:
        return self.period_price_cents + self.proration_cents


def land_on_due_day(start: date, periodicity: Periodicity, due_day: int, period_price_cents: int,
                    anchor_day: int | None = None) -> LandedPeriod:
    """The period from `start`, its end moved to the due day nearest its normal end.

    Nearest keeps the adjustment under about half a month; on a tie (e.g. 22 Feb -> 8 Feb or
    8 Mar) the earlier date wins so the customer is not charged for days in advance."""
    validate_due_day(due_day)
    normal = Period(start, add_months(start, periodicity.months, anchor_day or start.day))
    landed = Period(start, _nearest_due_date(normal.end, due_day))
    proration = prorate(period_price_cents, landed.days - normal.days, normal.days)
    return LandedPeriod(landed, period_price_cents, proration)


def change_due_day(current: Period, periodicity: Periodicity, new_due_day: int,
                   period_price_cents: int, anchor_day: int | None = None) -> LandedPeriod:
    """A due-day change applies from the next month: the current period keeps its end and the
    following one is shortened or lengthened to land on the new day."""
    return land_on_due_day(current.end, periodicity, new_due_day, period_price_cents,
                           anchor_day or current.end.day)


def _nearest_due_date(day: date, due_day: int) -> date:
    same_month = day.replace(day=due_day)
    candidates = (add_months(same_month, -1), same_month, add_months(same_month, 1))
    return min(candidates, key=lambda candidate: (abs((candidate - day).days), candidate))
