from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain.enums import Contract, LicenseStatus, SubscriptionStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.overdue import (Entitlements, OverduePolicy, SubscriptionDues,
                                       entitlements_for, evaluate_account, evaluate_overdue,
                                       overdue_status)

from .strategies import dates

ACTIVE, PAST_DUE = SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE
SUSPENDED, CANCELLED = SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED
MONDAY_DUE = date(2025, 3, 10)


@pytest.mark.parametrize("today, status", [
    (date(2025, 3, 9), ACTIVE),
    (date(2025, 3, 10), ACTIVE),  # due today: not late yet
    (date(2025, 3, 11), PAST_DUE),
    (date(2025, 3, 13), PAST_DUE),  # third business day of grace
    (date(2025, 3, 14), SUSPENDED),
    (date(2025, 5, 9), SUSPENDED),  # day 60
    (date(2025, 5, 10), CANCELLED),
])
def test_default_policy_timeline(today, status):
    assert overdue_status([MONDAY_DUE], today) == status


def test_due_on_a_saturday_is_late_only_after_monday():
    saturday = date(2025, 3, 8)
    assert overdue_status([saturday], date(2025, 3, 10)) == ACTIVE
    assert overdue_status([saturday], date(2025, 3, 11)) == PAST_DUE
    assert overdue_status([saturday], date(2025, 3, 12)) == PAST_DUE  # Mon, Tue, Wed of grace
    assert overdue_status([saturday], date(2025, 3, 13)) == SUSPENDED


def test_grace_skips_carnival():
    friday = date(2026, 2, 13)  # grace: Wed 18, Thu 19, Fri 20
    assert overdue_status([friday], date(2026, 2, 20)) == PAST_DUE
    assert overdue_status([friday], date(2026, 2, 21)) == SUSPENDED


def test_the_oldest_unpaid_item_decides():
    assert overdue_status([date(2025, 4, 10), MONDAY_DUE], date(2025, 4, 1)) == SUSPENDED


def test_policy_is_a_parameter():
    policy = OverduePolicy(grace_business_days=5, cancel_after_days=30)
    assert overdue_status([MONDAY_DUE], date(2025, 3, 17), policy) == PAST_DUE
    assert overdue_status([MONDAY_DUE], date(2025, 3, 18), policy) == SUSPENDED
    assert overdue_status([MONDAY_DUE], date(2025, 4, 10), policy) == CANCELLED


def test_invalid_policy_is_refused():
    with pytest.raises(DomainError):
        OverduePolicy(grace_business_days=-1)


def test_paying_everything_restores_active_at_once():
    evaluation = evaluate_overdue(Contract.MANDATORY, [], date(2025, 4, 1))
    assert evaluation.status == ACTIVE
    assert evaluation.entitlements.license == LicenseStatus.ACTIVE
    assert evaluation.oldest_unpaid_due_date is None


@pytest.mark.parametrize("contract, license_, support", [
    (Contract.MANDATORY, LicenseStatus.SUSPENDED, False),
    (Contract.OPTIONAL, LicenseStatus.ACTIVE, False),
    (Contract.FIXED_TERM, LicenseStatus.SUSPENDED, False),
])
def test_suspension_by_contract(contract, license_, support):
    evaluation = evaluate_overdue(contract, [MONDAY_DUE], date(2025, 3, 20))
    assert evaluation.status == SUSPENDED
    assert evaluation.entitlements == Entitlements(license_, support=support, updates=False)


@pytest.mark.parametrize("contract, license_", [
    (Contract.MANDATORY, LicenseStatus.NONE),
    (Contract.OPTIONAL, LicenseStatus.ACTIVE),  # perpetual license: only services stop
    (Contract.FIXED_TERM, LicenseStatus.NONE),
])
def test_cancellation_by_contract(contract, license_):
    assert entitlements_for(contract, CANCELLED) == Entitlements(license_, False, False)


@pytest.mark.parametrize("contract", list(Contract))
@pytest.mark.parametrize("status", [ACTIVE, PAST_DUE, SubscriptionStatus.PENDING_CANCELLATION])
def test_nothing_is_blocked_before_suspension(contract, status):
    assert entitlements_for(contract, status) == Entitlements(LicenseStatus.ACTIVE, True, True)


def test_a_paid_subscription_is_not_blocked_by_another_overdue_one():
    """Same account: the mentorship is 20 days overdue, the SaaS plan is paid through today."""
    today = date(2025, 3, 30)
    results = evaluate_account({
        "mentorship": SubscriptionDues(Contract.FIXED_TERM, (MONDAY_DUE,)),
        "saas": SubscriptionDues(Contract.MANDATORY, ()),
        "cats": SubscriptionDues(Contract.OPTIONAL, (date(2025, 4, 8),)),  # issued, not yet due
    }, today)
    assert results["mentorship"].status == SUSPENDED
    assert results["mentorship"].entitlements.license == LicenseStatus.SUSPENDED
    assert results["saas"].status == ACTIVE
    assert results["saas"].entitlements == Entitlements(LicenseStatus.ACTIVE, True, True)
    assert results["cats"].status == ACTIVE


_ORDER = [ACTIVE, PAST_DUE, SUSPENDED, CANCELLED]


@given(dates, st.integers(-5, 90), st.integers(0, 30))
def test_status_only_gets_worse_while_unpaid(due, offset, extra):
    today = due + timedelta(days=offset)
    earlier = _ORDER.index(overdue_status([due], today))
    later = _ORDER.index(overdue_status([due], today + timedelta(days=extra)))
    assert earlier <= later
