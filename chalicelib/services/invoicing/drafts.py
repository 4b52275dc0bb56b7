"""What the invoicing job bills for one account and due date, before anything is written.

- Renewals: every period of a renewing subscription that starts before the coverage end and was not
  billed yet (from `billed_through`), priced by services.renewals (due-day landing, active seats).
- Lapsed items: the unpaid items of the account's overdue open invoices, under each product's
  consolidation policy (domain.consolidation.plan_invoice): `carry` moves them into the new
  invoice and the old one is superseded; `separate` leaves the old invoice payable on its own.
- What a cancellation still bills for a renewal due on the same day (a batch license cancelled late,
  a renewal a late notice billed at once) joins the renewal's invoice, and its own invoice is
  superseded: one invoice, one boleto, per account and due date (Promob: "o boleto que contempla o
  pagamento das assinaturas"), whatever the consolidation policy.
- One invoice per payment method (an invoice is paid by one method: the boleto, or the card on the
  due date); carried items join the main one (boleto when any renewal is paid by boleto).
- Account credit pays first. A superseded invoice gives back what it had applied or received, so
  the new invoice settles the whole debt once: nothing created, nothing lost."""
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from chalicelib.catalog import Catalog
from chalicelib.domain.consolidation import PeriodCharge, plan_invoice
from chalicelib.domain.enums import Consolidation, InvoiceStatus, PaymentMethod, Periodicity
from chalicelib.domain.money import apply_account_credit, format_brl
from chalicelib.services.plans.invoice_schedule import term_complete
from chalicelib.services.invoicing.orders import Line, plan_lines
from chalicelib.services.plans.pricing import Plan
from chalicelib.services.plans.renewals import RenewalTerms, renewal_terms
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, InvoiceLine
from chalicelib.store.subscriptions import SubscriptionItem

PAYABLE = frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value})
MAX_PERIODS_PER_RUN = 36  # a subscription years behind is billed at most three years at once
RENEWAL, REISSUE = "renewal", "reissue"
CANCELLATION, TERMINATION = "cancellation", "termination"  # collections.cancellation_invoices (above: not imported)


@dataclass(frozen=True)
class Renewal:
    subscription: SubscriptionItem
    terms: RenewalTerms
    lines: tuple[Line, ...]
    consolidation: Consolidation

    @property
    def charge(self) -> PeriodCharge:
        period = self.terms.period
        return PeriodCharge(self.subscription.subscription_id, period.start, period.end,
                            self.terms.amount_cents, self.consolidation)


@dataclass
class Draft:
    """One invoice to issue."""

    origin: str  # renewal | reissue (separate items left on a superseded invoice)
    payment_method: str
    due_date: date
    lines: list[InvoiceLine] = field(default_factory=list)
    renewals: list[Renewal] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def subscription_ids(self) -> list[str]:
        return sorted({line.subscription_id for line in self.lines if line.subscription_id})


@dataclass
class AccountBill:
    drafts: list[Draft]  # the main invoice first
    superseded: list[InvoiceItem]  # taken over by drafts[0]
    account_credit_cents: int  # the account's credit balance afterwards

    @property
    def empty(self) -> bool:
        return not any(draft.renewals for draft in self.drafts)


def overdue_invoice_ids(snapshot: AccountSnapshot, today: date) -> list[str]:
    """Open invoices already past their due date: the lapsed items consolidation looks at."""
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in PAYABLE and summary.due_date < today]


def same_due_invoice_ids(snapshot: AccountSnapshot, due_date: date) -> list[str]:
    """Open invoices due on the day the run bills: a cancellation's bill for that renewal joins it."""
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in PAYABLE and summary.due_date == due_date]


def bill_account(catalog: Catalog, snapshot: AccountSnapshot, overdue: list[InvoiceItem],
                 due_date: date, coverage_end: date) -> AccountBill:
    """`overdue`: the overdue invoices, and those due on `due_date` (same_due_invoice_ids)."""
    account = snapshot.account
    renewals = pending_renewals(catalog, snapshot, coverage_end)
    if not renewals:
        return AccountBill([], [], account.credit_cents)
    joining = [invoice for invoice in overdue if _joins_the_renewal(invoice, due_date)]
    overdue = [invoice for invoice in overdue if invoice.status in PAYABLE and invoice.due_date < due_date]
    groups = _open_groups(overdue)
    policies = {s.subscription_id: _consolidation(catalog, s) for s in snapshot.subscriptions}
    plan = plan_invoice(coverage_end, [r.charge for r in renewals],
                        [group.charge(policies) for group in groups.values()])
    drafts = _renewal_drafts(renewals, due_date)
    main = drafts[0]
    by_id = {invoice.invoice_id: invoice for invoice in overdue}
    superseded = [by_id[invoice_id] for invoice_id in plan.superseded_invoice_ids]
    main.lines[:0] = [line for item in plan.lines if item.invoice_id for line in groups[item.subscription_id].lines]
    main.lines.extend(carried(line, invoice.invoice_id) for invoice in joining for line in invoice.lines
                      if line.subscription_id)
    superseded.extend(joining)
    returned_credit = _carry_the_rest(main, superseded)
    drafts.extend(_reissues(plan.reissue_separately, groups, by_id))
    credit = _apply_credit(drafts, account.credit_cents + returned_credit)
    return AccountBill(drafts, superseded, credit)


