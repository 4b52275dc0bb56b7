"""What a change of plan, periodicity, licenses or storage will charge or credit (PRODUCT.md §3),
computed once by `quote` for both the preview and the change itself. Nothing here writes.

When the renewal invoice of the next period was already issued (7 days ahead) and is still unpaid,
the quote also says how it is superseded and re-issued (`NextPeriod`, domain.reissue); when the next
period was already paid (settlement made it the current period), the change is quoted against that
paid period, all of its days unused.

A plan change credits only money received for the current period (Ummense: "saldo já pago"): the
unpaid part of the current period's open invoices gives no credit, and those invoices are voided or
superseded by the change's invoice, so the customer owes exactly the new plan from the change date."""
from dataclasses import replace
from datetime import date
from collections.abc import Sequence

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import Contract, Periodicity, Pricing
from chalicelib.domain.periods import Period
from chalicelib.domain.promotions import in_trial
from chalicelib.errors import Conflict
from chalicelib.services.plans.payment_rules import require_default_by_card, require_method_allowed
from chalicelib.services.plans.pricing import Plan
from chalicelib.services.plans.renewals import current_period
from chalicelib.services.subscriptions.change_pricing import Change, addition, plan_change, trial_change
from chalicelib.services.subscriptions.change_terms import PAYABLE, ChangeRequest, Quote
from chalicelib.services.subscriptions.period_receipts import current_period_lines, unpaid_by_since, voided_invoices
from chalicelib.services.subscriptions.subscription_rules import catalog_plan
from chalicelib.services.subscriptions.superseded_renewals import (
    issued_next_period, next_period_of, returned_to_account_cents,
)
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.subscriptions import SubscriptionItem


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
    superseded = issued_next_period(subscription, issued)
    returned = returned_to_account_cents(superseded)
    current_unpaid = [invoice for invoice in unpaid if invoice is not superseded and invoice.status in PAYABLE
                      and current_period_lines(invoice, subscription, current)]
    withheld = unpaid_by_since(subscription, current, current_unpaid, superseded)
    change = Change(catalog, subscription, current, target, max(today, current.start),
                     method, request.make_default, account.credit_cents + returned, withheld)
    trial = in_trial(subscription.trial_end, subscription.current_period_end, today)
    result = _priced(change, is_plan_change, trial)
    if is_plan_change and current_unpaid:
        result = replace(result, voided=voided_invoices(subscription, current, current_unpaid))
    next_period = None
    if superseded is not None:
        next_period = next_period_of(catalog, snapshot, subscription, result, superseded, returned, current)
        if next_period is None:  # the re-priced period costs what was issued: nothing to supersede
            change = replace(change, available_credit_cents=account.credit_cents,
                             withheld=unpaid_by_since(subscription, current, current_unpaid, None))
            result = _priced(change, is_plan_change, trial)
    remaining = next_period.amounts.remaining_credit_cents if next_period else result.order.remaining_account_credit_cents
    return replace(result, next_period=next_period,
                   account_credit_after_cents=remaining + result.account_credit_cents)


def _priced(change: Change, is_plan_change: bool, trial: bool) -> Quote:
    if trial:
        return trial_change(change, is_plan_change)
    return plan_change(change) if is_plan_change else addition(change)


def open_invoice_candidates(snapshot: AccountSnapshot, subscription: SubscriptionItem,
                            request: ChangeRequest) -> list[str]:
    """The payable open invoices billing the subscription that the change must read: for a plan
    change, all of them (the current period's unpaid ones give no credit and are superseded); for
    an addition, only when a period after the current one was billed already (the renewal invoice is
    issued 7 days ahead). Empty otherwise, so a change reads nothing more."""
    changes_plan = ((request.product_id or subscription.product_id) != subscription.product_id
                   or (request.periodicity or subscription.periodicity) != subscription.periodicity)
    billed = subscription.billed_through
    if not changes_plan and (not billed or billed <= subscription.current_period_end):
        return []
    return [summary.invoice_id for summary in snapshot.open_invoices
            if summary.status in PAYABLE and subscription.subscription_id in (summary.subscription_ids or [])]


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
