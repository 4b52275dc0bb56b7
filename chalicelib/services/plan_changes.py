"""Changes of plan, periodicity, licenses and storage (PRODUCT.md §3). The preview and the change
itself run the same `quote`; applying only adds the writes."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import Periodicity, Pricing
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.proration import change_plan_with_credit, prorate_addition, unused_credit_of_payments
from chalicelib.errors import Conflict
from chalicelib.services.audit import audit_entry
from chalicelib.services.instants import frozen
from chalicelib.services.orders import BilledPeriod, Line, Order, invoice_items, plan_lines, with_account_credit
from chalicelib.services.payment_rules import require_card_still_there, require_method_allowed
from chalicelib.services.pricing import Plan, period_price, storage_unit_price
from chalicelib.services.renewals import current_period
from chalicelib.services.subscriptions import (
    catalog_plan, changeable_subscription, require_account, subscription_summary,
)
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.invoices import BilledPeriodItem
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem


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
    current = _period_in_force(subscription, today)
    if is_plan_change:
        return _plan_change(catalog, account.credit_cents, subscription, current, target, request, method, today)
    return _addition(catalog, account.credit_cents, subscription, current, target, request, method, today)


def _target_plan(catalog: Catalog, subscription: SubscriptionItem, request: ChangeRequest) -> Plan:
    target = catalog_plan(
        catalog, request.product_id or subscription.product_id,
        request.periodicity or Periodicity(subscription.periodicity),
        request.quantity if request.quantity is not None else _kept_quantity(catalog, subscription, request),
        request.storage_gb if request.storage_gb is not None else subscription.storage_gb)
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


def _plan_change(catalog, available_credit, subscription, current, target, request, method, today) -> Quote:
    payments = [(part.amount_cents, Period(part.since, current.end)) for part in subscription.period_payments]
    credit = unused_credit_of_payments(payments, today)
    new_price = period_price(catalog, target)
    change = change_plan_with_credit(credit, today, new_price, target.periodicity)
    lines = []
    if change.charge_now_cents:
        lines = plan_lines(catalog, target, subscription.subscription_id, change.new_period)
        lines.append(Line("Crédito do período não utilizado do plano anterior", -credit, "credit",
                          subscription.subscription_id, current.start, current.end))
    return Quote(subscription.subscription_id, target, True, change.charge_now_cents, credit,
                 change.account_credit_cents, change.days_granted, change.new_period,
                 with_account_credit(lines, available_credit), method, request.make_default,
                 ((change.granted_value_cents, change.new_period_start),))


def _addition(catalog, available_credit, subscription, current, target, request, method, today) -> Quote:
    periodicity = target.periodicity
    lines = []
    added_licenses = target.quantity - subscription.quantity
    if added_licenses:
        amount = prorate_addition(added_licenses, target.product.prices[periodicity], current, today, periodicity)
        lines.append(Line(f"{added_licenses} licença(s) adicional(is), proporcional até "
                          f"{current.end:%d/%m/%Y}", amount, "proration",
                          subscription.subscription_id, today, current.end))
    added_gb = target.storage_gb - subscription.storage_gb
    if added_gb:
        amount = prorate_addition(added_gb, storage_unit_price(catalog, periodicity), current, today, periodicity)
        lines.append(Line(f"{added_gb} GB de armazenamento adicional, proporcional até "
                          f"{current.end:%d/%m/%Y}", amount, "addon",
                          subscription.subscription_id, today, current.end))
    charge = sum(line.amount_cents for line in lines)
    payments = tuple((part.amount_cents, part.since) for part in subscription.period_payments)
    return Quote(subscription.subscription_id, target, False, charge, 0, 0, 0, current,
                 with_account_credit(lines, available_credit), method, request.make_default,
                 payments + (((charge, today),) if charge else ()))


_ALREADY_BILLED = Conflict("Este período desta assinatura já foi faturado; confira as faturas em aberto.",
                           code="period_already_billed")


class PlanChangeService:
    def __init__(self, repository, catalog: Catalog, clock):
        self._repo = repository
        self._catalog = catalog
        self._clock = clock

    def preview(self, account_id: str, subscription_id: str, request: ChangeRequest) -> Quote:
        today = self._clock.today()
        snapshot = self._repo.snapshot(account_id)
        subscription = changeable_subscription(snapshot, subscription_id)
        return quote(self._catalog, snapshot, subscription, request, today)

    def apply(self, account_id: str, subscription_id: str, request: ChangeRequest,
              actor: str) -> tuple[Quote, str | None]:
        """The quote, written: the subscription, the account (credit, default method), the order's
        invoice and the audit entry, in one transaction. Returns the quote and the invoice id."""
        clock = frozen(self._clock)
        now = clock.now()
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = changeable_subscription(snapshot, subscription_id)
        result = quote(self._catalog, snapshot, subscription, request, now.date())
        before = subscription_summary(subscription)
        writes = self._repo.writes()
        invoice_id = self._add_invoice(writes, account_id, subscription, result, now)
        self._update_subscription(subscription, result)
        writes.save(subscription)
        account_changes = self._update_account(snapshot, result)
        if account_changes:
            writes.save(snapshot.account)
        require_card_still_there(writes, account_id, result.payment_method)
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.changed",
                                target=subscription_id, before=before,
                                after=subscription_summary(subscription) | account_changes | {
                                    "charge_now_cents": result.charge_now_cents, "invoice_id": invoice_id}))
        writes.commit()
        return result, invoice_id

    def _add_invoice(self, writes: WriteSet, account_id: str, subscription: SubscriptionItem,
                     result: Quote, now) -> str | None:
        if not result.charge_now_cents:
            return None
        billed = []
        if result.is_plan_change:  # the new plan's first period is billed; additions are not periods
            billed = [BilledPeriod(subscription.subscription_id, subscription.plan_revision + 1,
                                   result.new_period.start)]
        invoice, related = invoice_items(account_id, result.order, origin="change",
                                         payment_method=result.payment_method, now=now, billed=billed)
        writes.create(invoice)
        for item in related:
            writes.create(item, conflict=_ALREADY_BILLED if isinstance(item, BilledPeriodItem) else None)
        return invoice.invoice_id

    @staticmethod
    def _update_subscription(subscription: SubscriptionItem, result: Quote) -> None:
        plan = result.plan
        subscription.quantity = plan.quantity
        subscription.storage_gb = plan.storage_gb
        subscription.period_payments = [PaymentPart(amount_cents=amount, since=since)
                                        for amount, since in result.payments]
        if result.is_plan_change:
            subscription.product_id = plan.product.id
            subscription.periodicity = plan.periodicity.value
            subscription.current_period_start = result.new_period.start
            subscription.current_period_end = result.new_period.end
            subscription.anchor_day = _anchor_day(result.new_period, plan.periodicity)
            subscription.plan_revision += 1
            # The new plan starts now, paid by the method chosen for it.
            subscription.payment_method = result.payment_method
            subscription.pending_payment_method = None
        elif result.make_default and result.payment_method != subscription.payment_method:
            subscription.pending_payment_method = result.payment_method  # from the next renewal

    @staticmethod
    def _update_account(snapshot: AccountSnapshot, result: Quote) -> dict:
        account = snapshot.account
        changes = {}
        credit = result.order.remaining_account_credit_cents + result.account_credit_cents
        if credit != account.credit_cents:
            changes["account_credit_cents"] = credit
            account.credit_cents = credit
        if result.make_default and account.default_payment_method != result.payment_method:
            changes["default_payment_method"] = result.payment_method
            account.default_payment_method = result.payment_method
        return changes


def _anchor_day(period: Period, periodicity: Periodicity) -> int:
    """A whole new period keeps its start day (Jan 31 renews on Feb 28, then Mar 31); a period
    stretched or shortened by credit renews on the day it ends."""
    return period.start.day if period == period_starting(period.start, periodicity) else period.end.day

