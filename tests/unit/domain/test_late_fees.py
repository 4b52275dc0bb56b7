from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.late_fees import days_late, late_fee
from chalicelib.domain.money import format_brl

from .strategies import dates


def test_worked_example_100_reais_ten_days_late():
    """R$ 100,00 due Mon 10 Mar 2025, paid 20 Mar: fine 2% = R$ 2,00; interest 1% a.m. for 10
    days = 10000 × 0.01 × 10/30 = 33.33 -> R$ 0,33. Total R$ 102,33."""
    fee = late_fee(10000, date(2025, 3, 10), date(2025, 3, 20))
    assert (fee.days_late, fee.fine_cents, fee.interest_cents) == (10, 200, 33)
    assert format_brl(10000 + fee.total_cents) == "R$ 102,33"


@pytest.mark.parametrize("paid_on", [date(2025, 3, 1), date(2025, 3, 10)])
def test_nothing_when_paid_by_the_due_date(paid_on):
    assert late_fee(10000, date(2025, 3, 10), paid_on).total_cents == 0


def test_due_date_on_a_saturday_can_be_paid_on_monday():
    assert late_fee(10000, date(2025, 3, 8), date(2025, 3, 10)).total_cents == 0


def test_due_date_before_carnival_can_be_paid_on_ash_wednesday():
    assert late_fee(10000, date(2026, 2, 15), date(2026, 2, 18)).total_cents == 0


def test_past_the_grace_lateness_counts_from_the_due_date():
    fee = late_fee(10000, date(2025, 3, 8), date(2025, 3, 11))  # Saturday due, Tuesday paid
    assert fee.days_late == 3
    assert (fee.fine_cents, fee.interest_cents) == (200, 10)


def test_rates_are_parameters():
    fee = late_fee(50000, date(2025, 3, 10), date(2025, 4, 9), fine_bps=0, monthly_interest_bps=200)
    assert (fee.days_late, fee.fine_cents, fee.interest_cents) == (30, 0, 1000)


def test_negative_values_are_refused():
    with pytest.raises(DomainError):
        late_fee(-1, date(2025, 3, 10), date(2025, 3, 20))


def test_days_late():
    assert days_late(date(2025, 3, 10), date(2025, 3, 9)) == 0
    assert days_late(date(2025, 3, 10), date(2025, 3, 11)) == 1


@given(st.integers(0, 10_000_000), dates, st.integers(-10, 400), st.integers(0, 400),
       st.integers(0, 1000), st.integers(0, 1000))
def test_late_fees_are_monotonic_in_days_late(amount, due, offset, extra, fine_bps, interest_bps):
    sooner = due + timedelta(days=offset)
    later = sooner + timedelta(days=extra)
    fee_sooner = late_fee(amount, due, sooner, fine_bps, interest_bps)
    fee_later = late_fee(amount, due, later, fine_bps, interest_bps)
    assert fee_sooner.interest_cents <= fee_later.interest_cents
    assert fee_sooner.fine_cents <= fee_later.fine_cents
    assert fee_sooner.total_cents <= fee_later.total_cents


@given(st.integers(0, 10_000_000), dates, st.integers(1, 400))
def test_interest_is_the_exact_pro_rata_amount_rounded_once(amount, due, offset):
    fee = late_fee(amount, due, due + timedelta(days=offset))
    exact_times_300000 = amount * 100 * fee.days_late  # amount × 1% × days / 30, scaled
    assert abs(2 * (fee.interest_cents * 300_000 - exact_times_300000)) <= 300_000
    assert fee.fine_cents == (0 if fee.days_late == 0 else (amount * 200 * 2 + 10_000) // 20_000)
