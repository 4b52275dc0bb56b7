"""Settlement rules: how a payment splits between the invoice and account credit, which periods it
extends, when a late subscription is restored, and the withdrawal window of refunds."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.enums import InvoiceStatus, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.nosso_numero import nosso_numero_key, return_file_key
from chalicelib.domain.periods import Period
from chalicelib.domain.settlement import (
    allocate, extended_period, refund_deadline, status_after_payment, within_withdrawal_window,
)


def test_underpayment_of_r_10_leaves_r_10_open():
    allocation = allocate(18_800, total_cents=19_800, paid_cents=0, status="open")
    assert (allocation.applied_cents, allocation.credit_cents, allocation.paid_cents) == (18_800, 0, 18_800)
    assert allocation.status is InvoiceStatus.PARTIALLY_PAID and not allocation.settles_invoice


def test_the_rest_of_a_partial_payment_settles_it():
    allocation = allocate(1_000, total_cents=19_800, paid_cents=18_800, status="partially_paid")
    assert allocation.status is InvoiceStatus.PAID and allocation.settles_invoice
    assert allocation.credit_cents == 0


def test_overpayment_of_r_5_becomes_credit():
    allocation = allocate(20_300, total_cents=19_800, paid_cents=0, status="open")
    assert (allocation.applied_cents, allocation.credit_cents, allocation.status) == (19_800, 500, InvoiceStatus.PAID)


@pytest.mark.parametrize("status", ["paid", "void", "refunded", "superseded"])
def test_a_payment_of_an_invoice_with_nothing_to_pay_is_credit_whole(status):
    allocation = allocate(5_000, total_cents=5_000, paid_cents=0, status=status)
    assert (allocation.applied_cents, allocation.credit_cents) == (0, 5_000)
    assert allocation.status == InvoiceStatus(status) and not allocation.settles_invoice


@pytest.mark.parametrize("amount", [0, -1])
def test_a_payment_must_be_positive(amount):
    with pytest.raises(DomainError):
        allocate(amount, 100, 0, "open")


@given(st.integers(1, 10**9), st.integers(0, 10**9), st.data())
def test_no_centavo_is_created_or_lost(amount, total, data):
    paid = data.draw(st.integers(0, total))
    allocation = allocate(amount, total, paid, "partially_paid" if paid else "open")
    assert allocation.applied_cents + allocation.credit_cents == amount
    assert allocation.paid_cents == paid + allocation.applied_cents <= max(total, paid)
    assert allocation.applied_cents >= 0 and allocation.credit_cents >= 0


CURRENT = Period(date(2026, 11, 15), date(2026, 12, 15))


def test_a_renewal_line_takes_over_from_the_current_period():
    renewal = Period(date(2026, 12, 15), date(2027, 1, 15))
    assert extended_period(CURRENT, [renewal]) == renewal


def test_a_line_the_current_period_covers_changes_nothing():
    first = Period(date(2026, 11, 15), date(2026, 12, 15))
    proration = Period(date(2026, 11, 20), date(2026, 12, 15))
    assert extended_period(CURRENT, [first, proration]) == CURRENT


def test_a_line_stretching_the_current_period_moves_its_end():
    stretch = Period(date(2026, 12, 1), date(2026, 12, 22))
    assert extended_period(CURRENT, [stretch]) == Period(date(2026, 11, 15), date(2026, 12, 22))


def test_two_renewals_paid_together_chain():
    december = Period(date(2026, 12, 15), date(2027, 1, 15))
    january = Period(date(2027, 1, 15), date(2027, 2, 15))
    assert extended_period(CURRENT, [january, december]) == january


def test_a_period_after_a_gap_does_not_extend():
    february = Period(date(2027, 1, 15), date(2027, 2, 15))
    assert extended_period(CURRENT, [february]) == CURRENT


@pytest.mark.parametrize("status, overdue, expected", [
    ("past_due", False, "active"), ("suspended", False, "active"), ("suspended", True, "suspended"),
    ("active", False, "active"), ("pending_cancellation", False, "pending_cancellation"),
    ("cancelled", False, "cancelled"),
])
def test_paying_everything_overdue_restores_active(status, overdue, expected):
    assert status_after_payment(status, overdue) is SubscriptionStatus(expected)


@pytest.mark.parametrize("day, open_", [(0, True), (6, True), (7, True), (8, False), (-1, False)])
def test_withdrawal_window_is_seven_days_after_the_payment(day, open_):
    paid_on = date(2026, 12, 1)
    today = date.fromordinal(paid_on.toordinal() + day)
    assert within_withdrawal_window(paid_on, today) is open_
    assert refund_deadline(paid_on) == date(2026, 12, 8)


@pytest.mark.parametrize("bank, printed, in_file", [
    ("341", "109/00000011-5", "00000011"),  # Itaú: wallet and DV printed, 8 digits in CNAB 400
    ("001", "14499570000020673", "14499570000020673"),  # BB, 7-digit convênio: no DV
    ("001", "12345620673-1", "123456206731"),  # BB, 6-digit convênio: 11 digits + DV
    ("237", "09/51350000004-P", "51350000004P"),  # Bradesco: 11 digits + DV (P)
    ("033", "000000001406-6", "0000000014066"),  # Santander: 12 digits + DV in CNAB 240
    ("104", "14000000000000123-1", "14000000000000123"),  # Caixa SIGCB: 17 digits
])
def test_printed_and_return_file_nosso_numeros_meet_on_one_key(bank, printed, in_file):
    assert nosso_numero_key(bank, printed) == return_file_key(bank, in_file)


def test_keys_of_different_banks_never_meet():
    assert nosso_numero_key("341", "109/00000011-5") != nosso_numero_key("237", "09/00000000011-1")


def test_a_nosso_numero_that_is_not_a_number_is_refused():
    with pytest.raises(DomainError):
        return_file_key("341", "ABC")
