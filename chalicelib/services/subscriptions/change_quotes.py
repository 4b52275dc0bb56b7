"""What a change of plan, periodicity, licenses or storage will charge or credit (PRODUCT.md §3),
computed once by `quote` for both the preview and the change itself. Nothing here writes.

When the renewal invoice of the next period was already issued (7 days ahead) and is still unpaid,
the quote also says how it is superseded and re-issued (`NextPeriod`, domain.reissue); when the next
period was already paid (settlement made it the current period), the change is quoted against that
paid period, all of its days unused.

A plan change credits only money received for the current period (Ummense: "saldo já pago"): the
unpaid part of the current period's open invoices gives no credit, and those invoices are voided or
superseded by the change's invoice, so the customer owes exactly the new plan from the change date."""
import copy
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import Contract, InvoiceStatus, Periodicity, Pricing
from chalicelib.domain.money import format_brl, prorate
from chalicelib.domain.periods import Period
from chalicelib.domain.proration import change_plan_with_credit, credit_from_received, prorate_addition
from chalicelib.domain.reissue import Reissue, reissue, returned_to_account
from chalicelib.errors import Conflict
from chalicelib.services.invoicing.drafts import renewal_lines
from chalicelib.services.invoicing.orders import Line, Order, plan_lines, with_account_credit
from chalicelib.services.plans.payment_rules import require_default_by_card, require_method_allowed
from chalicelib.services.plans.pricing import Plan, period_price, storage_unit_price
from chalicelib.services.plans.renewals import current_period, renewal_terms
from chalicelib.services.subscriptions.subscribing import catalog_plan
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem

REISSUE_ORIGIN = "reissue"
_PAYABLE = frozenset({InvoiceStatus.OPEN.value, InvoiceStatus.PARTIALLY_PAID.value})


@dataclass(frozen=True)
class ChangeRequest:
    product_id: str | None = None
    periodicity: Periodicity | None = None
    quantity: int | None = None
    storage_gb: int | None = None
    payment_method: str | None = None
    make_default: bool = False


@dataclass(frozen=True)
class Quote:
    """Everything a change will do, before anything is written."""

    subscription_id: str
    plan: Plan  # the plan after the change
    is_plan_change: bool  # product or periodicity: a new period starts today
    charge_now_cents: int
    credit_cents: int  # unused part of what was paid for the current period
    account_credit_cents: int  # leftover centavos of the credit, added to the account
    days_granted: int
    new_period: Period
    order: Order  # what the invoice will say (empty when nothing is charged)
    payment_method: str  # of this order
    make_default: bool
    payments: tuple[tuple[int, date], ...]  # the subscription's period payments afterwards
    next_period: "NextPeriod | None" = None  # the issued next-period invoice it supersedes
    account_credit_after_cents: int = 0  # the account's credit balance once everything is written
    reissued_invoice_id: str | None = None  # set by the change: the replacement of `next_period`
    # Unpaid invoices of the current period a plan change voids (or supersedes by its own invoice).
    voided: tuple[InvoiceItem, ...] = ()


@dataclass(frozen=True)
class NextPeriod:
    """The unpaid invoice already issued for the next period, superseded by the change, and what
    replaces it: the same invoice without the old plan's next period (a new plan bills its own
    periods) or with it re-priced (licenses or storage added), same due date and method."""

    superseded: InvoiceItem
    returned_cents: int  # account credit it had applied + what was paid on it, back to the account
    kept: tuple  # the superseded invoice's lines that stay (store InvoiceLine, as they were)
    added: tuple[Line, ...]  # the re-priced next period, then the account credit line
    amounts: Reissue
    repriced_period_start: date | None  # the next period re-billed by the replacement (additions)

    @property
    def lines(self) -> tuple[Line, ...]:
        """The replacement's lines, its account credit line included."""
        return tuple(_line(line) for line in self.kept) + self.added

    @property
    def superseded_invoice_id(self) -> str:
        return self.superseded.invoice_id

    @property
    def replaced(self) -> bool:
        """A replacement invoice is issued when something is left to bill."""
        return bool(self.lines)

    @property
    def due_date(self) -> date:
        return self.superseded.due_date

    @property
    def payment_method(self) -> str:
        return self.superseded.payment_method


