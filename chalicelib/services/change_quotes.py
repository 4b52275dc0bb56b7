"""What a change of plan, periodicity, licenses or storage will charge or credit (PRODUCT.md §3),
computed once by `quote` for both the preview and the change itself. Nothing here writes."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import Contract, Periodicity, Pricing
from chalicelib.domain.periods import Period
from chalicelib.domain.proration import change_plan_with_credit, prorate_addition, unused_credit_of_payments
from chalicelib.errors import Conflict
from chalicelib.services.orders import Line, Order, plan_lines, with_account_credit
from chalicelib.services.payment_rules import require_method_allowed
from chalicelib.services.pricing import Plan, period_price, storage_unit_price
from chalicelib.services.renewals import current_period
from chalicelib.services.subscriptions import catalog_plan, require_account
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem


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


def quote(catalog: Catalog, snapshot: AccountSnapshot, subscription: SubscriptionItem,
          request: ChangeRequest, today: date) -> Quote:
    account = require_account(snapshot)
    target = _target_plan(catalog, subscription, request)
    is_plan_change = (target.product.id != subscription.product_id
                      or target.periodicity.value != subscription.periodicity)
    method = request.payment_method or (subscription.renewal_payment_method if is_plan_change
                                        else subscription.payment_method)
    require_method_allowed(target.product, target.periodicity, method, snapshot)
    change = _Change(catalog, subscription, _period_in_force(subscription, today), target, today,
                     method, request.make_default, account.credit_cents)
    return _plan_change(change) if is_plan_change else _addition(change)


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
    current = current_period(subscription)
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

    def quote(self, **amounts) -> Quote:
        return Quote(subscription_id=self.subscription.subscription_id, plan=self.target,
                     payment_method=self.method, make_default=self.make_default, **amounts)


def _plan_change(change: _Change) -> Quote:
    """The unused part of what was paid buys the new plan from today (PRODUCT.md §3)."""
    subscription, current = change.subscription, change.current
    paid_parts = [(part.amount_cents, Period(part.since, current.end)) for part in subscription.period_payments]
    credit = unused_credit_of_payments(paid_parts, change.today)
    result = change_plan_with_credit(credit, change.today, period_price(change.catalog, change.target),
                                     change.target.periodicity)
    lines = []
    if result.charge_now_cents:
        lines = plan_lines(change.catalog, change.target, subscription.subscription_id, result.new_period)
        lines.append(Line("Crédito do período não utilizado do plano anterior", -credit, "credit",
                          subscription.subscription_id, current.start, current.end))
    return change.quote(
        is_plan_change=True, charge_now_cents=result.charge_now_cents, credit_cents=credit,
        account_credit_cents=result.account_credit_cents, days_granted=result.days_granted,
        new_period=result.new_period, order=with_account_credit(lines, change.available_credit_cents),
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
                change.subscription.subscription_id, change.today, current.end)
