"""Which lines the next invoice of an account carries.

One invoice per account and due date: every subscription period starting before the next due
date that was never billed, plus, under `carry`, the unpaid items of older open invoices (which
become superseded). Under `separate` the overdue invoice stays payable on its own. A (subscription,
period_start) is billed at most once: it is the key of every line."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.enums import Consolidation
from chalicelib.domain.errors import DomainError

LineKey = tuple[str, date]  # (subscription_id, period_start)


@dataclass(frozen=True)
class PeriodCharge:
    """A subscription period to bill, or an unpaid item of an older open invoice."""
    subscription_id: str
    period_start: date
    period_end: date
    amount_cents: int
    consolidation: Consolidation
    invoice_id: str | None = None  # set for items already on an open invoice

    @property
    def key(self) -> LineKey:
        return self.subscription_id, self.period_start


@dataclass(frozen=True)
class InvoicePlan:
    lines: tuple[PeriodCharge, ...]  # carried items keep their invoice_id: where they came from
    superseded_invoice_ids: tuple[str, ...]  # every unpaid item moved to the new invoice
    reissue_separately: tuple[PeriodCharge, ...]  # `separate` items left on a superseded invoice
    separate_invoice_ids: tuple[str, ...]  # stay payable on their own, untouched

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def plan_invoice(next_due_date: date, renewals: Iterable[PeriodCharge],
                 open_items: Iterable[PeriodCharge], billed_keys: Iterable[LineKey] = ()
                 ) -> InvoicePlan:
    """Lines of the invoice for the due date before `next_due_date`.

    renewals: candidate periods of the account's subscriptions (duplicates and periods already
    billed are dropped); open_items: unpaid items of older open invoices; billed_keys: every key
    already on any invoice, paid or not."""
    open_items = _unique_open_items(open_items)
    carried = [item for item in open_items if _is_carried(item)]
    taken = set(billed_keys) | {item.key for item in open_items}
    new_lines = _new_renewal_lines(renewals, next_due_date, taken)
    superseded = _invoice_ids(carried)
    left_behind = [item for item in open_items if item not in carried]
    return InvoicePlan(
        lines=tuple(sorted(carried, key=_line_order)) + new_lines,
        superseded_invoice_ids=superseded,
        reissue_separately=tuple(item for item in left_behind if item.invoice_id in superseded),
        separate_invoice_ids=tuple(i for i in _invoice_ids(left_behind) if i not in superseded),
    )


def _is_carried(item: PeriodCharge) -> bool:
    return Consolidation(item.consolidation) is Consolidation.CARRY


def _unique_open_items(open_items: Iterable[PeriodCharge]) -> list[PeriodCharge]:
    items = list(open_items)
    if any(item.invoice_id is None for item in items):
        raise DomainError("Item em aberto sem fatura de origem.")
    if len({item.key for item in items}) != len(items):
        raise DomainError("O mesmo período de uma assinatura está em duas faturas em aberto.")
    return items


def _new_renewal_lines(renewals: Iterable[PeriodCharge], next_due_date: date,
                       taken: set[LineKey]) -> tuple[PeriodCharge, ...]:
    lines = []
    for renewal in sorted(renewals, key=_line_order):
        if renewal.period_start < next_due_date and renewal.key not in taken:
            taken.add(renewal.key)
            lines.append(renewal)
    return tuple(lines)


def _invoice_ids(items: Iterable[PeriodCharge]) -> tuple[str, ...]:
    return tuple(sorted({item.invoice_id for item in items}))


def _line_order(item: PeriodCharge) -> tuple[date, str]:
    return item.period_start, item.subscription_id
