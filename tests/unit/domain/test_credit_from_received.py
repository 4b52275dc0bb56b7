"""Credit from money never paid (Ummense: "o valor de saldo já pago e ainda não utilizado"): a plan
change credits only the received share of the unused days; what was billed and never received is
voided by the change, not turned into credit."""
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from tests.examples import examples

from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.proration import credit_from_received

from .strategies import dates, periodicities, prices

YEAR = Period(date(2026, 1, 1), date(2027, 1, 1))


def test_credit_from_money_never_paid_is_zero():
    """The annual CONECTA boleto still open on 1 Jul: nothing received, nothing credited."""
    share = credit_from_received([(299000, 0, YEAR)], date(2026, 7, 1))
    assert (share.credit_cents, share.used_cents, share.refund_cents, share.voided_cents) == (0, 0, 0, 299000)


def test_credit_from_a_partly_paid_period_is_the_paid_share_of_the_unused_days():
    """R$ 1.000,00 of R$ 2.990,00 received; 184 of 365 days unused: 100000 × 184/365 = 50410.96."""
    share = credit_from_received([(299000, 100000, YEAR)], date(2026, 7, 1))
    assert share.credit_cents == 50411
    assert share.used_cents == 100000 - 50411
    assert share.voided_cents == 199000


def test_negative_amounts_are_refused():
    with pytest.raises(DomainError):
        credit_from_received([(100, -1, YEAR)], date(2026, 7, 1))


@st.composite
def paid_periods(draw):
    price = draw(prices)
    paid = draw(st.one_of(st.just(0), st.just(price), st.integers(0, price)))
    period = period_starting(draw(dates), draw(periodicities))
    on = period.start + timedelta(days=draw(st.integers(0, period.days - 1)))
    return price, paid, period, on


@settings(max_examples=examples(500))
@given(case=paid_periods())
def test_credit_from_money_received_is_bounded_non_negative_and_conserves_money(case):
    price, paid, period, on = case
    share = credit_from_received([(price, paid, period)], on)
    paid_share_of_unused = Fraction(paid * period.remaining_days(on), period.days)
    assert 0 <= share.credit_cents <= paid
    assert share.credit_cents <= paid_share_of_unused + Fraction(1, 2)  # rounded once, half-up
    assert min(share.used_cents, share.refund_cents, share.voided_cents) >= 0
    assert share.received_cents == paid == share.used_cents + share.credit_cents + share.refund_cents
    assert share.voided_cents == price - paid
