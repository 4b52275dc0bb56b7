import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import (apply_account_credit, apply_basis_points, format_brl,
                                     prorate, round_half_up)


@pytest.mark.parametrize("numerator, denominator, expected", [
    (5, 2, 3), (-5, 2, -3), (7, 3, 2), (8, 3, 3), (1, 3, 0), (3, 2, 2), (0, 7, 0), (100, 1, 100),
])
def test_round_half_up(numerator, denominator, expected):
    assert round_half_up(numerator, denominator) == expected


def test_round_half_up_rejects_non_positive_divisor():
    with pytest.raises(DomainError):
        round_half_up(1, 0)


@given(st.integers(-10**12, 10**12), st.integers(1, 10**6))
def test_round_half_up_is_within_half_a_unit(numerator, denominator):
    rounded = round_half_up(numerator, denominator)
    assert abs(2 * (numerator - rounded * denominator)) <= denominator


def test_prorate_and_basis_points():
    assert prorate(3000, 10, 30) == 1000
    assert apply_basis_points(10000, 200) == 200
    assert apply_basis_points(12345, 150) == 185  # 185.175 -> 185


@pytest.mark.parametrize("cents, text", [
    (0, "R$ 0,00"), (5, "R$ 0,05"), (100, "R$ 1,00"), (123456, "R$ 1.234,56"),
    (123456789, "R$ 1.234.567,89"), (-123456, "-R$ 1.234,56"), (-5, "-R$ 0,05"),
])
def test_format_brl(cents, text):
    assert format_brl(cents) == text


@pytest.mark.parametrize("not_cents", [1.5, "100", True])
def test_format_brl_refuses_anything_but_int(not_cents):
    with pytest.raises(TypeError):
        format_brl(not_cents)


@pytest.mark.parametrize("total, credit, applied, remaining, due", [
    (10000, 2500, 2500, 0, 7500),
    (10000, 15000, 10000, 5000, 0),
    (10000, 0, 0, 0, 10000),
])
def test_account_credit_pays_the_invoice_first(total, credit, applied, remaining, due):
    result = apply_account_credit(total, credit)
    assert (result.applied_cents, result.remaining_credit_cents, result.amount_due_cents) == (
        applied, remaining, due)


def test_account_credit_rejects_negative_values():
    with pytest.raises(DomainError):
        apply_account_credit(-1, 10)


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_account_credit_neither_creates_nor_loses_money(total, credit):
    result = apply_account_credit(total, credit)
    assert result.applied_cents + result.amount_due_cents == total
    assert result.applied_cents + result.remaining_credit_cents == credit
