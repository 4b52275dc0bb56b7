from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings, strategies as st

from tests.examples import examples

from chalicelib.domain.enums import Periodicity, RenewalMode
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.proration import (change_plan, prorate_addition, renewal_quantity,
                                         unused_credit)

from .strategies import dates, periodicities, prices


def test_worked_example_monthly_to_annual_discounts_the_unused_month():
    """Paid R$ 100,00 for March; on 11 Mar switches to the R$ 1.000,00 annual plan.
    Unused: 21 of 31 days -> credit 10000 × 21/31 = 6774.19 -> R$ 67,74, taken off the annual."""
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    change = change_plan(10000, march, date(2025, 3, 11), 100000, Periodicity.ANNUAL)
    assert change.credit_cents == 6774
    assert change.charge_now_cents == 100000 - 6774
    assert change.account_credit_cents == 0
    assert change.new_period == Period(date(2025, 3, 11), date(2026, 3, 11))


def test_worked_example_annual_to_monthly_moves_the_renewal_and_keeps_the_centavos():
    """Paid R$ 1.200,00 for 2025; on 1 Mar switches to the R$ 150,00 monthly plan.
    Unused: 306 of 365 days -> credit 120000 × 306/365 = 100602.74 -> 100603.
    New month 1 Mar -> 1 Apr has 31 days: R$ 150,00 / 31 a day; 100603 × 31 / 15000 = 207.9 ->
    207 whole days, renewal on 24 Sep. Those days are worth 15000 × 207/31 = 100161.29 -> 100161;
    the other 442 centavos become account credit."""
    year = Period(date(2025, 1, 1), date(2026, 1, 1))
    change = change_plan(120000, year, date(2025, 3, 1), 15000, Periodicity.MONTHLY)
    assert change.credit_cents == 100603
    assert change.charge_now_cents == 0
    assert change.days_granted == 207
    assert change.new_period == Period(date(2025, 3, 1), date(2025, 9, 24))
    assert change.granted_value_cents == 100161
    assert change.account_credit_cents == 442


def test_credit_comes_from_what_was_paid_not_the_list_price():
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    discounted = change_plan(5000, march, date(2025, 3, 1), 100000, Periodicity.ANNUAL)
    assert discounted.credit_cents == 5000
    assert discounted.charge_now_cents == 95000


def test_credit_exactly_one_new_period_needs_no_charge_and_leaves_nothing():
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    change = change_plan(9000, march, date(2025, 3, 1), 9000, Periodicity.MONTHLY)
    assert (change.charge_now_cents, change.account_credit_cents) == (0, 0)
    assert change.new_period == Period(date(2025, 3, 1), date(2025, 4, 1))


def test_change_outside_the_current_period_is_refused():
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    with pytest.raises(DomainError):
        change_plan(10000, march, date(2025, 4, 1), 100000, Periodicity.ANNUAL)


def test_free_new_plan_is_refused():
    march = Period(date(2025, 3, 1), date(2025, 4, 1))
    with pytest.raises(DomainError):
        change_plan(10000, march, date(2025, 3, 5), 0, Periodicity.MONTHLY)


def test_credit_worth_millennia_of_the_new_plan_is_refused():
    year = Period(date(2025, 1, 1), date(2026, 1, 1))
    with pytest.raises(DomainError):
        change_plan(5_000_000, year, date(2025, 1, 1), 1, Periodicity.ANNUAL)


def test_negative_paid_amount_is_refused():
    with pytest.raises(DomainError):
        unused_credit(-1, Period(date(2025, 3, 1), date(2025, 4, 1)), date(2025, 3, 5))


def test_worked_example_three_seats_added_mid_period():
    """3 seats at R$ 49,90 on a month 15 Mar -> 15 Apr (31 days), added on 30 Mar: 16 days left.
    3 × 4990 × 16 / 31 = 7726.45 -> R$ 77,26."""
    month = Period(date(2025, 3, 15), date(2025, 4, 15))
    assert prorate_addition(3, 4990, month, date(2025, 3, 30)) == 7726


