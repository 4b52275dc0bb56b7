"""Mid-period changes: plan or periodicity changes, seat and storage additions, renewal quantity.

One rule for plan changes in both directions (PRODUCT.md §3): the unused part of what was actually
paid becomes credit; the new plan starts on the change date; a credit short of one new period is
topped up now, a larger one buys whole days of the new plan and the leftover centavos become
account credit. Balance, exactly: credit + charge_now == granted_value + account_credit."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from math import lcm

from chalicelib.domain.enums import Periodicity, RenewalMode
from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import prorate, round_half_up
from chalicelib.domain.periods import Period, period_starting


@dataclass(frozen=True)
class PlanChange:
    charge_now_cents: int  # difference charged on the change date
    credit_cents: int  # unused part of the amount paid for the current period
    account_credit_cents: int  # centavos the granted days could not absorb
    new_period_start: date
    new_period_end: date  # the new renewal date
    days_granted: int  # days of the new plan paid for by credit + charge
    granted_value_cents: int  # those days at the new plan's daily rate

    @property
    def new_period(self) -> Period:
        return Period(self.new_period_start, self.new_period_end)


def unused_credit(paid_cents: int, current: Period, on: date) -> int:
    """What was paid for `current` × unused days ÷ days in the period, rounded once."""
    _require_non_negative(paid_cents)
    return prorate(paid_cents, current.remaining_days(on), current.days)


def unused_credit_of_payments(payments: Iterable[tuple[int, Period]], on: date) -> int:
    """Credit when the current period was paid in parts, each covering its own tail of the period
    (the period itself, then seats or storage added mid-period): each part's unused share, summed
    exactly and rounded once. A part added on day d covered only [d, end), so crediting it over
    the whole period would lose centavos."""
    parts = list(payments)
    common = lcm(*(covered.days for _, covered in parts))  # 1 when there is nothing paid
    numerator = 0
    for paid, covered in parts:
        _require_non_negative(paid)
        numerator += paid * covered.remaining_days(on) * (common // covered.days)
    return round_half_up(numerator, common)


@dataclass(frozen=True)
class PaidShare:
    """How the money received for the period in force splits on a change date (Ummense: only the
    "saldo já pago e ainda não utilizado" becomes credit). received == used + credit + refund."""

    received_cents: int
    used_cents: int  # the received share of the days already used
    credit_cents: int  # the received share of the unused days: the change's credit
    refund_cents: int  # received beyond what was billed: back to the account whole
    voided_cents: int  # billed and never received: voided by the change, owed by nobody


def credit_from_received(parts: Iterable[tuple[int, int, Period]], on: date) -> PaidShare:
    """parts: (billed, received, covered) — each payment part of the period, what was actually
    received of it, and the tail of the period it covers. An unpaid invoice gives no credit: the
    change voids it, so crediting it would hand out money nobody paid."""
    billed_total = received_total = counted_total = 0
    counted_parts = []
    for billed, received, covered in parts:
        _require_non_negative(billed)
        _require_non_negative(received)
        counted = min(billed, received)
        counted_parts.append((counted, covered))
        billed_total, received_total, counted_total = (billed_total + billed, received_total + received,
                                                       counted_total + counted)
    credit = unused_credit_of_payments(counted_parts, on)
    return PaidShare(received_total, counted_total - credit, credit, received_total - counted_total,
                     billed_total - counted_total)


def change_plan(paid_cents: int, current: Period, change_date: date,
                new_period_price_cents: int, new_periodicity: Periodicity) -> PlanChange:
    """What changing plan or periodicity on `change_date` costs or gives back."""
    credit = unused_credit(paid_cents, current, change_date)
    return change_plan_with_credit(credit, change_date, new_period_price_cents, new_periodicity)


def change_plan_with_credit(credit: int, change_date: date, new_period_price_cents: int,
                            new_periodicity: Periodicity) -> PlanChange:
    """The same rule when the credit is already known (see `unused_credit_of_payments`)."""
    if new_period_price_cents <= 0:
        raise DomainError("O preço do novo plano deve ser positivo.")
    _require_non_negative(credit)
    first = period_starting(change_date, new_periodicity)
    if credit < new_period_price_cents:
        return PlanChange(new_period_price_cents - credit, credit, 0, first.start, first.end,
                          first.days, new_period_price_cents)
    days = credit * first.days // new_period_price_cents  # whole days the credit covers
    granted = prorate(new_period_price_cents, days, first.days)  # <= credit: days were floored
    return PlanChange(0, credit, credit - granted, change_date, _days_after(change_date, days),
                      days, granted)


def prorate_addition(quantity_delta: int, unit_price_cents: int, current: Period, on: date,
                     periodicity: Periodicity | None = None) -> int:
    """Charge for seats or storage GB added on `on`, prorated to the current period end.

    With `periodicity`, the daily rate is that of one normal period from the current start: a
    period moved onto a due day or stretched by a plan-change credit is not one period long, and
    the unit price is for one period."""
    if quantity_delta <= 0:
        raise DomainError("A quantidade adicionada deve ser positiva.")
    _require_non_negative(unit_price_cents)
    rate_days = period_starting(current.start, periodicity).days if periodicity else current.days
    return prorate(quantity_delta * unit_price_cents, current.remaining_days(on), rate_days)


def renewal_quantity(mode: RenewalMode, purchased: int, active_members: int) -> int:
    """Licenses billed at renewal: all purchased, or (active_only) the active members, at least 1
    and never more than were purchased."""
    if purchased < 1 or active_members < 0:
        raise DomainError("Quantidade de licenças inválida.")
    if RenewalMode(mode) is RenewalMode.ALL:
        return purchased
    return min(purchased, max(1, active_members))


def _days_after(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError:  # only a credit worth thousands of years of the new plan gets here
        raise DomainError("O crédito estenderia a renovação além do calendário.") from None


def _require_non_negative(cents: int) -> None:
    if cents < 0:
        raise DomainError("O valor não pode ser negativo.")
