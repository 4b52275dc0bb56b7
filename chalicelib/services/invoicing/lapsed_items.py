"""The lapsed items an account's new invoice takes over (PRODUCT.md §4, consolidation): the unpaid
lines of its overdue open invoices grouped per invoice and subscription (one item each for
domain.consolidation.plan_invoice), what a superseded invoice carries besides them (fees move, the
credit it had applied and what was paid on it go back to the account), the `separate` items reissued
on their own, and a cancellation's bill that joins the renewal due the same day."""
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.consolidation import PeriodCharge
from chalicelib.domain.enums import Consolidation
from chalicelib.services.invoicing.drafts import (
    CANCELLATION, PAYABLE, REISSUE, TERMINATION, Draft, carried,
)
from chalicelib.store.invoices import InvoiceItem, InvoiceLine


def joins_the_renewal(invoice: InvoiceItem, due_date: date) -> bool:
    """A cancellation's bill for the renewal due that day. Not a termination's bill (undoing the
    cancellation voids it by itself), nor an order's: those are not renewals."""
    return (invoice.status in PAYABLE and invoice.due_date == due_date and invoice.origin == CANCELLATION
            and not any(line.kind == TERMINATION for line in invoice.lines))


@dataclass
class OpenGroup:
    """The lines one overdue invoice has for one subscription: one item for consolidation. Its
    identity in the plan is scoped to the invoice (renewals never collide with it: billed periods
    are excluded before, by `billed_through` and the ~BILLED# markers)."""

    invoice: InvoiceItem
    subscription_id: str
    lines: list[InvoiceLine]

    @property
    def key(self) -> str:
        return f"{self.invoice.invoice_id}/{self.subscription_id}"

    def charge(self, policies: dict[str, Consolidation]) -> PeriodCharge:
        starts = [line.period_start for line in self.lines if line.period_start] or [self.invoice.due_date]
        ends = [line.period_end for line in self.lines if line.period_end] or [self.invoice.due_date]
        return PeriodCharge(self.key, min(starts), max(ends), sum(line.amount_cents for line in self.lines),
                            policies.get(self.subscription_id, Consolidation.SEPARATE), self.invoice.invoice_id)


def open_groups(overdue: list[InvoiceItem]) -> dict[str, OpenGroup]:
    groups: dict[str, OpenGroup] = {}
    for invoice in overdue:
        for line in invoice.lines:
            if line.subscription_id:
                key = f"{invoice.invoice_id}/{line.subscription_id}"
                groups.setdefault(key, OpenGroup(invoice, line.subscription_id, [])).lines.append(
                    carried(line, invoice.invoice_id))
    return groups


def carry_the_rest(main: Draft, superseded: list[InvoiceItem]) -> int:
    """Lines of a superseded invoice that belong to no subscription: fees move with its items;
    account credit it had applied, and what was already paid on it, go back to the account's
    credit (applied again below). Returns that credit."""
    returned = 0
    for invoice in superseded:
        for line in invoice.lines:
            if line.subscription_id:
                continue
            if line.amount_cents < 0:
                returned -= line.amount_cents
            else:
                main.lines.append(carried(line, invoice.invoice_id))
        returned += invoice.paid_cents or 0
    return returned


def reissues(left_behind: tuple[PeriodCharge, ...], groups: dict[str, OpenGroup],
              invoices: dict[str, InvoiceItem]) -> list[Draft]:
    """`separate` items of a superseded invoice stay payable on their own: a new invoice each,
    with the old invoice's due date and method."""
    drafts: dict[str, Draft] = {}
    for item in left_behind:
        old = invoices[item.invoice_id]
        draft = drafts.setdefault(old.invoice_id, Draft(REISSUE, old.payment_method, old.due_date))
        draft.lines.extend(groups[item.subscription_id].lines)
    return list(drafts.values())
