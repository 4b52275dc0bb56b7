"""A period paid in parts (the period, then licenses or storage added mid-period), and additions to
periods that are not one normal period long."""
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.proration import (
    change_plan, change_plan_with_credit, prorate_addition, unused_credit, unused_credit_of_payments,
)

from .strategies import dates, periodicities, prices

MARCH = Period(date(2025, 3, 1), date(2025, 4, 1))


def test_each_part_is_credited_over_its_own_coverage_and_the_sum_is_rounded_once():
    """R$ 99,00 for March, then R$ 70,00 for seats added on the 10th (covering 22 days).
    On the 21st, 11 days are unused: 9900 × 11/31 + 7000 × 11/22 = 3512.90 + 3500 = 7012.90 -> 7013.
    Crediting the R$ 169,00 over the whole month would give 5996.77: R$ 10,16 lost."""
    parts = [(9900, MARCH), (7000, Period(date(2025, 3, 10), MARCH.end))]
    assert unused_credit_of_payments(parts, date(2025, 3, 21)) == 7013
    assert unused_credit(16900, MARCH, date(2025, 3, 21)) == 5997


def test_nothing_paid_gives_no_credit():
    assert unused_credit_of_payments([], date(2025, 3, 21)) == 0


@given(paid=prices, start=dates, periodicity=periodicities, offset=st.integers(0, 400))
def test_one_part_is_the_plain_unused_credit(paid, start, periodicity, offset):
    period = period_starting(start, periodicity)
    on = period.start + timedelta(days=offset % period.days)
    assert unused_credit_of_payments([(paid, period)], on) == unused_credit(paid, period, on)


@given(parts=st.lists(st.tuples(prices, st.integers(0, 27)), min_size=1, max_size=5), used=st.integers(0, 27))
def test_parts_are_summed_exactly_then_rounded_half_up(parts, used):
    covered = [(paid, Period(MARCH.start + timedelta(days=since), MARCH.end)) for paid, since in parts]
    on = MARCH.start + timedelta(days=max(used, *(since for _, since in parts)))
    exact = sum(Fraction(paid * (MARCH.end - on).days, period.days) for paid, period in covered)
    assert unused_credit_of_payments(covered, on) == int(exact + Fraction(1, 2))


@given(periods_of_credit=st.fractions(0, 30), on=dates, price=prices, periodicity=periodicities)
def test_a_known_credit_follows_the_same_rule(periods_of_credit, on, price, periodicity):
    credit = int(periods_of_credit * price)
    change = change_plan_with_credit(credit, on, price, periodicity)
    assert change.credit_cents == credit
    assert change.credit_cents + change.charge_now_cents == change.granted_value_cents + change.account_credit_cents


def test_change_plan_is_the_known_credit_rule_applied_to_one_payment():
    assert change_plan(10000, MARCH, date(2025, 3, 11), 100000, Periodicity.ANNUAL) == \
        change_plan_with_credit(unused_credit(10000, MARCH, date(2025, 3, 11)), date(2025, 3, 11), 100000,
                                Periodicity.ANNUAL)


def test_an_addition_to_a_stretched_period_is_priced_at_the_periodicity_daily_rate():
    """A monthly plan stretched by credit to 156 days: 2 seats at R$ 99,00 a month added with 100
    days left cost 2 × 9900 × 100/31 (31-day month from the period start), not 100/156 of a month."""
    stretched = Period(date(2025, 7, 1), date(2025, 7, 1) + timedelta(days=156))
    on = stretched.end - timedelta(days=100)
    assert prorate_addition(2, 9900, stretched, on, Periodicity.MONTHLY) == 63871
    assert prorate_addition(2, 9900, stretched, on) == 12692  # the plain rule, for comparison


@given(start=dates, periodicity=periodicities, offset=st.integers(0, 400), unit=prices, added=st.integers(1, 50))
def test_on_a_normal_period_the_daily_rate_changes_nothing(start, periodicity, offset, unit, added):
    period = period_starting(start, periodicity)
    on = period.start + timedelta(days=offset % period.days)
    assert prorate_addition(added, unit, period, on, periodicity) == prorate_addition(added, unit, period, on)
