from datetime import date, timedelta

from hypothesis import given, strategies as st

from chalicelib.domain.enums import ALLOWED_DUE_DAYS
from chalicelib.domain.invoice_calendar import (
    coverage_end, due_date_for_renewal, due_date_of_run, issue_date_for_renewal, renewal_issue_date,
)

from .strategies import dates

due_days = st.sampled_from(ALLOWED_DUE_DAYS)


def test_promob_renewals_on_the_due_day_are_invoiced_on_the_8th():
    assert due_date_for_renewal(date(2026, 5, 15), 15) == date(2026, 5, 15)
    assert issue_date_for_renewal(date(2026, 5, 15), 15, after=date(2026, 4, 20)) == date(2026, 5, 8)
    assert due_date_of_run(date(2026, 5, 8)) == date(2026, 5, 15)
    assert coverage_end(date(2026, 5, 15), 15) == date(2026, 6, 15)


def test_a_renewal_between_due_dates_joins_the_invoice_due_before_it():
    # Due day 15, a plan change left the renewal on the 10th of June: the 15 May invoice covers it.
    assert due_date_for_renewal(date(2026, 6, 10), 15) == date(2026, 5, 15)
    assert issue_date_for_renewal(date(2026, 6, 10), 15, after=date(2026, 5, 1)) == date(2026, 5, 8)


def test_a_passed_issue_date_moves_to_the_next_due_date():
    # Changed on 10 May: the 15 May invoice was issued on the 8th; the 15 June one bills it.
    assert issue_date_for_renewal(date(2026, 6, 10), 15, after=date(2026, 5, 10)) == date(2026, 6, 8)
    # The run of the issue day itself may be over: never schedule for `after`.
    assert issue_date_for_renewal(date(2026, 5, 15), 15, after=date(2026, 5, 8)) == date(2026, 6, 8)


def test_without_a_due_day_each_renewal_is_its_own_due_date():
    assert due_date_for_renewal(date(2026, 5, 3), None) == date(2026, 5, 3)
    assert coverage_end(date(2026, 5, 3), None) == date(2026, 5, 4)
    assert issue_date_for_renewal(date(2026, 5, 3), None, after=date(2026, 4, 1)) == date(2026, 4, 26)
    assert issue_date_for_renewal(date(2026, 5, 3), None, after=date(2026, 4, 30)) == date(2026, 5, 1)


@given(start=dates, due_day=st.one_of(st.none(), due_days), after=dates)
def test_the_run_that_bills_a_renewal_covers_it_and_comes_after(start, due_day, after):
    issue = issue_date_for_renewal(start, due_day, after)
    due = due_date_of_run(issue)
    assert issue > after
    assert issue == due - timedelta(days=7)
    assert start < coverage_end(due, due_day)  # the run's invoice includes the renewal (late if need be)
    if due_day:
        assert due.day == due_day


def test_boleto_to_card_deadline_is_the_issue_date_on_the_due_day_grid_not_seven_days_before_the_renewal():
    # Due day 15, a renewal on 10 June is billed by the invoice due 15 May, issued 8 May: the boleto
    # exists from then on, though 10 June - 7 days is 3 June.
    assert renewal_issue_date(date(2026, 6, 10), 15) == date(2026, 5, 8)
    assert renewal_issue_date(date(2026, 5, 15), 15) == date(2026, 5, 8)
    assert renewal_issue_date(date(2027, 1, 10), None) == date(2027, 1, 3)


@given(dates, st.one_of(st.none(), due_days))
def test_boleto_to_card_deadline_property_is_the_day_the_job_bills_the_renewal(renewal, due_day):
    issue_day = renewal_issue_date(renewal, due_day)
    assert issue_day <= renewal - timedelta(days=7)
    # The run the schedule puts the renewal on, when scheduled before that day.
    assert issue_date_for_renewal(renewal, due_day, after=issue_day - timedelta(days=1)) == issue_day
    assert due_date_of_run(issue_day) == due_date_for_renewal(renewal, due_day)
