import calendar
from datetime import date
from itertools import islice

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import (Period, add_months, chain, next_period, period_containing,
                                       period_starting, periods_starting_before)

from .strategies import dates, periodicities


def test_anchor_31_clamps_to_month_end_and_comes_back():
    ends = [p.end for p in islice(chain(date(2025, 1, 31), Periodicity.MONTHLY), 4)]
    assert ends == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]


def test_anchor_31_lands_on_leap_day():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert next_period(Period(date(2024, 1, 31), date(2024, 2, 29)), Periodicity.MONTHLY,
                       anchor_day=31) == Period(date(2024, 2, 29), date(2024, 3, 31))


@pytest.mark.parametrize("periodicity, end", [
    (Periodicity.MONTHLY, date(2025, 2, 15)), (Periodicity.QUARTERLY, date(2025, 4, 15)),
    (Periodicity.SEMIANNUAL, date(2025, 7, 15)), (Periodicity.ANNUAL, date(2026, 1, 15)),
])
def test_period_lengths(periodicity, end):
    assert period_starting(date(2025, 1, 15), periodicity).end == end


def test_annual_from_leap_day():
    assert period_starting(date(2024, 2, 29), Periodicity.ANNUAL).end == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)


def test_add_months_backwards_over_the_year():
    assert add_months(date(2025, 1, 15), -1) == date(2024, 12, 15)


def test_period_days_and_remaining_days():
    period = Period(date(2025, 3, 1), date(2025, 4, 1))
    assert period.days == 31
    assert period.remaining_days(date(2025, 3, 1)) == 31
    assert period.remaining_days(date(2025, 3, 31)) == 1
    with pytest.raises(DomainError):
        period.remaining_days(date(2025, 4, 1))  # the end is already the next period


def test_empty_or_inverted_period_is_refused():
    with pytest.raises(DomainError):
        Period(date(2025, 3, 1), date(2025, 3, 1))


def test_invalid_anchor_is_refused():
    with pytest.raises(DomainError):
        add_months(date(2025, 3, 1), 1, anchor_day=32)


def test_periods_starting_before_and_containing():
    start = date(2025, 1, 10)
    due = periods_starting_before(start, Periodicity.MONTHLY, date(2025, 3, 10))
    assert [p.start for p in due] == [date(2025, 1, 10), date(2025, 2, 10)]
    assert period_containing(start, Periodicity.MONTHLY, date(2025, 3, 9)) == Period(
        date(2025, 2, 10), date(2025, 3, 10))
    on_renewal_day = period_containing(start, Periodicity.MONTHLY, date(2025, 3, 10))
    assert on_renewal_day.start == date(2025, 3, 10)
    with pytest.raises(DomainError):
        period_containing(start, Periodicity.MONTHLY, date(2025, 1, 9))


@given(dates, periodicities, st.integers(1, 30))
def test_periods_chain_without_gaps_or_overlaps(start, periodicity, count):
    periods = list(islice(chain(start, periodicity), count))
    assert periods[0].start == start
    for earlier, later in zip(periods, periods[1:]):
        assert earlier.end == later.start
    assert all(p.start < p.end for p in periods)


@given(dates, periodicities, st.integers(1, 30))
def test_chained_periods_keep_the_anchor_day(start, periodicity, count):
    for period in islice(chain(start, periodicity), count):
        last_day = calendar.monthrange(period.end.year, period.end.month)[1]
        assert period.end.day == min(start.day, last_day)
        months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
        assert months == periodicity.months


@given(dates, periodicities, dates)
def test_period_containing_contains(start, periodicity, on):
    if on >= start:
        assert period_containing(start, periodicity, on).contains(on)
