"""Invoices created on the spot (first period of a subscription, an order of a plan change):
lines, account credit applied first, and the items that record them."""
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.catalog import Catalog
from chalicelib.domain.due_day import payable_due_date
from chalicelib.domain.enums import InvoiceStatus, PaymentMethod
from chalicelib.domain.money import apply_account_credit, format_brl
from chalicelib.domain.periods import Period
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.plans.pricing import Plan, describe, licenses_price, storage_price
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import (
    BilledPeriodItem, InvoiceItem, InvoiceLine, OpenInvoiceItem, billed_period_sk, card_charge_due,
    invoice_sk, open_invoice_sk,
)
from chalicelib.store.reviews import overdue_review_due


@dataclass(frozen=True)
class Line:
    description: str
    amount_cents: int
    kind: str  # subscription | proration | addon | credit
    subscription_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    added_quantity: int | None = None  # licenses or GB an addition line adds (store InvoiceLine)


@dataclass(frozen=True)
class Order:
    """What an order charges, with the account credit already taken off."""

    lines: tuple[Line, ...]  # including the account credit line, if any
    charge_cents: int  # before account credit
    credit_applied_cents: int
    remaining_account_credit_cents: int

    @property
    def total_cents(self) -> int:
        return self.charge_cents - self.credit_applied_cents


def plan_lines(catalog: Catalog, plan: Plan, subscription_id: str, period: Period) -> list[Line]:
    """One period of the plan: the licenses (or flat price) and the storage add-on."""
    lines = [Line(describe(plan), licenses_price(plan), "subscription", subscription_id,
                  period.start, period.end)]
    if plan.storage_gb:
        lines.append(Line(f"Armazenamento adicional — {plan.storage_gb} GB", storage_price(catalog, plan),
                          "addon", subscription_id, period.start, period.end))
    return lines


def with_account_credit(lines: list[Line], available_credit_cents: int) -> Order:
    """Account credit pays the order first (PRODUCT.md §3)."""
    charge = sum(line.amount_cents for line in lines)
    application = apply_account_credit(charge, available_credit_cents)
    applied = application.applied_cents
    if applied:
        lines = [*lines, Line(f"Crédito da conta aplicado ({format_brl(applied)})", -applied, "credit")]
    return Order(tuple(lines), charge, applied, application.remaining_credit_cents)


@dataclass(frozen=True)
class BilledPeriod:
    subscription_id: str
    plan_revision: int
    period_start: date


def invoice_items(account_id: str, order: Order, *, origin: str, payment_method: str, now: datetime,
                  billed: list[BilledPeriod], number: str) -> tuple[InvoiceItem, list]:
    """The invoice plus what must be created with it: its live summary while open, and one
    uniqueness marker per billed period. number: AccountSnapshot.next_invoice_number."""
    today = now.date()
    invoice_id = sortable_id("inv", now)
    status = InvoiceStatus.OPEN if order.total_cents > 0 else InvoiceStatus.PAID
    # A card is charged at once; a boleto gets at least until the next business day.
    due = today if payment_method == PaymentMethod.CARD else payable_due_date(today)
    pk = account_pk(account_id)
    invoice = InvoiceItem(
        pk=pk, sk=invoice_sk(invoice_id), account_id=account_id, invoice_id=invoice_id, number=number,
        status=status.value, origin=origin, issue_date=today, due_date=due,
        payment_method=payment_method, lines=[_line_attribute(line) for line in order.lines],
        total_cents=order.total_cents, created_at=now,
    )
    related = [BilledPeriodItem(pk=pk, sk=billed_period_sk(b.subscription_id, b.plan_revision, b.period_start),
                                account_id=account_id, subscription_id=b.subscription_id,
                                plan_revision=b.plan_revision, period_start=b.period_start,
                                invoice_id=invoice_id, created_at=now)
               for b in billed]
    if status is InvoiceStatus.OPEN:
        subscription_ids = sorted({line.subscription_id for line in order.lines if line.subscription_id})
        # A card invoice joins the charge-cards job's list for its due date; any other, the
        # check-overdue job's list for the day after it (store/reviews.py).
        charge = (card_charge_due(account_id, invoice_id, due) if payment_method == PaymentMethod.CARD
                  else overdue_review_due(account_id, invoice_id, due))
        related.append(OpenInvoiceItem(
            pk=pk, sk=open_invoice_sk(invoice_id), account_id=account_id, invoice_id=invoice_id,
            status=status.value, due_date=due, total_cents=order.total_cents,
            payment_method=payment_method, subscription_ids=subscription_ids, created_at=now, **charge))
    return invoice, related


def _line_attribute(line: Line) -> InvoiceLine:
    return InvoiceLine(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                       subscription_id=line.subscription_id, period_start=line.period_start,
                       period_end=line.period_end, added_quantity=line.added_quantity)

