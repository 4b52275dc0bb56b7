"""Overdue states and what each leaves the customer (entitlements), per subscription.

From the oldest unpaid due date D of one subscription: `past_due` once D (or, for a D on a weekend
or holiday, the next business day) has passed — for a boleto, once its compensation deadline (one
business day after that) has passed too, so that a boleto paid on its due date is never told it is
late; `suspended` after a grace of N business days after D, which also covers the 24 business hours
a boleto takes to compensate; `cancelled` after N calendar days. Only the subscription's own unpaid items count: a subscription paid through today
is never blocked because another one of the same account is overdue. Nor is a paid base period blocked
by an unpaid order for added licenses or storage: after the same grace, that order is taken back
instead (`addition_order_lapsed`)."""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from chalicelib.domain.bank_calendar import add_business_days, compensation_deadline
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


@dataclass(frozen=True)
class UnpaidItem:
    """An unpaid item's due date and whether its invoice is paid by boleto (plain dates are not)."""
    due_date: date
    by_boleto: bool = False


def past_due_from(due_date: date, by_boleto: bool = False) -> date:
    """The first day an item due on `due_date` is past due, the day its "fatura vencida" e-mail goes.

    Paid by card or Pix the payment is known at once: the day after the due date (the next business
    day's, for a due date on a weekend or holiday, payable then without fees). A boleto "A compensação
    bancária ... ocorrem em no máximo 24 horas úteis após o pagamento" (Promob): one paid on its due
    date shows up by the end of the next business day, so it waits for the day after that."""
    payable = payable_due_date(due_date)
    last_quiet_day = compensation_deadline(payable) if by_boleto else payable
    return last_quiet_day + timedelta(days=1)


def _unpaid(items: Iterable[date | UnpaidItem]) -> tuple[UnpaidItem, ...]:
    return tuple(item if isinstance(item, UnpaidItem) else UnpaidItem(item) for item in items)


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


def overdue_status(unpaid_due_dates: Iterable[date | UnpaidItem], today: date,
                   policy: OverduePolicy = OverduePolicy()) -> SubscriptionStatus:
    unpaid = _unpaid(unpaid_due_dates)
    # Nothing moves before an item can be known unpaid (a boleto: not before its compensation).
    if not unpaid or today < min(past_due_from(item.due_date, item.by_boleto) for item in unpaid):
        return SubscriptionStatus.ACTIVE
    oldest = min(item.due_date for item in unpaid)
    if today > oldest + timedelta(days=policy.cancel_after_days):
        return SubscriptionStatus.CANCELLED
    if today > add_business_days(oldest, policy.grace_business_days):
        return SubscriptionStatus.SUSPENDED
    return SubscriptionStatus.PAST_DUE


def addition_order_lapsed(due_date: date, today: date, policy: OverduePolicy = OverduePolicy(),
                          by_boleto: bool = False) -> bool:
    """An unpaid order for added licenses or storage is taken back — only what it added — on the day
    its grace would have suspended the subscription; the base period, paid, stays active (PRODUCT.md
    §7). Its items never move the subscription's own status."""
    status = overdue_status([UnpaidItem(due_date, by_boleto)], today, policy)
    return status in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED)


def entitlements_for(contract: Contract, status: SubscriptionStatus) -> Entitlements:
    """mandatory: the license depends on paying; optional: the perpetual license stays, support
    and updates stop; fixed_term: the contracted services stop."""
    by_contract = _BLOCKED.get(SubscriptionStatus(status))
    return by_contract[Contract(contract)] if by_contract else _FULL


def keeps_a_license(contract: Contract, status: SubscriptionStatus) -> bool:
    """Still holds something: not cancelled, or a perpetual license (optional contract) that stays."""
    return entitlements_for(contract, status).license is not LicenseStatus.NONE


def evaluate_overdue(contract: Contract, unpaid_due_dates: Iterable[date | UnpaidItem], today: date,
                     policy: OverduePolicy = OverduePolicy()) -> OverdueEvaluation:
    unpaid = _unpaid(unpaid_due_dates)
    status = overdue_status(unpaid, today, policy)
    oldest = min((item.due_date for item in unpaid), default=None)
    return OverdueEvaluation(status, entitlements_for(contract, status), oldest)


def evaluate_account(subscriptions: Mapping[str, SubscriptionDues],
                     today: date) -> dict[str, OverdueEvaluation]:
    """Each subscription on its own dues only; one overdue never blocks another."""
    return {
        subscription_id: evaluate_overdue(dues.contract, dues.unpaid_due_dates, today, dues.policy)
        for subscription_id, dues in subscriptions.items()
    }


def status_change_days(oldest_due: date, policy: OverduePolicy = OverduePolicy(),
                       by_boleto: bool = False) -> tuple[date, ...]:
    """The first day of `past_due`, of `suspended` and of `cancelled` for an item due on
    `oldest_due`: the only days on which `overdue_status` can change."""
    one_day = timedelta(days=1)
    return (past_due_from(oldest_due, by_boleto),
            add_business_days(oldest_due, policy.grace_business_days) + one_day,
            oldest_due + timedelta(days=policy.cancel_after_days) + one_day)


def next_status_change(oldest_due: date, after: date, policy: OverduePolicy = OverduePolicy(),
                       by_boleto: bool = False) -> date | None:
    """The next day after `after` on which the status may change (None: it is final)."""
    return min((day for day in status_change_days(oldest_due, policy, by_boleto) if day > after), default=None)
