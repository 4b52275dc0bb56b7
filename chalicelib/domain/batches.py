"""Partner batches (Conta Azul Mais, PRODUCT.md §8): when a license leaves its batch.

A license leaves the batch on one of the batch's renewal dates, never in the middle of a paid
period. Cancelling it at least 30 days before the next renewal takes it out at that renewal; later
than that, the next renewal still bills it once more and it leaves one period later. A transfer of
billing responsibility takes it out at the next renewal. A renewal already invoiced cannot be
unbilled: the license then leaves at the end of what was invoiced."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.cancellation import NOTICE_DAYS
from chalicelib.domain.errors import DomainError
from chalicelib.domain.periods import Period


@dataclass(frozen=True)
class LicenseExit:
    leaves_on: date  # a batch renewal date: the first day the batch no longer holds the license
    billed_once_more: Period | None  # a period the license is still charged for, not invoiced yet


def license_exit(current: Period, following: Period, today: date, billed_through: date | None,
                 with_notice: bool, notice_days: int = NOTICE_DAYS) -> LicenseExit:
    """`following`: the batch period after `current`; `billed_through`: the end of the last batch
    renewal invoiced (None or `current.end` when the next one is not invoiced yet);
    `with_notice`: a cancellation, which needs `notice_days` before the renewal (a transfer does not)."""
    if following.start != current.end:
        raise DomainError("O período seguinte deve começar quando o atual termina.")
    late = with_notice and (current.end - today).days < notice_days
    leaves_on = following.end if late else current.end
    invoiced_until = max(billed_through or current.end, current.end)
    if invoiced_until >= leaves_on:
        return LicenseExit(invoiced_until, None)
    return LicenseExit(leaves_on, Period(invoiced_until, leaves_on))