def _joins_the_renewal(invoice: InvoiceItem, due_date: date) -> bool:
    """A cancellation's bill for the renewal due that day. Not a termination's bill (undoing the
    cancellation voids it by itself), nor an order's: those are not renewals."""
    return (invoice.status in PAYABLE and invoice.due_date == due_date and invoice.origin == CANCELLATION
            and not any(line.kind == TERMINATION for line in invoice.lines))


def pending_renewals(catalog: Catalog, snapshot: AccountSnapshot, coverage_end: date) -> list[Renewal]:
    due_day = snapshot.account.due_day
    members = sum(1 for member in snapshot.members if member.active)
    renewals = []
    for subscription in snapshot.subscriptions:
        renewals.extend(_renewals_of(catalog, subscription, due_day, members, coverage_end))
    return renewals


def _renewals_of(catalog, subscription, due_day, members, coverage_end):
    billed_through, billed = subscription.billed_through, subscription.renewals_billed
    for _ in range(MAX_PERIODS_PER_RUN):
        if term_complete(catalog, subscription, billed):
            return
        terms = renewal_terms(catalog, subscription, due_day, members, after=billed_through)
        if terms is None or terms.period.start >= coverage_end:
            return
        yield Renewal(subscription, terms, renewal_lines(catalog, subscription, terms),
                      _consolidation(catalog, subscription))
        billed_through, billed = terms.period.end, billed + 1


def renewal_lines(catalog: Catalog, subscription: SubscriptionItem, terms: RenewalTerms) -> tuple[Line, ...]:
    plan = Plan(catalog.product(subscription.product_id), Periodicity(subscription.periodicity),
                terms.quantity, terms.storage_gb)
    period = terms.period
    span = f" ({period.start:%d/%m/%Y} a {period.end - timedelta(days=1):%d/%m/%Y})"
    lines = [replace(line, description=line.description + span)
             for line in plan_lines(catalog, plan, subscription.subscription_id, period)]
    if terms.proration_cents:
        lines.append(Line("Ajuste proporcional ao dia de vencimento", terms.proration_cents, "proration",
                          subscription.subscription_id, period.start, period.end))
    return tuple(lines)


def _consolidation(catalog: Catalog, subscription: SubscriptionItem) -> Consolidation:
    product = catalog.product(subscription.product_id)
    return product.consolidation if product else Consolidation.SEPARATE


def _renewal_drafts(renewals: list[Renewal], due_date: date) -> list[Draft]:
    by_method: dict[str, Draft] = {}
    for renewal in renewals:
        method = renewal.terms.payment_method
        draft = by_method.setdefault(method, Draft(RENEWAL, method, due_date))
        draft.renewals.append(renewal)
        draft.lines.extend(invoice_line(line) for line in renewal.lines)
    main = PaymentMethod.BOLETO.value if PaymentMethod.BOLETO.value in by_method else next(iter(by_method))
    return [by_method.pop(main), *by_method.values()]


@dataclass
class _OpenGroup:
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


def _open_groups(overdue: list[InvoiceItem]) -> dict[str, _OpenGroup]:
    groups: dict[str, _OpenGroup] = {}
    for invoice in overdue:
        for line in invoice.lines:
            if line.subscription_id:
                key = f"{invoice.invoice_id}/{line.subscription_id}"
                groups.setdefault(key, _OpenGroup(invoice, line.subscription_id, [])).lines.append(
                    carried(line, invoice.invoice_id))
    return groups


def _carry_the_rest(main: Draft, superseded: list[InvoiceItem]) -> int:
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


def _reissues(left_behind: tuple[PeriodCharge, ...], groups: dict[str, _OpenGroup],
              invoices: dict[str, InvoiceItem]) -> list[Draft]:
    """`separate` items of a superseded invoice stay payable on their own: a new invoice each,
    with the old invoice's due date and method."""
    drafts: dict[str, Draft] = {}
    for item in left_behind:
        old = invoices[item.invoice_id]
        draft = drafts.setdefault(old.invoice_id, Draft(REISSUE, old.payment_method, old.due_date))
        draft.lines.extend(groups[item.subscription_id].lines)
    return list(drafts.values())


def _apply_credit(drafts: list[Draft], available: int) -> int:
    for draft in drafts:
        total = draft.total_cents
        if total <= 0 or not available:
            continue
        application = apply_account_credit(total, available)
        available = application.remaining_credit_cents
        applied = application.applied_cents
        credit = Line(f"Crédito da conta aplicado ({format_brl(applied)})", -applied, "credit")
        draft.lines.append(invoice_line(credit))
    return available


def invoice_line(line: Line) -> InvoiceLine:
    return InvoiceLine(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                       subscription_id=line.subscription_id, period_start=line.period_start,
                       period_end=line.period_end)


def carried(line: InvoiceLine, invoice_id: str) -> InvoiceLine:
    return InvoiceLine(description=line.description, amount_cents=line.amount_cents, kind=line.kind,
                       subscription_id=line.subscription_id, period_start=line.period_start,
                       period_end=line.period_end, source_invoice_id=line.source_invoice_id or invoice_id)
