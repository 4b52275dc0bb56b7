from datetime import date

import pytest

from chalicelib.domain.cancellation import (CancellationKind, CancellationOutcome,
                                            CancellationRequest, Payment, can_undo,
                                            evaluate_cancellation)
from chalicelib.domain.enums import Contract, Periodicity, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period

PENDING = SubscriptionStatus.PENDING_CANCELLATION
YEAR = Period(date(2025, 1, 10), date(2026, 1, 10))
MARCH = Period(date(2025, 3, 1), date(2025, 4, 1))


def annual(last_payment=None):
    return CancellationRequest(Contract.MANDATORY, YEAR, Periodicity.ANNUAL, 120000,
                               last_payment=last_payment)


def monthly(last_payment=None, period=MARCH, anchor_day=None):
    return CancellationRequest(Contract.MANDATORY, period, Periodicity.MONTHLY, 19900,
                               anchor_day=anchor_day, last_payment=last_payment)


@pytest.mark.parametrize("today", [date(2025, 1, 10), date(2025, 1, 17)])
def test_within_seven_days_of_the_renewal_payment_refunds_it_at_once(today):
    outcome = evaluate_cancellation(annual(Payment(date(2025, 1, 10), 120000)), today)
    assert outcome == CancellationOutcome(CancellationKind.WITHDRAWAL, today, 120000, 0,
                                          SubscriptionStatus.CANCELLED)


def test_day_eight_is_past_the_withdrawal_window():
    outcome = evaluate_cancellation(annual(Payment(date(2025, 1, 10), 120000)), date(2025, 1, 18))
    assert outcome.kind == CancellationKind.AT_PERIOD_END
    assert outcome.refund_cents == 0


def test_thirty_days_notice_ends_at_the_period_end_owing_nothing():
    outcome = evaluate_cancellation(annual(), date(2025, 12, 11))  # 30 days before 10 Jan
    assert outcome == CancellationOutcome(CancellationKind.AT_PERIOD_END, date(2026, 1, 10), 0, 0,
                                          PENDING)


def test_less_notice_bills_the_next_renewal_and_ends_after_it():
    outcome = evaluate_cancellation(annual(), date(2025, 12, 12))  # 29 days before
    assert outcome == CancellationOutcome(CancellationKind.AFTER_NEXT_PERIOD, date(2027, 1, 10),
                                          0, 120000, PENDING)


def test_monthly_plan_needs_the_notice_too():
    assert evaluate_cancellation(monthly(), date(2025, 3, 2)).effective_date == date(2025, 4, 1)
    late = evaluate_cancellation(monthly(), date(2025, 3, 3))
    assert (late.effective_date, late.amount_owed_cents) == (date(2025, 5, 1), 19900)


def test_next_period_keeps_the_anchor_day():
    clamped = Period(date(2025, 1, 31), date(2025, 2, 28))
    outcome = evaluate_cancellation(monthly(period=clamped, anchor_day=31), date(2025, 2, 10))
    assert outcome.effective_date == date(2025, 3, 31)


def test_fixed_term_early_termination_owes_the_remaining_installments():
    june = Period(date(2025, 6, 1), date(2025, 7, 1))
    request = CancellationRequest(Contract.FIXED_TERM, june, Periodicity.MONTHLY, 50000,
                                  last_payment=Payment(date(2025, 6, 1), 50000),
                                  installments_remaining=7, installment_price_cents=50000)
    outcome = evaluate_cancellation(request, date(2025, 6, 20))
    assert outcome == CancellationOutcome(CancellationKind.EARLY_TERMINATION, date(2025, 7, 1), 0,
                                          350000, PENDING)


def test_fixed_term_purchase_can_still_be_withdrawn():
    june = Period(date(2025, 6, 1), date(2025, 7, 1))
    request = CancellationRequest(Contract.FIXED_TERM, june, Periodicity.MONTHLY, 50000,
                                  last_payment=Payment(date(2025, 6, 1), 50000),
                                  installments_remaining=11, installment_price_cents=50000)
    outcome = evaluate_cancellation(request, date(2025, 6, 3))
    assert (outcome.kind, outcome.refund_cents, outcome.amount_owed_cents) == (
        CancellationKind.WITHDRAWAL, 50000, 0)


def test_negative_installments_are_refused():
    request = CancellationRequest(Contract.FIXED_TERM, MARCH, Periodicity.MONTHLY, 50000,
                                  installments_remaining=-1, installment_price_cents=50000)
    with pytest.raises(DomainError):
        evaluate_cancellation(request, date(2025, 3, 20))


def test_request_outside_the_current_period_is_refused():
    with pytest.raises(DomainError):
        evaluate_cancellation(monthly(), date(2025, 4, 1))


def test_undo_until_the_effective_date():
    assert can_undo(date(2026, 1, 10), date(2026, 1, 9))
    assert not can_undo(date(2026, 1, 10), date(2026, 1, 10))
