"""Revenue metrics rules (domain/metrics.py): normalised MRR, movements, counts, rates, median."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.metrics import (
    CHURN, CONTRACTION, EXPANSION, NEW, REACTIVATION, TOTAL, Position, account_counts, classify,
    median_of_histogram, month_figures, monthly_recurring_cents, movements, rate, recovery_days,
    subscription_counts,
)


def test_mrr_is_the_period_price_over_its_months_half_up_after_a_permanent_discount():
    assert monthly_recurring_cents(120_000, "annual") == 10_000
    assert monthly_recurring_cents(60_001, "semiannual") == 10_000  # 10000.17 → 10000
    assert monthly_recurring_cents(29_999, "quarterly") == 10_000  # 9999.67 → 10000
    assert monthly_recurring_cents(5, "quarterly") == 2  # 1.67 → 2
    assert monthly_recurring_cents(3, "semiannual") == 1  # 0.5 → 1 (half-up)
    assert monthly_recurring_cents(9_900, "monthly", 1_000) == 8_900
    assert monthly_recurring_cents(9_900, "monthly", 20_000) == 0  # never below zero


def test_each_kind_of_movement():
    assert classify(0, 100) == (NEW, 100)
    assert classify(0, 100, returning=True) == (REACTIVATION, 100)
    assert classify(100, 150) == (EXPANSION, 50)
    assert classify(150, 100) == (CONTRACTION, -50)
    assert classify(100, 0) == (CHURN, -100)
    assert classify(100, 100) is None


def test_a_product_switch_leaves_one_product_and_enters_the_other_but_is_an_expansion_in_total():
    found = movements(Position("a", 100), Position("b", 250))
    assert sorted(found) == sorted([(TOTAL, EXPANSION, 150), ("a", CHURN, -100), ("b", NEW, 250)])
    assert sorted(subscription_counts(Position("a", 100), Position("b", 250))) == [("a", -1), ("b", 1)]


def test_accounts_are_counted_per_product_and_in_total():
    assert account_counts(frozenset(), frozenset({"a"})) == [(TOTAL, 1), ("a", 1)]
    assert account_counts(frozenset({"a", "b"}), frozenset({"b"})) == [("a", -1)]
    assert account_counts(frozenset({"a"}), frozenset()) == [(TOTAL, -1), ("a", -1)]


def test_rates_are_four_place_decimals_half_up_and_none_without_a_base():
    assert rate(1, 3) == 0.3333
    assert rate(2, 3) == 0.6667
    assert rate(1, 0) is None


def test_median_of_a_histogram():
    assert median_of_histogram({}) is None
    assert median_of_histogram({3: 1}) == 3
    assert median_of_histogram({1: 1, 5: 1}) == 3
    assert median_of_histogram({1: 2, 9: 1}) == 1
    assert median_of_histogram({2: 1, 3: 1, 10: 2}) == 6.5


def test_recovery_days_count_from_the_first_overdue_day():
    assert recovery_days(date(2026, 3, 10), date(2026, 3, 11)) == 1
    assert recovery_days(date(2026, 3, 10), date(2026, 4, 9)) == 30


def test_month_figures_carry_the_opening_from_earlier_months():
    counters = {"2026-01": {"mrr_new": 10_000, "subscriptions": 2, "accounts": 2},
                "2026-02": {"mrr_expansion": 2_000, "mrr_churn": -3_000, "subscriptions": -1, "accounts": -1,
                            "accounts_churned": 1, "overdue_invoices": 4, "recovered_invoices": 1,
                            "days_3": 1}}
    feb, = month_figures(["2026-02"], counters)
    assert (feb.mrr_cents, feb.arr_cents, feb.active_subscriptions, feb.active_accounts) == (9_000, 108_000, 1, 1)
    assert feb.logo_churn_rate == 0.5 and feb.revenue_churn_rate == 0.3 and feb.nrr == 0.9
    assert feb.arpa_cents == 9_000 and feb.recovery_rate == 0.25 and feb.median_days_to_recover == 3


positions = st.builds(Position, st.sampled_from(["a", "b", "c"]), st.integers(0, 50_000))


@given(st.lists(st.tuples(positions, st.booleans()), min_size=1, max_size=30))
def test_start_plus_movements_is_end_in_every_product_and_in_total(path):
    """A subscription walks through positions; each step's movements move each slice's MRR from
    what it was to what it is, and the active counts follow."""
    mrr: dict[str, int] = {}
    active: dict[str, int] = {}
    current = Position(None, 0)
    for step, returning in path:
        for slice_, kind, cents in movements(current, step, returning):
            assert (cents < 0) == (kind in (CHURN, CONTRACTION))
            mrr[slice_] = mrr.get(slice_, 0) + cents
        for slice_, delta in subscription_counts(current, step):
            active[slice_] = active.get(slice_, 0) + delta
        current = step
        assert mrr.get(TOTAL, 0) == current.mrr_cents
        for product in "abc":
            held = current.mrr_cents if current.product_id == product else 0
            assert mrr.get(product, 0) == held
            assert active.get(product, 0) == (1 if held else 0)
        assert active.get(TOTAL, 0) == (1 if current.mrr_cents else 0)


@given(st.integers(0, 10_000_000), st.sampled_from(["monthly", "quarterly", "semiannual", "annual"]),
       st.integers(0, 10_000_000))
def test_normalised_mrr_is_within_half_a_centavo_of_the_exact_share(price, periodicity, discount):
    months = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[periodicity]
    mrr = monthly_recurring_cents(price, periodicity, discount)
    exact = max(price - discount, 0) / months
    assert isinstance(mrr, int) and mrr >= 0
    assert abs(mrr - exact) <= 0.5


@given(st.dictionaries(st.integers(1, 400), st.integers(0, 5), max_size=20))
def test_the_median_splits_the_values_in_half(histogram):
    median = median_of_histogram(histogram)
    values = sorted(v for v, c in histogram.items() for _ in range(c))
    if not values:
        assert median is None
        return
    assert sum(v <= median for v in values) * 2 >= len(values)
    assert sum(v >= median for v in values) * 2 >= len(values)


def test_negative_prices_are_refused():
    with pytest.raises(ValueError):
        monthly_recurring_cents(-1, "monthly")
