"""A plan change after the next period's invoice was issued (the renewal invoice goes out 7 days
before the renewal date): that invoice must not bill the old plan any more.

The issued invoice, still unpaid or paid in part, is superseded: its charges that the change does not
touch (other subscriptions renewing on the same due date, lapsed items carried into it, fees) and the
changed subscription's next period at its new price (licenses or storage added; nothing for a new
plan, whose own first period the change itself bills) make its replacement. What the superseded
invoice had taken from the account — the account credit it applied and what was already paid on it —
goes back to the account credit first; the credit then pays the change's order and the replacement,
as it pays every invoice (PRODUCT.md §3, §4). Balance, exactly:

    (credit afterwards − replacement owed) − (credit before − old invoice owed) == old charge − new charge

for the changed subscription's next period: no centavo created or lost."""
from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import apply_account_credit


@dataclass(frozen=True)
class Reissue:
    charge_cents: int  # the replacement's charges, before account credit
    credit_applied_cents: int  # account credit paying the replacement
    remaining_credit_cents: int  # the account's credit afterwards

    @property
    def total_cents(self) -> int:
        return self.charge_cents - self.credit_applied_cents


def returned_to_account(applied_credit_cents: int, paid_cents: int) -> int:
    """What a superseded invoice gives back to the account credit: the credit it had applied and the
    money already received on it (a partial payment is never lost)."""
    if applied_credit_cents < 0 or paid_cents < 0:
        raise DomainError("O valor não pode ser negativo.")
    return applied_credit_cents + paid_cents


def reissue(kept_charges: Sequence[int], repriced_charges: Sequence[int], available_credit_cents: int) -> Reissue:
    """The replacement of a superseded invoice: the charges kept plus the re-priced ones, account
    credit first. A replacement with nothing to charge charges nothing (its negative lines, a due-day
    discount, never exceed its charges on a real invoice: the sum is clamped at zero for the credit)."""
    if available_credit_cents < 0:
        raise DomainError("O crédito disponível não pode ser negativo.")
    charge = sum(kept_charges) + sum(repriced_charges)
    application = apply_account_credit(max(charge, 0), available_credit_cents)
    return Reissue(charge, application.applied_cents, application.remaining_credit_cents)
