from datetime import date

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.bank_calendar import is_business_day
from chalicelib.domain.enums import ALLOWED_DUE_DAYS, Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.due_day import (change_due_day, invoice_issue_date, land_on_due_day,
                                       next_due_date, payable_due_date, validate_due_day)
from chalicelib.domain.periods import Period, next_period, period_starting

from .strategies import dates, periodicities, prices

due_days = st.sampled_from(ALLOWED_DUE_DAYS)


def test_worked_example_due_day_22_to_8():
    """Monthly R$ 99,00 renewing on the 22nd; on 10 Mar the account picks the 8th. The current
    period keeps its end (22 Mar); the next one runs 22 Mar -> 8 Apr, 17 of its normal 31 days."""
    current = Period(date(2025, 2, 22), date(2025, 3, 22))
    change = change_due_day(current, Periodicity.MONTHLY, 8, 9900)
    assert change.period == Period(date(2025, 3, 22), date(2025, 4, 8))
    assert change.proration_cents == -4471  # 9900 × -14 / 31 = -4470.97
    assert change.amount_cents == 5429  # 9900 × 17 / 31 = 5429.03: the same, rounded once
    after = next_period(change.period, Periodicity.MONTHLY, anchor_day=8)
    assert after == Period(date(2025, 4, 8), date(2025, 5, 8))


def test_due_day_8_to_22_lengthens_the_following_period():
    current = Period(date(2025, 2, 8), date(2025, 3, 8))
    change = change_due_day(current, Periodicity.MONTHLY, 22, 9900)
    assert change.period == Period(date(2025, 3, 8), date(2025, 4, 22))
    assert change.proration_cents == 4471  # 9900 × 14 / 31


def test_unchanged_due_day_costs_nothing():
    current = Period(date(2025, 1, 15), date(2025, 4, 15))
    change = change_due_day(current, Periodicity.QUARTERLY, 15, 29700)
    assert change.period == Period(date(2025, 4, 15), date(2025, 7, 15))
    assert change.proration_cents == 0


def test_tie_goes_to_the_earlier_date():
    # Normal end 22 Feb 2025: 8 Feb and 8 Mar are both 14 days away.
    landed = land_on_due_day(date(2025, 1, 22), Periodicity.MONTHLY, 8, 3100)
    assert landed.period.end == date(2025, 2, 8)


def test_new_purchase_is_aligned_to_the_nearest_due_day():
    landed = land_on_due_day(date(2025, 3, 30), Periodicity.MONTHLY, 8, 3100)
    assert landed.period == Period(date(2025, 3, 30), date(2025, 5, 8))
    assert landed.proration_cents == 800  # 8 extra days of a 31-day month at R$ 31,00


@pytest.mark.parametrize("bad", [0, 1, 10, 28, 31])
def test_only_8_15_and_22_are_due_days(bad):
    with pytest.raises(DomainError):
        validate_due_day(bad)


def test_next_due_date():
    assert next_due_date(date(2025, 3, 7), 8) == date(2025, 3, 8)
    assert next_due_date(date(2025, 3, 8), 8) == date(2025, 4, 8)
    assert next_due_date(date(2025, 12, 23), 22) == date(2026, 1, 22)


def test_payable_due_date_moves_off_weekends_and_holidays():
    assert payable_due_date(date(2025, 3, 8)) == date(2025, 3, 10)  # Saturday -> Monday
    assert payable_due_date(date(2026, 2, 15)) == date(2026, 2, 18)  # Sunday before Carnival
    assert payable_due_date(date(2025, 3, 12)) == date(2025, 3, 12)


def test_renewal_invoice_is_issued_a_week_before():
    assert invoice_issue_date(date(2025, 3, 8)) == date(2025, 3, 1)


@given(dates, due_days)
def test_adjusted_due_date_is_never_a_non_business_day(day, due_day):
    nominal = next_due_date(day, due_day)
    payable = payable_due_date(nominal)
    assert is_business_day(payable)
    assert nominal <= payable
    assert nominal.day == due_day


@given(dates, periodicities, due_days, prices)
def test_landing_on_a_due_day_prorates_exactly_the_days_moved(start, periodicity, due_day, price):
    normal_days = period_starting(start, periodicity).days
    landed = land_on_due_day(start, periodicity, due_day, price)
    shift = landed.period.days - normal_days
    assert landed.period.start == start
    assert landed.period.end.day == due_day
    assert abs(shift) <= 16  # nearest due day: never more than about half a month away
    # proration is price × shift / normal_days, off by at most half a centavo
    assert abs(2 * (landed.proration_cents * normal_days - price * shift)) <= normal_days
