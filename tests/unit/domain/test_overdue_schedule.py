"""The days on which an overdue status can change, so the job reviews an invoice only then."""
from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain.bank_calendar import is_business_day, next_business_day
from chalicelib.domain.enums import SubscriptionStatus
from chalicelib.domain.overdue import (
    OverduePolicy, UnpaidItem, next_status_change, overdue_status, past_due_from, status_change_days,
)

from .strategies import dates

FRIDAY_BEFORE_CARNIVAL_2027 = date(2027, 2, 5)  # Carnival: Mon 8 and Tue 9 Feb 2027


def test_change_days_around_carnival():
    past_due, suspended, cancelled = status_change_days(FRIDAY_BEFORE_CARNIVAL_2027)
    assert past_due == date(2027, 2, 6)
    assert suspended == date(2027, 2, 13)  # grace: Wed 10, Thu 11, Fri 12
    assert cancelled == date(2027, 4, 7)  # day 61


def test_next_change_walks_the_timeline_then_stops():
    due = FRIDAY_BEFORE_CARNIVAL_2027
    assert next_status_change(due, date(2027, 2, 5)) == date(2027, 2, 6)
    assert next_status_change(due, date(2027, 2, 6)) == date(2027, 2, 13)
    assert next_status_change(due, date(2027, 3, 1)) == date(2027, 4, 7)
    assert next_status_change(due, date(2027, 4, 7)) is None


@given(due=dates, offset=st.integers(0, 120), grace=st.integers(0, 10), cancel=st.integers(1, 90))
def test_the_status_never_changes_between_change_days(due, offset, grace, cancel):
    policy = OverduePolicy(grace, cancel)
    today = due + timedelta(days=offset)
    following = next_status_change(due, today, policy)
    last_same = (following - timedelta(days=1)) if following else today + timedelta(days=200)
    assert overdue_status([due], today, policy) == overdue_status([due], last_same, policy)


@given(due=dates, offset=st.integers(0, 120), grace=st.integers(0, 10), cancel=st.integers(1, 90))
def test_a_boleto_status_never_changes_between_change_days(due, offset, grace, cancel):
    policy = OverduePolicy(grace, cancel)
    today = due + timedelta(days=offset)
    following = next_status_change(due, today, policy, by_boleto=True)
    last_same = (following - timedelta(days=1)) if following else today + timedelta(days=200)
    boleto = [UnpaidItem(due, by_boleto=True)]
    assert overdue_status(boleto, today, policy) == overdue_status(boleto, last_same, policy)


# --- the overdue e-mail of a boleto waits for its compensation (Promob: "até 24 horas úteis") ------

def test_overdue_email_before_compensation_a_friday_boleto_is_late_on_tuesday_a_card_on_saturday():
    friday = date(2027, 3, 5)
    assert past_due_from(friday, by_boleto=True) == date(2027, 3, 9)  # compensated by Monday's end
    assert past_due_from(friday) == date(2027, 3, 6)  # card: as before
    assert overdue_status([UnpaidItem(friday, True)], date(2027, 3, 8)) is SubscriptionStatus.ACTIVE
    assert overdue_status([UnpaidItem(friday, True)], date(2027, 3, 9)) is SubscriptionStatus.PAST_DUE
    # Before Carnival: Monday 8 and Tuesday 9 February 2027 are no business days.
    assert past_due_from(FRIDAY_BEFORE_CARNIVAL_2027, by_boleto=True) == date(2027, 2, 11)
    # Due on a Saturday: payable on Monday without fees, compensated by Tuesday's end.
    assert past_due_from(date(2026, 8, 15), by_boleto=True) == date(2026, 8, 19)


@given(due=dates, offset=st.integers(0, 30))
def test_overdue_email_before_compensation_property_never_before_a_boleto_paid_on_time_is_settled(due, offset):
    """A boleto paid on the last fee-free day settles within the next business day: for any due date
    (weekends, holidays, month and year ends, 29 February) nothing is late until that day is over,
    and it is late the day after. A card is late the day after its fee-free day, as before."""
    paid_on = next_business_day(due)
    settled_by = next_business_day(paid_on + timedelta(days=1))
    today = due + timedelta(days=offset)
    boleto = overdue_status([UnpaidItem(due, by_boleto=True)], today)
    assert (boleto is SubscriptionStatus.ACTIVE) is (today <= settled_by)
    assert past_due_from(due, by_boleto=True) == settled_by + timedelta(days=1)
    assert is_business_day(settled_by) and settled_by > paid_on
    assert (overdue_status([due], today) is SubscriptionStatus.ACTIVE) is (today <= paid_on)