def test_storage_added_on_the_first_day_costs_the_full_period():
    quarter = Period(date(2025, 1, 8), date(2025, 4, 8))
    assert prorate_addition(10, 150, quarter, date(2025, 1, 8)) == 1500


@pytest.mark.parametrize("delta, price", [(0, 4990), (-1, 4990), (1, -1)])
def test_addition_needs_a_positive_quantity_and_a_price(delta, price):
    with pytest.raises(DomainError):
        prorate_addition(delta, price, Period(date(2025, 3, 1), date(2025, 4, 1)), date(2025, 3, 2))


@pytest.mark.parametrize("mode, purchased, active, expected", [
    (RenewalMode.ALL, 10, 3, 10),
    (RenewalMode.ACTIVE_ONLY, 10, 3, 3),
    (RenewalMode.ACTIVE_ONLY, 10, 0, 1),
    (RenewalMode.ACTIVE_ONLY, 10, 12, 10),
    ("active_only", 5, 2, 2),
])
def test_renewal_quantity(mode, purchased, active, expected):
    assert renewal_quantity(mode, purchased, active) == expected


def test_renewal_quantity_refuses_nonsense():
    with pytest.raises(DomainError):
        renewal_quantity(RenewalMode.ALL, 0, 1)


# --- properties ------------------------------------------------------------------------------

@st.composite
def plan_changes(draw):
    old = period_starting(draw(dates), draw(periodicities))
    change_date = old.start + timedelta(days=draw(st.integers(0, old.days - 1)))
    paid, new_price = draw(prices), draw(prices)
    assume(paid <= new_price * 1000)  # a credit worth over 1000 new periods is another test
    return paid, old, change_date, new_price, draw(periodicities)


@settings(max_examples=examples(500))
@given(plan_changes())
def test_plan_change_never_creates_or_loses_a_centavo(args):
    """The invariant, exactly: what the customer brings (credit from the old plan + charge now)
    equals what the customer gets (the days granted at the new plan's daily rate, rounded once,
    + account credit). Nothing else appears or disappears."""
    paid, old, change_date, new_price, new_periodicity = args
    change = change_plan(paid, old, change_date, new_price, new_periodicity)
    assert change.credit_cents + change.charge_now_cents == (
        change.granted_value_cents + change.account_credit_cents)
    assert 0 <= change.credit_cents <= paid
    assert change.charge_now_cents >= 0 and change.account_credit_cents >= 0


@given(plan_changes())
def test_plan_change_grants_a_whole_new_period_at_least(args):
    paid, old, change_date, new_price, new_periodicity = args
    change = change_plan(paid, old, change_date, new_price, new_periodicity)
    normal = period_starting(change_date, new_periodicity)
    assert change.new_period_start == change_date
    assert (change.new_period_end - change_date).days == change.days_granted >= normal.days
    if change.charge_now_cents:
        assert change.new_period == normal and change.account_credit_cents == 0
    # leftover credit is less than one more day of the new plan (+1 centavo of rounding)
    assert change.account_credit_cents * normal.days < new_price + normal.days


@given(plan_changes())
def test_credit_is_the_paid_amount_for_the_unused_days(args):
    paid, old, change_date, _, _ = args
    credit = unused_credit(paid, old, change_date)
    unused = (old.end - change_date).days
    assert abs(2 * (credit * old.days - paid * unused)) <= old.days


@given(dates, periodicities, st.integers(1, 500), st.integers(0, 100_000), st.data())
def test_addition_shrinks_as_the_period_runs_out(start, periodicity, delta, unit, data):
    period = period_starting(start, periodicity)
    earlier = start + timedelta(days=data.draw(st.integers(0, period.days - 1)))
    later = earlier + timedelta(days=data.draw(st.integers(0, (period.end - earlier).days - 1)))
    assert prorate_addition(delta, unit, period, start) == delta * unit
    charge_later = prorate_addition(delta, unit, period, later)
    assert charge_later <= prorate_addition(delta, unit, period, earlier)


@given(st.sampled_from(list(RenewalMode)), st.integers(1, 1000), st.integers(0, 1000))
def test_renewal_quantity_is_between_one_and_purchased(mode, purchased, active):
    assert 1 <= renewal_quantity(mode, purchased, active) <= purchased
