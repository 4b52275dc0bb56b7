"""When a partner batch license leaves its batch (Conta Azul Mais: 30 days' notice)."""
from datetime import date

import pytest

from chalicelib.domain.batches import license_exit
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period

CURRENT = Period(date(2027, 3, 1), date(2027, 4, 1))
FOLLOWING = Period(date(2027, 4, 1), date(2027, 5, 1))


def test_cancelled_40_days_ahead_leaves_at_the_renewal():
    exit_ = license_exit(CURRENT, FOLLOWING, date(2027, 2, 20), None, with_notice=True)
    assert (exit_.leaves_on, exit_.billed_once_more) == (date(2027, 4, 1), None)


def test_exactly_30_days_ahead_is_in_time():
    exit_ = license_exit(CURRENT, FOLLOWING, date(2027, 3, 2), None, with_notice=True)
    assert exit_.leaves_on == date(2027, 4, 1)


def test_cancelled_10_days_ahead_is_billed_once_more():
    exit_ = license_exit(CURRENT, FOLLOWING, date(2027, 3, 22), None, with_notice=True)
    assert exit_.leaves_on == date(2027, 5, 1)
    assert exit_.billed_once_more == FOLLOWING


def test_late_when_the_next_renewal_is_already_invoiced_needs_no_extra_charge():
    exit_ = license_exit(CURRENT, FOLLOWING, date(2027, 3, 27), date(2027, 5, 1), with_notice=True)
    assert (exit_.leaves_on, exit_.billed_once_more) == (date(2027, 5, 1), None)


def test_a_transfer_needs_no_notice_but_never_unbills_a_renewal():
    assert license_exit(CURRENT, FOLLOWING, date(2027, 3, 28), None, with_notice=False).leaves_on == date(2027, 4, 1)
    invoiced = license_exit(CURRENT, FOLLOWING, date(2027, 3, 28), date(2027, 5, 1), with_notice=False)
    assert (invoiced.leaves_on, invoiced.billed_once_more) == (date(2027, 5, 1), None)


def test_periods_must_chain():
    with pytest.raises(DomainError):
        license_exit(CURRENT, Period(date(2027, 4, 2), date(2027, 5, 2)), date(2027, 3, 2), None, True)
