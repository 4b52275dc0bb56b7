"""Overdue states and what each leaves the customer (entitlements), per subscription.

From the oldest unpaid due date D of one subscription: `past_due` once D (or, for a D on a weekend
or holiday, the next business day) has passed; `suspended` after a grace of N business days after
D, which also covers the 24 business hours a boleto takes to compensate; `cancelled` after N
calendar days. Only the subscription's own unpaid items count: a subscription paid through today
is never blocked because another one of the same account is overdue."""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from chalicelib.domain.bank_calendar import add_business_days
from chalicelib.domain.due_day import payable_due_date
from chalicelib.domain.enums import Contract, LicenseStatus, SubscriptionStatus
from chalicelib.domain.errors import DomainError


@dataclass(frozen=True)
class OverduePolicy:
    grace_business_days: int = 3
    cancel_after_days: int = 60

    def __post_init__(self) -> None:
        if self.grace_business_days < 0 or self.cancel_after_days < 1:
            raise DomainError("Política de inadimplência inválida.")


@dataclass(frozen=True)
class Entitlements:
    license: LicenseStatus
    support: bool
    updates: bool


@dataclass(frozen=True)
class OverdueEvaluation:
    status: SubscriptionStatus
    entitlements: Entitlements
    oldest_unpaid_due_date: date | None


@dataclass(frozen=True)
class SubscriptionDues:
    """One subscription's contract and the original due dates of its unpaid items (a carried
    item keeps the due date it had before it moved to a newer invoice)."""
    contract: Contract
    unpaid_due_dates: tuple[date, ...]
    policy: OverduePolicy = field(default_factory=OverduePolicy)


_FULL = Entitlements(LicenseStatus.ACTIVE, support=True, updates=True)
_BLOCKED = {
    # status -> contract -> what is left
    SubscriptionStatus.SUSPENDED: {
        Contract.MANDATORY: Entitlements(LicenseStatus.SUSPENDED, support=False, updates=False),
        Contract.OPTIONAL: Entitlements(LicenseStatus.ACTIVE, support=False, updates=False),
        Contract.FIXED_TERM: Entitlements(LicenseStatus.SUSPENDED, support=False, updates=False),
    },
    SubscriptionStatus.CANCELLED: {
        Contract.MANDATORY: Entitlements(LicenseStatus.NONE, support=False, updates=False),
        Contract.OPTIONAL: Entitlements(LicenseStatus.ACTIVE, support=False, updates=False),
        Contract.FIXED_TERM: Entitlements(LicenseStatus.NONE, support=False, updates=False),
    },
}


def overdue_status(unpaid_due_dates: Iterable[date], today: date,
                   policy: OverduePolicy = OverduePolicy()) -> SubscriptionStatus:
    oldest = min(unpaid_due_dates, default=None)
    if oldest is None or today <= payable_due_date(oldest):
        return SubscriptionStatus.ACTIVE
    if today > oldest + timedelta(days=policy.cancel_after_days):
        return SubscriptionStatus.CANCELLED
    if today > add_business_days(oldest, policy.grace_business_days):
        return SubscriptionStatus.SUSPENDED
    return SubscriptionStatus.PAST_DUE


def entitlements_for(contract: Contract, status: SubscriptionStatus) -> Entitlements:
    """mandatory: the license depends on paying; optional: the perpetual license stays, support
    and updates stop; fixed_term: the contracted services stop."""
    by_contract = _BLOCKED.get(SubscriptionStatus(status))
    return by_contract[Contract(contract)] if by_contract else _FULL


def keeps_a_license(contract: Contract, status: SubscriptionStatus) -> bool:
    """Still holds something: not cancelled, or a perpetual license (optional contract) that stays."""
    return entitlements_for(contract, status).license is not LicenseStatus.NONE


def evaluate_overdue(contract: Contract, unpaid_due_dates: Iterable[date], today: date,
                     policy: OverduePolicy = OverduePolicy()) -> OverdueEvaluation:
    due_dates = tuple(unpaid_due_dates)
    status = overdue_status(due_dates, today, policy)
    oldest = min(due_dates, default=None)
    return OverdueEvaluation(status, entitlements_for(contract, status), oldest)


def evaluate_account(subscriptions: Mapping[str, SubscriptionDues],
                     today: date) -> dict[str, OverdueEvaluation]:
    """Each subscription on its own dues only; one overdue never blocks another."""
    return {
        subscription_id: evaluate_overdue(dues.contract, dues.unpaid_due_dates, today, dues.policy)
        for subscription_id, dues in subscriptions.items()
    }


def status_change_days(oldest_due: date, policy: OverduePolicy = OverduePolicy()) -> tuple[date, ...]:
    """The first day of `past_due`, of `suspended` and of `cancelled` for an item due on
    `oldest_due`: the only days on which `overdue_status` can change."""
    one_day = timedelta(days=1)
    return (payable_due_date(oldest_due) + one_day,
            add_business_days(oldest_due, policy.grace_business_days) + one_day,
            oldest_due + timedelta(days=policy.cancel_after_days) + one_day)


def next_status_change(oldest_due: date, after: date,
                       policy: OverduePolicy = OverduePolicy()) -> date | None:
    """The next day after `after` on which the status may change (None: it is final)."""
    return min((day for day in status_change_days(oldest_due, policy) if day > after), default=None)
