"""Superseding the issued next-period invoice on a plan change (domain.reissue): what goes back to
the account, what the replacement charges, and that no centavo is created or lost."""
import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.reissue import reissue, returned_to_account

cents = st.integers(0, 10_000_000)


def test_worked_example_licenses_added_re_price_december():
    """December was issued for 2 licenses (R$ 198,00), R$ 10,00 of account credit applied; 3 more
    licenses are added: the replacement bills 5 (R$ 495,00), the R$ 10,00 go back and pay it first."""
    returned = returned_to_account(1000, 0)
    result = reissue([], [49500], returned)
    assert (result.charge_cents, result.credit_applied_cents, result.total_cents) == (49500, 1000, 48500)
    assert result.remaining_credit_cents == 0


def test_a_partial_payment_on_the_superseded_invoice_is_returned_as_credit():
    assert returned_to_account(0, 5000) == 5000
    result = reissue([8900], [], 5000 + 200)
    assert (result.total_cents, result.remaining_credit_cents) == (3700, 0)


def test_credit_larger_than_the_replacement_stays_on_the_account():
    result = reissue([8900], [], 20000)
    assert (result.total_cents, result.credit_applied_cents, result.remaining_credit_cents) == (0, 8900, 11100)


def test_negative_amounts_are_refused():
    with pytest.raises(DomainError):
        returned_to_account(-1, 0)
    with pytest.raises(DomainError):
        returned_to_account(0, -1)
    with pytest.raises(DomainError):
        reissue([100], [], -1)


@given(kept=st.lists(cents, max_size=6), old_next=st.lists(cents, max_size=3),
       repriced=st.lists(cents, max_size=3), applied=cents, paid=cents, credit=cents)
def test_no_centavo_created_or_lost(kept, old_next, repriced, applied, paid, credit):
    """The old invoice charged kept + old_next, applied `applied` of account credit and received
    `paid`; the customer's net position (credit − owed) moves by exactly old_next − repriced."""
    old_charge = sum(kept) + sum(old_next)
    paid = min(paid, max(old_charge - min(applied, old_charge), 0))
    applied = min(applied, old_charge)
    owed_before = old_charge - applied - paid
    result = reissue(kept, repriced, credit + returned_to_account(applied, paid))
    assert result.total_cents >= 0 and result.remaining_credit_cents >= 0
    assert result.total_cents == 0 or result.remaining_credit_cents == 0  # credit pays first
    before = credit - owed_before
    after = result.remaining_credit_cents - result.total_cents
    assert after - before == sum(old_next) - sum(repriced)
