from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.cancellation import (CancellationKind, CancellationOutcome,
                                            CancellationRequest, Payment, can_undo,
                                            evaluate_cancellation, withdrawal_deadline,
                                            withdrawal_window_start, within_withdrawal_window)
from chalicelib.domain.enums import Contract, Periodicity, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period, chain
from tests.unit.domain.strategies import dates

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


# --- the withdrawal window counts from the purchase or the renewal, not from the payment -------------

def test_withdrawal_window_counts_from_the_renewal_date_not_the_payment_date():
    renewal = Period(date(2027, 6, 3), date(2027, 7, 3))
    # The renewal boleto paid early, on its issue day (D-7), and the cancellation on D+3.
    start = withdrawal_window_start(date(2027, 5, 3), renewal.start)
    assert start == date(2027, 6, 3)
    request = monthly(Payment(start, 19900), period=renewal)
    outcome = evaluate_cancellation(request, date(2027, 6, 6))
    assert (outcome.kind, outcome.refund_cents) == (CancellationKind.WITHDRAWAL, 19900)
    # A renewal paid late (D+9) and cancelled on D+10 is outside, though paid the day before.
    late = evaluate_cancellation(request, date(2027, 6, 13))
    assert (late.kind, late.refund_cents) == (CancellationKind.AFTER_NEXT_PERIOD, 0)


def test_withdrawal_window_of_a_purchase_counts_from_the_purchase_date():
    # A first period anchored before the purchase day (the due-day grid) counts from the purchase.
    assert withdrawal_window_start(date(2027, 5, 10), date(2027, 5, 8)) == date(2027, 5, 10)
    assert withdrawal_window_start(None, date(2027, 5, 8)) == date(2027, 5, 8)


def test_withdrawal_window_day_seven_is_inside_and_day_eight_outside():
    start = date(2028, 2, 25)
    assert within_withdrawal_window(start, date(2028, 3, 3))  # day 7, across 29 Feb
    assert not within_withdrawal_window(start, date(2028, 3, 4))
    assert withdrawal_deadline(start) == date(2028, 3, 3)


@given(purchased_on=dates, renewals=st.integers(0, 14), periodicity=st.sampled_from(list(Periodicity)),
       cancel_offset=st.integers(0, 40))
def test_withdrawal_window_property_inside_iff_within_seven_days_of_the_purchase_or_renewal(
        purchased_on, renewals, periodicity, cancel_offset):
    """For any purchase and any renewal of it (across month ends and 29 February): inside iff the
    cancellation comes at most 7 days after the purchase or renewal date (day 7 inside). The payment
    date, early or late, is no input of the rule at all."""
    period = next(p for i, p in enumerate(chain(purchased_on, periodicity)) if i == renewals)
    today = period.start + timedelta(days=cancel_offset)
    if not period.contains(today):
        return
    start = withdrawal_window_start(purchased_on, period.start)
    assert start == period.start  # the purchase itself, or the renewal date
    request = CancellationRequest(Contract.MANDATORY, period, periodicity, 19900, anchor_day=purchased_on.day,
                                  last_payment=Payment(start, 19900))
    outcome = evaluate_cancellation(request, today)
    inside = (today - period.start).days <= 7
    assert (outcome.kind is CancellationKind.WITHDRAWAL) is inside
    assert (outcome.refund_cents == 19900) is inside
    assert within_withdrawal_window(start, today) is inside


# --- a commitment billed monthly (Conta Azul Mais: 12 months) ---------------------------------------
JULY = Period(date(2025, 7, 1), date(2025, 8, 1))  # month 5 of a commitment bought on 1 March


def committed(months_billed, period=JULY, last_payment=None, billed_through=None):
    from chalicelib.domain.cancellation import Commitment

    commitment = Commitment(12, months_billed, 4 * 4900, billed_through or period.end, 1,
                            purchased_on=date(2025, 3, 1))
    return CancellationRequest(Contract.MANDATORY, period, Periodicity.MONTHLY, 4 * 4900,
                               last_payment=last_payment, commitment=commitment)


def test_full_value_on_early_termination_bills_the_7_months_left_in_month_5_of_12():
    outcome = evaluate_cancellation(committed(5), date(2025, 7, 15))
    assert (outcome.kind, outcome.effective_date, outcome.status) == (
        CancellationKind.EARLY_TERMINATION, date(2025, 8, 1), PENDING)
    assert outcome.amount_owed_cents == 7 * 4 * 4900
    assert (outcome.commitment.months, outcome.commitment.ends_on) == (7, date(2026, 3, 1))


def test_full_value_on_early_termination_counts_a_month_already_invoiced_as_billed():
    outcome = evaluate_cancellation(committed(6, billed_through=date(2025, 9, 1)), date(2025, 7, 26))
    assert (outcome.commitment.months, outcome.amount_owed_cents) == (6, 6 * 4 * 4900)
    assert outcome.commitment.ends_on == date(2026, 3, 1)  # the same end: 12 months in all


def test_full_value_on_early_termination_bills_nothing_extra_inside_the_withdrawal_window():
    first = Period(date(2025, 3, 1), date(2025, 4, 1))
    outcome = evaluate_cancellation(committed(1, period=first, last_payment=Payment(date(2025, 3, 1), 4 * 4900)),
                                    date(2025, 3, 6))
    assert (outcome.kind, outcome.refund_cents, outcome.amount_owed_cents, outcome.commitment) == (
        CancellationKind.WITHDRAWAL, 4 * 4900, 0, None)


def test_full_value_on_early_termination_a_monthly_bill_inside_the_commitment_opens_no_withdrawal():
    outcome = evaluate_cancellation(committed(5, last_payment=Payment(date(2025, 7, 1), 4 * 4900)),
                                    date(2025, 7, 3))
    assert (outcome.kind, outcome.amount_owed_cents) == (CancellationKind.EARLY_TERMINATION, 7 * 4 * 4900)


def test_full_value_on_early_termination_bills_nothing_extra_after_the_commitment_ends():
    march = Period(date(2026, 3, 1), date(2026, 4, 1))  # month 13
    outcome = evaluate_cancellation(committed(13, period=march), date(2026, 3, 10))
    assert (outcome.kind, outcome.amount_owed_cents, outcome.commitment) == (
        CancellationKind.AFTER_NEXT_PERIOD, 4 * 4900, None)  # the notice rule alone: the next month
