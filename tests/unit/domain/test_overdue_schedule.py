"""The days on which an overdue status can change, so the job reviews an invoice only then."""
from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain.overdue import OverduePolicy, next_status_change, overdue_status, status_change_days

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
