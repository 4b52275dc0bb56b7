"""Trials and coupons as pure rules (domain/promotions.py): the discount is never below zero nor above
what it discounts, repeating coupons count calendar months right across month ends, and a coupon is
refused with the reason that applies."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import chain
from chalicelib.domain.promotions import (
    CouponDuration, CouponRefusal, CouponTerms, DiscountWindow, coupon_refusal, discount_cents, discount_window,
    in_trial, normalize_code, trial_end, trial_reminder_date, trial_unpaid,
)
from tests.unit.domain.strategies import dates, prices

ONCE, REPEATING, FOREVER = CouponDuration.ONCE, CouponDuration.REPEATING, CouponDuration.FOREVER

terms = st.one_of(
    st.builds(lambda p, d, m: CouponTerms(d, percent_off=p, duration_months=m if d is REPEATING else None),
              st.integers(1, 100), st.sampled_from(list(CouponDuration)), st.integers(1, 36)),
    st.builds(lambda a, d, m: CouponTerms(d, amount_off_cents=a, duration_months=m if d is REPEATING else None),
              st.integers(1, 10_000_000), st.sampled_from(list(CouponDuration)), st.integers(1, 36)),
)


# --- the discount ---------------------------------------------------------------------------------
@given(terms, st.integers(-1_000_000, 10_000_000))
def test_the_discount_is_never_below_zero_nor_above_what_it_discounts(coupon, base):
    off = discount_cents(coupon, base)
    assert 0 <= off <= max(base, 0)
    assert base - off >= 0 or base < 0


def test_percent_off_is_rounded_half_up_once():
    twenty = CouponTerms(ONCE, percent_off=20)
    assert discount_cents(twenty, 19900) == 3980
    assert discount_cents(CouponTerms(ONCE, percent_off=15), 4950) == 743  # 742.5 -> 743
    assert discount_cents(CouponTerms(ONCE, percent_off=100), 4950) == 4950


def test_amount_off_larger_than_the_period_discounts_the_period_and_no_more():
    assert discount_cents(CouponTerms(FOREVER, amount_off_cents=50000), 19900) == 19900
    assert discount_cents(CouponTerms(FOREVER, amount_off_cents=5000), 19900) == 5000
    assert discount_cents(CouponTerms(FOREVER, amount_off_cents=5000), 0) == 0


@pytest.mark.parametrize("kwargs", [
    {"duration": ONCE},  # neither percent nor amount
    {"duration": ONCE, "percent_off": 10, "amount_off_cents": 100},  # both
    {"duration": ONCE, "percent_off": 0}, {"duration": ONCE, "percent_off": 101},
    {"duration": ONCE, "amount_off_cents": 0},
    {"duration": REPEATING, "percent_off": 10},  # repeating without months
    {"duration": ONCE, "percent_off": 10, "duration_months": 3},  # months without repeating
    {"duration": REPEATING, "percent_off": 10, "duration_months": 37},
])
def test_inconsistent_terms_are_refused(kwargs):
    with pytest.raises(DomainError):
        CouponTerms(**kwargs)


# --- which periods ----------------------------------------------------------------------------------
def test_repeating_three_months_from_january_31_discounts_jan_feb_mar_and_not_april():
    window = discount_window(CouponTerms(REPEATING, percent_off=20, duration_months=3), date(2026, 1, 31))
    starts = [period.start for _, period in zip(range(5), chain(date(2026, 1, 31), Periodicity.MONTHLY))]
    assert starts == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    assert [window.covers(s) for s in starts] == [True, True, True, False, False]


@given(dates, st.integers(1, 36))
def test_repeating_n_months_covers_exactly_n_monthly_periods_whatever_the_start_day(start, months):
    window = discount_window(CouponTerms(REPEATING, percent_off=10, duration_months=months), start)
    periods = [p for _, p in zip(range(months + 3), chain(start, Periodicity.MONTHLY))]
    assert [window.covers(p.start) for p in periods] == [True] * months + [False] * 3


@given(dates, st.sampled_from(list(Periodicity)))
def test_once_covers_the_first_period_only_and_forever_every_one(start, periodicity):
    periods = [p for _, p in zip(range(6), chain(start, periodicity))]
    once = discount_window(CouponTerms(ONCE, percent_off=10), start)
    forever = discount_window(CouponTerms(FOREVER, amount_off_cents=100), start)
    assert [once.covers(p.start) for p in periods] == [True] + [False] * 5
    assert all(forever.covers(p.start) for p in periods)
    assert not forever.covers(start - timedelta(days=1))


@given(dates, st.integers(1, 36), st.sampled_from(list(Periodicity)))
def test_a_longer_period_is_discounted_when_it_starts_inside_the_window(start, months, periodicity):
    window = discount_window(CouponTerms(REPEATING, percent_off=10, duration_months=months), start)
    periods = [p for _, p in zip(range(40), chain(start, periodicity))]
    covered = [window.covers(p.start) for p in periods]
    assert covered[0] and covered == sorted(covered, reverse=True)  # the first ones, then none
    assert sum(covered) == -(-months // periodicity.months)  # ceil(months / months per period)


def test_window_bounds():
    window = DiscountWindow(date(2026, 5, 1), date(2026, 6, 1))
    assert window.covers(date(2026, 5, 1)) and window.covers(date(2026, 5, 31))
    assert not window.covers(date(2026, 6, 1)) and not window.covers(date(2026, 4, 30))


# --- redeeming ---------------------------------------------------------------------------------------
def _refusal(**overrides):
    facts = dict(exists=True, active=True, redeem_by=date(2026, 5, 31), today=date(2026, 5, 1), max_redemptions=10,
                 redemptions=3, product_ids=["operand-pro"], product_id="operand-pro")
    return coupon_refusal(**(facts | overrides))


def test_each_refusal_names_its_reason():
    assert _refusal() is None
    assert _refusal(exists=False) is CouponRefusal.UNKNOWN
    assert _refusal(active=False) is CouponRefusal.INACTIVE
    assert _refusal(today=date(2026, 6, 1)) is CouponRefusal.EXPIRED
    assert _refusal(today=date(2026, 5, 31)) is None  # the last day still counts
    assert _refusal(redemptions=10) is CouponRefusal.EXHAUSTED
    assert _refusal(redemptions=9) is None
    assert _refusal(product_id="conecta-app") is CouponRefusal.NOT_APPLICABLE
    assert _refusal(product_ids=None, product_id="conecta-app", max_redemptions=None, redeem_by=None) is None


def test_codes_are_case_insensitive():
    assert normalize_code("  promo20 ") == normalize_code("PROMO20") == "PROMO20"


# --- trials --------------------------------------------------------------------------------------------
def test_a_14_day_trial_and_its_reminder_three_days_before():
    ends = trial_end(date(2026, 4, 20), 14)
    assert ends == date(2026, 5, 4)
    assert trial_reminder_date(ends) == date(2026, 5, 1)


def test_in_trial_until_the_day_before_trial_end_and_while_the_first_period_is_unpaid():
    ends = date(2026, 5, 4)
    assert in_trial(ends, ends, date(2026, 5, 3))
    assert not in_trial(ends, ends, date(2026, 5, 4))
    assert not in_trial(ends, date(2026, 6, 4), date(2026, 4, 25))  # first period paid ahead: a purchase
    assert trial_unpaid(ends, ends) and not trial_unpaid(ends, date(2026, 6, 4)) and not trial_unpaid(None, ends)
    assert not in_trial(None, ends, date(2026, 4, 25))


@pytest.mark.parametrize("days", [0, -1, 91])
def test_trial_days_out_of_range_are_refused(days):
    with pytest.raises(DomainError):
        trial_end(date(2026, 4, 20), days)


@given(prices, terms)
def test_discounted_price_plus_discount_is_the_price(price, coupon):
    off = discount_cents(coupon, price)
    assert (price - off) + off == price and price - off >= 0