def quote(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem,
          request: ChangeRequest, today: date, issued: InvoiceItem | None = None,
          unpaid: Sequence[InvoiceItem] = ()) -> Quote:
    """`issued`: the open invoice that already bills the subscription's next period, if any
    (read among `open_invoice_candidates`); `unpaid`: the other open
    invoices of the subscription (`open_invoice_candidates`), those of the current period give no
    credit for what is still unpaid on them."""
    account = snapshot.require_account()
    target = _target_plan(catalog, subscription, request)
    is_plan_change = (target.product.id != subscription.product_id
                      or target.periodicity.value != subscription.periodicity)
    method = request.payment_method or (subscription.renewal_payment_method if is_plan_change
                                        else subscription.payment_method)
    require_method_allowed(target.product, target.periodicity, method, snapshot)
    require_default_by_card(method, request.make_default)
    current = _period_in_force(subscription, today)
    superseded = _issued_next_period(subscription, issued)
    returned = _returned(superseded)
    current_unpaid = [invoice for invoice in unpaid if invoice is not superseded and invoice.status in _PAYABLE
                      and _current_period_lines(invoice, subscription, current)]
    withheld = _unpaid_by_since(subscription, current, current_unpaid, superseded)
    change = _Change(catalog, subscription, current, target, max(today, current.start),
                     method, request.make_default, account.credit_cents + returned, withheld)
    result = _plan_change(change) if is_plan_change else _addition(change)
    if is_plan_change and current_unpaid:
        result = replace(result, voided=_voided(subscription, current, current_unpaid))
    next_period = None
    if superseded is not None:
        next_period = _next_period(catalog, snapshot, subscription, result, superseded, returned, current)
        if next_period is None:  # the re-priced period costs what was issued: nothing to supersede
            change = replace(change, available_credit_cents=account.credit_cents,
                             withheld=_unpaid_by_since(subscription, current, current_unpaid, None))
            result = _plan_change(change) if is_plan_change else _addition(change)
    remaining = next_period.amounts.remaining_credit_cents if next_period else result.order.remaining_account_credit_cents
    return replace(result, next_period=next_period,
                   account_credit_after_cents=remaining + result.account_credit_cents)


def open_invoice_candidates(snapshot: AccountSnapshot, subscription: SubscriptionItem,
                            request: ChangeRequest) -> list[str]:
    """The payable open invoices billing the subscription that the change must read: for a plan
    change, all of them (the current period's unpaid ones give no credit and are superseded); for
    an addition, only when a period after the current one was billed already (the renewal invoice is
    issued 7 days ahead). Empty otherwise, so a change reads nothing more."""
    plan_change = ((request.product_id or subscription.product_id) != subscription.product_id
                   or (request.periodicity or subscription.periodicity) != subscription.periodicity)
    billed = subscription.billed_through
    if not plan_change and (not billed or billed <= subscription.current_period_end):
        return []
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in _PAYABLE and subscription.subscription_id in (summary.subscription_ids or [])]


def _current_period_lines(invoice: InvoiceItem, subscription: SubscriptionItem, current: Period) -> list:
    """What the invoice bills of the subscription's current period (not credits, not other periods)."""
    return [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
            and line.amount_cents > 0 and line.kind != "credit" and line.period_start is not None
            and current.start <= line.period_start < current.end]


def _unpaid_by_since(subscription: SubscriptionItem, current: Period, unpaid: list[InvoiceItem],
                     superseded: InvoiceItem | None) -> dict[date, int]:
    """Billed for the current period but not received, by the day each part starts covering (a
    payment part's `since`). An invoice paid in part counts its payment pro rata over its lines;
    the superseded next-period invoice's payments go back to the account whole, so what it carried
    of the current period counts as unpaid."""
    withheld: dict[date, int] = defaultdict(int)
    for invoice in unpaid:
        billed = sum(line.amount_cents for line in invoice.lines if line.amount_cents > 0)
        owed = max(invoice.total_cents - (invoice.paid_cents or 0), 0)
        by_since: dict[date, int] = defaultdict(int)
        for line in _current_period_lines(invoice, subscription, current):
            by_since[line.period_start] += line.amount_cents
        for since, amount in by_since.items():
            withheld[since] += min(amount, prorate(owed, amount, billed))
    if superseded is not None:
        for line in _current_period_lines(superseded, subscription, current):
            withheld[line.period_start] += line.amount_cents
    return dict(withheld)


def _received_parts(subscription: SubscriptionItem, current: Period,
                    withheld: dict[date, int]) -> list[tuple[int, int, Period]]:
    """(billed, received, covered) of each payment part of the current period."""
    left = dict(withheld)
    parts = []
    for part in subscription.period_payments:
        unpaid = min(part.amount_cents, left.get(part.since, 0))
        left[part.since] = left.get(part.since, 0) - unpaid
        parts.append((part.amount_cents, part.amount_cents - unpaid, Period(part.since, current.end)))
    return parts


