"""A scheduled job's catch-up window (domain/catch_up.py): the days a run covers and where the
checkpoint stands after it. Two kinds of job share it:
- today closed (purge-accounts, issue-invoices): today's list is complete when the job runs;
- today open (check-overdue, charge-cards, register-boletos; run-backups builds its window itself):
  today's list may still grow, so every run reads today and the checkpoint stops the day before."""
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.catch_up import CatchUpWindow

from .strategies import dates

TODAY = date(2026, 3, 10)
LOOKBACK = 7  # what every job with a look-back uses


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def days(first: int, last: int) -> list[date]:
    return [day(offset) for offset in range(first, last + 1)]


def closed(checkpoint: date | None) -> CatchUpWindow:
    return CatchUpWindow.since(checkpoint, TODAY, LOOKBACK)


def open_(checkpoint: date | None) -> CatchUpWindow:
    return CatchUpWindow.since(checkpoint, TODAY, LOOKBACK, today_stays_open=True)


# --- first run: no checkpoint -----------------------------------------------------------------
def test_a_first_run_looks_back_and_closes_today():
    window = closed(None)
    assert window.days == days(-7, 0)
    assert window.checkpoint_after() == TODAY


def test_a_first_run_of_a_job_keeping_today_open_stops_the_checkpoint_the_day_before():
    window = open_(None)
    assert window.days == days(-7, 0)
    assert window.checkpoint_after() == day(-1)


def test_the_look_back_is_the_callers():
    assert CatchUpWindow.since(None, TODAY, 1).days == days(-1, 0)
    assert CatchUpWindow.since(None, TODAY, 0).days == [TODAY]


# --- catching up -------------------------------------------------------------------------------
@pytest.mark.parametrize("make, through", [(closed, TODAY), (open_, day(-1))])
def test_missed_days_are_each_run_from_the_day_after_the_checkpoint(make, through):
    window = make(day(-4))
    assert window.days == days(-3, 0)
    assert window.checkpoint_after() == through


def test_a_checkpoint_older_than_the_look_back_is_caught_up_from_where_it_stands():
    assert closed(day(-30)).days == days(-29, 0)


def test_the_usual_daily_run_covers_one_day():
    assert closed(day(-1)).days == [TODAY]
    assert closed(day(-1)).checkpoint_after() == TODAY
    assert open_(day(-2)).days == days(-1, 0)
    assert open_(day(-2)).checkpoint_after() == day(-1)


# --- failures hold the checkpoint -------------------------------------------------------------
@pytest.mark.parametrize("make", [closed, open_])
def test_a_failed_day_in_the_middle_holds_the_checkpoint_the_day_before_it(make):
    window = make(day(-5))
    for each in window.days:  # every day still runs; only the checkpoint is held
        if each in (day(-2), day(-1)):
            window.failed(each)
    assert window.first_failed == day(-2)
    assert window.checkpoint_after() == day(-3)


def test_the_earliest_failed_day_holds_whatever_the_order_they_are_told():
    window = closed(day(-5))
    window.failed(day(-1))
    window.failed(day(-3))
    window.failed(day(-2))
    assert window.checkpoint_after() == day(-4)


@pytest.mark.parametrize("make", [closed, open_])
def test_a_failure_on_the_first_day_leaves_the_checkpoint_where_it_stood(make):
    window = make(day(-3))
    window.failed(day(-2))
    assert window.checkpoint_after() is None  # nothing to write: the next run starts there again


@pytest.mark.parametrize("make", [closed, open_])
def test_a_failure_today_keeps_today_for_the_next_run(make):
    window = make(day(-3))
    window.failed(TODAY)
    assert window.checkpoint_after() == day(-1)


def test_a_first_run_failing_on_the_first_day_of_the_look_back_writes_no_checkpoint():
    """Pinned as it is: with no checkpoint written, a run on a later day looks back from its own
    today, so that first day is no longer covered (only a first run can lose a day this way)."""
    window = closed(None)
    window.failed(day(-7))
    assert window.checkpoint_after() is None
    window = closed(None)
    window.failed(day(-6))
    assert window.checkpoint_after() == day(-7)


# --- already up to date ------------------------------------------------------------------------
def test_a_job_closing_today_runs_nothing_once_today_is_done():
    window = closed(TODAY)
    assert window.days == []
    assert window.checkpoint_after() is None


def test_a_job_keeping_today_open_runs_today_again_and_writes_nothing():
    window = open_(day(-1))
    assert window.days == [TODAY]
    assert window.checkpoint_after() is None


def test_a_run_for_a_date_before_the_checkpoint():
    """POST /v1/_dev/jobs/{job} with an earlier date: nothing for a job closing today; today alone
    for one keeping it open; the checkpoint never moves back."""
    assert closed(day(3)).days == []
    assert closed(day(3)).checkpoint_after() is None
    assert open_(day(3)).days == [TODAY]
    assert open_(day(3)).checkpoint_after() is None


# --- a window given its first day (run-backups: its checkpoint is the first day still to read) ----
def test_a_window_from_a_given_first_day():
    window = CatchUpWindow(day(-1), TODAY, today_stays_open=True)
    assert window.days == days(-1, 0)
    assert window.first_failed is None and window.done_through == day(-1)
    window.failed(TODAY)
    assert window.first_failed == TODAY


# --- properties --------------------------------------------------------------------------------
@given(today=dates, since=st.one_of(st.none(), st.integers(-40, 3)), lookback=st.integers(0, 10),
       today_stays_open=st.booleans(), failed=st.lists(st.integers(0, 45), max_size=4))
def test_the_window_runs_consecutive_days_up_to_today_and_the_checkpoint_only_moves_forward(
        today, since, lookback, today_stays_open, failed):
    checkpoint = None if since is None else today + timedelta(days=since)
    window = CatchUpWindow.since(checkpoint, today, lookback, today_stays_open)
    run = window.days
    assert run == [run[0] + timedelta(days=i) for i in range(len(run))]
    assert not run or run[-1] == today
    if today_stays_open:
        assert today in run  # today is always read again
    if checkpoint is not None and not today_stays_open:
        assert all(each > checkpoint for each in run)
    for index in failed:
        if index < len(run):
            window.failed(run[index])
    after = window.checkpoint_after()
    if after is not None:
        assert checkpoint is None or after > checkpoint
        assert after < (window.first_failed or today + timedelta(days=1))
        assert after <= (today - timedelta(days=1) if today_stays_open else today)
