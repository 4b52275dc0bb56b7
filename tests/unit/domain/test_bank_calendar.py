from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.bank_calendar import (add_business_days, bank_holidays,
                                             compensation_deadline, is_business_day,
                                             next_business_day, previous_business_day)

from .strategies import dates

CARNIVAL = {2025: (date(2025, 3, 3), date(2025, 3, 4)),
            2026: (date(2026, 2, 16), date(2026, 2, 17)),
            2027: (date(2027, 2, 8), date(2027, 2, 9))}
CORPUS_CHRISTI = {2025: date(2025, 6, 19), 2026: date(2026, 6, 4), 2027: date(2027, 5, 27)}
YEARS = (2025, 2026, 2027)


@pytest.mark.parametrize("year", YEARS)
def test_carnival_monday_and_tuesday_are_bank_closings(year):
    monday, tuesday = CARNIVAL[year]
    assert monday.weekday() == 0 and tuesday.weekday() == 1
    assert not is_business_day(monday)
    assert not is_business_day(tuesday)
    assert is_business_day(tuesday + timedelta(days=1))  # Ash Wednesday: banks open at noon


@pytest.mark.parametrize("year", YEARS)
def test_corpus_christi_is_a_bank_closing(year):
    assert CORPUS_CHRISTI[year].weekday() == 3
    assert not is_business_day(CORPUS_CHRISTI[year])


@pytest.mark.parametrize("year", YEARS)
def test_black_awareness_day_is_national_since_2024(year):
    assert date(year, 11, 20) in bank_holidays(year)
    if date(year, 11, 20).weekday() < 5:
        assert not is_business_day(date(year, 11, 20))


def test_black_awareness_day_was_a_business_day_before_2024():
    assert is_business_day(date(2023, 11, 20))  # a Monday, before Law 14.759/2023


@pytest.mark.parametrize("year", YEARS)
def test_31_december_banks_do_not_open(year):
    assert date(year, 12, 31).weekday() < 5
    assert not is_business_day(date(year, 12, 31))
    assert is_business_day(date(year, 12, 30)) or date(year, 12, 30).weekday() >= 5


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("month, day", [(1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2),
                                        (11, 15), (12, 25)])
def test_fixed_national_holidays(year, month, day):
    assert date(year, month, day) in bank_holidays(year)


@pytest.mark.parametrize("good_friday", [date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26)])
def test_good_friday(good_friday):
    assert not is_business_day(good_friday)


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)))
def test_weekends_are_never_business_days(day):
    if day.weekday() >= 5:
        assert not is_business_day(day)


def test_an_ordinary_weekday_is_a_business_day():
    assert is_business_day(date(2025, 3, 12))


def test_next_business_day_is_the_day_itself_when_open():
    assert next_business_day(date(2025, 3, 12)) == date(2025, 3, 12)


def test_next_business_day_skips_weekend_and_carnival():
    assert next_business_day(date(2026, 2, 14)) == date(2026, 2, 18)  # Sat -> Ash Wednesday
    assert previous_business_day(date(2026, 2, 17)) == date(2026, 2, 13)


def test_next_business_day_skips_year_end():
    # Thu 31 Dec 2026 (closed), Fri 1 Jan (holiday), weekend -> Mon 4 Jan 2027
    assert next_business_day(date(2026, 12, 31)) == date(2027, 1, 4)


def test_add_business_days():
    assert add_business_days(date(2026, 2, 13), 1) == date(2026, 2, 18)
    assert add_business_days(date(2026, 2, 13), 3) == date(2026, 2, 20)
    assert add_business_days(date(2026, 2, 18), -1) == date(2026, 2, 13)
    assert add_business_days(date(2026, 2, 14), 0) == date(2026, 2, 14)


def test_compensation_deadline_is_the_next_business_day():
    assert compensation_deadline(date(2025, 3, 12)) == date(2025, 3, 13)  # Wed -> Thu
    assert compensation_deadline(date(2025, 3, 14)) == date(2025, 3, 17)  # Fri -> Mon
    assert compensation_deadline(date(2025, 3, 15)) == date(2025, 3, 17)  # Sat -> Mon
    assert compensation_deadline(date(2026, 12, 30)) == date(2027, 1, 4)


@given(dates, st.integers(-30, 30))
def test_add_business_days_lands_on_a_business_day_that_far_away(day, count):
    moved = add_business_days(day, count)
    between = [moved + timedelta(days=i) for i in range(1, (day - moved).days)] if count < 0 else \
        [day + timedelta(days=i) for i in range(1, (moved - day).days)]
    business_days_skipped = sum(is_business_day(d) for d in between)
    if count:
        assert is_business_day(moved)
        assert (moved > day) == (count > 0)
        # strictly between the two ends lie exactly |count| - 1 business days
        assert business_days_skipped == abs(count) - 1
    else:
        assert moved == day


@given(dates)
def test_next_business_day_is_the_first_open_day(day):
    found = next_business_day(day)
    assert is_business_day(found)
    assert all(not is_business_day(day + timedelta(days=i)) for i in range((found - day).days))