def _voided(subscription: SubscriptionItem, current: Period, unpaid: list[InvoiceItem]) -> tuple[InvoiceItem, ...]:
    """The current period's unpaid invoices a plan change voids, with the late fees a 2ª via added to
    them (fees of a debt that is voided). One that also bills something else cannot be voided whole:
    the change waits until it is paid."""
    for invoice in unpaid:
        own = {id(line) for line in _current_period_lines(invoice, subscription, current)}
        if any(line.amount_cents > 0 and id(line) not in own and (line.subscription_id or line.kind != "fee")
               for line in invoice.lines):
            raise Conflict("Há uma fatura em aberto deste período que cobra também outros itens; pague-a "
                           "antes de alterar o plano.", code="open_invoice_bills_other_items",
                           details={"invoice_id": invoice.invoice_id})
    return tuple(unpaid)


def _issued_next_period(subscription: SubscriptionItem, issued: InvoiceItem | None) -> InvoiceItem | None:
    if issued is None or issued.status not in _PAYABLE or not _next_period_lines(issued, subscription):
        return None
    return issued


def pick_next_period_invoice(invoices: list[InvoiceItem], subscription: SubscriptionItem) -> InvoiceItem | None:
    """Of the candidates read, the payable one billing the period that starts at the current end."""
    return next((invoice for invoice in invoices if _issued_next_period(subscription, invoice) is not None), None)


def _next_period_lines(invoice: InvoiceItem, subscription: SubscriptionItem) -> list:
    start = subscription.current_period_end
    return [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
            and line.period_start is not None and line.period_start >= start]


def _returned(invoice: InvoiceItem | None) -> int:
    if invoice is None:
        return 0
    applied = -sum(line.amount_cents for line in invoice.lines
                   if not line.subscription_id and line.amount_cents < 0)
    return returned_to_account(applied, invoice.paid_cents or 0)


def _next_period(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem, result: Quote,
                 superseded: InvoiceItem, returned: int, current: Period) -> NextPeriod | None:
    old = _next_period_lines(superseded, subscription)
    taken = {id(line) for line in old}
    if result.is_plan_change:  # current-period items it carried are voided with the old plan
        taken |= {id(line) for line in _current_period_lines(superseded, subscription, current)}
    kept = [line for line in superseded.lines
            if id(line) not in taken and (line.subscription_id or line.amount_cents >= 0)]
    repriced: list[Line] = []
    start = None
    if not result.is_plan_change:  # the same plan, more licenses or storage: the period re-priced
        repriced = list(_repriced_lines(catalog, snapshot, subscription, result))
        if [(l.amount_cents, l.kind, l.period_start, l.period_end) for l in repriced] == [
                (l.amount_cents, l.kind, l.period_start, l.period_end) for l in old]:
            return None
        start = subscription.current_period_end
    amounts = reissue([line.amount_cents for line in kept], [line.amount_cents for line in repriced],
                      result.order.remaining_account_credit_cents)
    added = repriced
    if amounts.credit_applied_cents:
        added.append(Line(f"Crédito da conta aplicado ({format_brl(amounts.credit_applied_cents)})",
                          -amounts.credit_applied_cents, "credit"))
    return NextPeriod(superseded, returned, tuple(kept), tuple(added), amounts, start)


def _repriced_lines(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                    result: Quote) -> tuple[Line, ...]:
    """The next period as the invoicing job bills it, with the licenses and storage after the change."""
    changed = copy.deepcopy(subscription)
    changed.quantity, changed.storage_gb = result.plan.quantity, result.plan.storage_gb
    members = sum(1 for member in snapshot.members if member.active)
    terms = renewal_terms(catalog, changed, snapshot.account.due_day, members)
    return renewal_lines(catalog, changed, terms) if terms is not None else ()


def _line(line) -> Line:
    return Line(line.description, line.amount_cents, line.kind, line.subscription_id, line.period_start,
                line.period_end)


def _target_plan(catalog: Catalog, subscription: SubscriptionItem, request: ChangeRequest) -> Plan:
    target = catalog_plan(
        catalog, request.product_id or subscription.product_id,
        request.periodicity or Periodicity(subscription.periodicity),
        request.quantity if request.quantity is not None else _kept_quantity(catalog, subscription, request),
        request.storage_gb if request.storage_gb is not None else subscription.storage_gb)
    _require_same_kind_of_contract(catalog.product(subscription.product_id), target.product)
    if target.quantity < subscription.quantity and target.product.id == subscription.product_id:
        raise Conflict("Licenças não são removidas por alteração de plano: desative os usuários que não "
                       "usarão mais o sistema e escolha renovar apenas as licenças ativas; a redução vale "
                       "na próxima renovação.", code="license_reduction_at_renewal")
    if target.storage_gb < subscription.storage_gb:
        raise Conflict("O armazenamento contratado não pode ser reduzido no meio do período.",
                       code="storage_reduction_not_allowed")
    if (target.product.id, target.periodicity.value, target.quantity, target.storage_gb) == (
            subscription.product_id, subscription.periodicity, subscription.quantity, subscription.storage_gb):
        raise Conflict("A alteração pedida é igual ao plano atual.", code="nothing_to_change")
    return target


