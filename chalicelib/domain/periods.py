"""Billing periods: half-open [start, end) date ranges that chain end-to-start.

A period length is a whole number of months. Month ends clamp, but the anchor day is kept so a
subscription that started on the 31st renews on Jan 31, Feb 28 (29), Mar 31, Apr 30..."""
import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import takewhile

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.errors import DomainError


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive: the renewal date, first day of the next period

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise DomainError("O período deve terminar depois de começar.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def remaining_days(self, on: date) -> int:
        """Days from `on` (inclusive) to the period end: what is still unused on that day."""
        if not self.contains(on):
            raise DomainError("A data está fora do período vigente.")
        return (self.end - on).days


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """`day` moved by whole months, landing on `anchor_day` (default: day.day) or the month end."""
    anchor = anchor_day or day.day
    if not 1 <= anchor <= 31:
        raise DomainError("O dia de referência deve estar entre 1 e 31.")
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def period_starting(start: date, periodicity: Periodicity, anchor_day: int | None = None) -> Period:
    return Period(start, add_months(start, periodicity.months, anchor_day or start.day))


def next_period(current: Period, periodicity: Periodicity, anchor_day: int) -> Period:
    """The period right after `current`. The anchor is explicit so that a clamped end (Feb 28)
    does not become the new anchor."""
    return Period(current.end, add_months(current.end, periodicity.months, anchor_day))


def chain(start: date, periodicity: Periodicity, anchor_day: int | None = None) -> Iterator[Period]:
    """Endless sequence of consecutive periods from `start`, each end computed from `start` itself
    so clamping never drifts the anchor."""
    anchor = anchor_day or start.day
    months = periodicity.months
    period_start, index = start, 1
    while True:
        period_end = add_months(start, months * index, anchor)
        yield Period(period_start, period_end)
        period_start, index = period_end, index + 1


def periods_starting_before(start: date, periodicity: Periodicity, before: date,
                            anchor_day: int | None = None) -> list[Period]:
    """Every period of the chain from `start` that starts before `before` (what is due to bill)."""
    periods = chain(start, periodicity, anchor_day)
    return list(takewhile(lambda period: period.start < before, periods))


def period_containing(start: date, periodicity: Periodicity, on: date,
                      anchor_day: int | None = None) -> Period:
    """The period of the chain from `start` that contains `on`."""
    if on < start:
        raise DomainError("A data é anterior ao início da assinatura.")
    return periods_starting_before(start, periodicity, on + timedelta(days=1), anchor_day)[-1]
