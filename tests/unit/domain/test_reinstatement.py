"""Manual renewal after a cancellation for non-payment: who can come back, until when, and the new
period a paid debt buys."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.reinstatement import (
    NON_PAYMENT, Blocked, cancelled_for_non_payment, reinstated_period, reinstatement_blocked,
)
from tests.examples import examples

TODAY = date(2027, 4, 20)


def test_only_a_cancellation_for_non_payment_is_reinstated_by_paying():
    assert cancelled_for_non_payment("cancelled", NON_PAYMENT)
    assert not cancelled_for_non_payment("cancelled", None)  # the customer asked: paying does not undo it
    assert not cancelled_for_non_payment("suspended", NON_PAYMENT)


def test_inside_the_retention_window_paying_reinstates():
    assert reinstatement_blocked(account_open=True, purge_on=date(2027, 7, 6), offered=True, today=TODAY) is None
    assert reinstatement_blocked(account_open=True, purge_on=None, offered=True, today=TODAY) is None


def test_from_the_purge_day_on_or_once_the_account_or_the_product_is_gone_it_cannot():
    assert reinstatement_blocked(account_open=True, purge_on=TODAY, offered=True, today=TODAY) is Blocked.RETENTION_OVER
    assert reinstatement_blocked(account_open=False, purge_on=None, offered=True, today=TODAY) is Blocked.ACCOUNT_GONE
    assert reinstatement_blocked(account_open=True, purge_on=None, offered=False, today=TODAY) is Blocked.NOT_OFFERED


def test_the_new_period_starts_on_the_settlement_date_the_days_in_between_not_billed():
    paid = [Period(date(2027, 2, 5), date(2027, 3, 5))]
    assert reinstated_period(paid, Periodicity.MONTHLY, TODAY) == Period(TODAY, date(2027, 5, 20))


def test_a_carried_invoice_of_two_months_buys_two_months():
    paid = [Period(date(2027, 2, 5), date(2027, 3, 5)), Period(date(2027, 3, 5), date(2027, 4, 5)),
            Period(date(2027, 3, 5), date(2027, 4, 5))]  # a proration line on the same period counts once
    assert reinstated_period(paid, Periodicity.MONTHLY, TODAY).end == date(2027, 6, 20)


def test_an_invoice_without_a_period_buys_nothing():
    with pytest.raises(DomainError):
        reinstated_period([], Periodicity.MONTHLY, TODAY)


@settings(max_examples=examples(100))
@given(st.sampled_from(list(Periodicity)), st.dates(date(2026, 1, 1), date(2030, 12, 31)),
       st.integers(min_value=1, max_value=3))
def test_the_new_period_is_whole_periods_from_the_settlement_date(periodicity, settled_on, count):
    paid = [Period(date(2025, 1, 1) + timedelta(days=40 * n), date(2025, 1, 1) + timedelta(days=40 * n + 30))
            for n in range(count)]
    period = reinstated_period(paid, periodicity, settled_on)
    assert period.start == settled_on
    expected_end = settled_on
    for _ in range(count):
        expected_end = period_starting(expected_end, periodicity, settled_on.day).end
    assert period.end == expected_end