def _require_same_kind_of_contract(current: Product, target: Product) -> None:
    """A fixed-term contract owes its whole term (leaving it early is a cancellation), and a partner
    batch is not interchangeable with a single subscription: neither moves by a plan change."""
    if target.id == current.id:
        return
    if Contract.FIXED_TERM in (current.contract, target.contract) or current.kind is not target.kind:
        raise Conflict(f"Não é possível trocar {current.name} por {target.name} com uma alteração de plano; "
                       f"fale com o financeiro.", code="plan_change_not_offered")


def _kept_quantity(catalog: Catalog, subscription: SubscriptionItem, request: ChangeRequest) -> int:
    """Licenses carried over; a flat product has exactly one."""
    product = catalog.product(request.product_id or subscription.product_id)
    if product is not None and product.pricing is not Pricing.PER_SEAT:
        return 1
    return subscription.quantity


def _period_in_force(subscription: SubscriptionItem, today: date) -> Period:
    """The period the change credits. Before its start, it is the next period paid ahead (settlement
    makes a paid renewal the current period at once): the change is quoted from its first day, every
    day of it unused, so its whole payment counts as credit."""
    current = current_period(subscription)
    if today < current.start and subscription.paid_cents:
        return current
    if not current.contains(today):
        raise Conflict("O período atual da assinatura não está em vigor hoje; regularize a renovação "
                       "antes de alterar o plano.", code="period_not_in_force",
                       details={"current_period_start": current.start.isoformat(),
                                "current_period_end": current.end.isoformat()})
    return current


@dataclass(frozen=True)
class _Change:
    catalog: Catalog
    subscription: SubscriptionItem
    current: Period  # the period in force on the change date
    target: Plan
    today: date
    method: str
    make_default: bool
    available_credit_cents: int  # the account's credit, paying the order first
    withheld: dict  # date -> centavos billed for the current period but not received

    def quote(self, **amounts) -> Quote:
        return Quote(subscription_id=self.subscription.subscription_id, plan=self.target,
                     payment_method=self.method, make_default=self.make_default, **amounts)


def _plan_change(change: _Change) -> Quote:
    """The unused part of what was paid buys the new plan from today (PRODUCT.md §3)."""
    subscription, current = change.subscription, change.current
    received = credit_from_received(_received_parts(subscription, current, change.withheld), change.today)
    credit = received.credit_cents
    result = change_plan_with_credit(credit, change.today, period_price(change.catalog, change.target),
                                     change.target.periodicity)
    lines = []
    if result.charge_now_cents:
        lines = plan_lines(change.catalog, change.target, subscription.subscription_id, result.new_period)
        lines.append(Line("Crédito do período não utilizado do plano anterior", -credit, "credit",
                          subscription.subscription_id, current.start, current.end))
    return change.quote(
        is_plan_change=True, charge_now_cents=result.charge_now_cents, credit_cents=credit,
        account_credit_cents=result.account_credit_cents + received.refund_cents,
        days_granted=result.days_granted, new_period=result.new_period,
        order=with_account_credit(lines, change.available_credit_cents),
        payments=((result.granted_value_cents, result.new_period_start),))


def _addition(change: _Change) -> Quote:
    """Licenses and storage added now, prorated to the end of the current period."""
    subscription, current, target = change.subscription, change.current, change.target
    lines = []
    added_licenses = target.quantity - subscription.quantity
    if added_licenses:
        unit = target.product.prices[target.periodicity]
        lines.append(_addition_line(change, f"{added_licenses} licença(s) adicional(is)", "proration",
                                    added_licenses, unit))
    added_gb = target.storage_gb - subscription.storage_gb
    if added_gb:
        unit = storage_unit_price(change.catalog, target.periodicity)
        lines.append(_addition_line(change, f"{added_gb} GB de armazenamento adicional", "addon", added_gb, unit))
    charge = sum(line.amount_cents for line in lines)
    payments = tuple((part.amount_cents, part.since) for part in subscription.period_payments)
    return change.quote(
        is_plan_change=False, charge_now_cents=charge, credit_cents=0, account_credit_cents=0,
        days_granted=0, new_period=current, order=with_account_credit(lines, change.available_credit_cents),
        payments=payments + (((charge, change.today),) if charge else ()))


def _addition_line(change: _Change, what: str, kind: str, added: int, unit_price_cents: int) -> Line:
    current = change.current
    amount = prorate_addition(added, unit_price_cents, current, change.today, change.target.periodicity)
    return Line(f"{what}, proporcional até {current.end:%d/%m/%Y}", amount, kind,
                change.subscription.subscription_id, change.today, current.end, added_quantity=added)
