"""What a change costs or gives back (PRODUCT.md §3), once the period in force and what was received
for it are known: a plan or periodicity change (the unused part of what was paid buys the new plan
from today), licenses or storage added (prorated to the period end), or any change during a trial
(the plan changes, the trial's end does not, nothing is charged)."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.periods import Period, period_starting
from chalicelib.domain.proration import PlanChange, change_plan_with_credit, credit_from_received, prorate_addition
from chalicelib.services.invoicing.discounts import discount_line
from chalicelib.services.invoicing.orders import Line, plan_lines, with_account_credit
from chalicelib.services.plans.pricing import Plan, period_price, storage_unit_price
from chalicelib.services.subscriptions.change_terms import Quote
from chalicelib.services.subscriptions.period_receipts import received_parts
from chalicelib.store.subscriptions import SubscriptionItem


@dataclass(frozen=True)
class Change:
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


def plan_change(change: Change) -> Quote:
    """The unused part of what was paid buys the new plan from today (PRODUCT.md §3). A coupon that
    covers a period starting today discounts the new plan's first period: the discount is a line of
    the order, and the period's payment recorded is the discounted price."""
    subscription, current = change.subscription, change.current
    received = credit_from_received(received_parts(subscription, current, change.withheld), change.today)
    credit = received.credit_cents
    first = period_starting(change.today, change.target.periodicity)
    discount = _discount(change, first)
    price = period_price(change.catalog, change.target) + (discount.amount_cents if discount else 0)
    if price > 0:
        result = change_plan_with_credit(credit, change.today, price, change.target.periodicity)
    else:  # the whole first period discounted: the credit goes back to the account whole
        result = PlanChange(0, credit, credit, first.start, first.end, first.days, 0)
    lines = []
    if result.charge_now_cents:
        lines = plan_lines(change.catalog, change.target, subscription.subscription_id, result.new_period)
        if discount is not None:
            lines.append(discount)
        lines.append(Line("Crédito do período não utilizado do plano anterior", -credit, "credit",
                          subscription.subscription_id, current.start, current.end))
    return change.quote(
        is_plan_change=True, charge_now_cents=result.charge_now_cents, credit_cents=credit,
        account_credit_cents=result.account_credit_cents + received.refund_cents,
        days_granted=result.days_granted, new_period=result.new_period,
        order=with_account_credit(lines, change.available_credit_cents),
        payments=((result.granted_value_cents, result.new_period_start),),
        discount_cents=-discount.amount_cents if discount else 0)


def trial_change(change: Change, is_plan_change: bool) -> Quote:
    """During the trial: the plan, periodicity, licenses or storage change, the trial's end does not,
    and nothing is charged — the first paid period, at `trial_end`, bills the plan as it is then."""
    return change.quote(
        is_plan_change=is_plan_change, charge_now_cents=0, credit_cents=0, account_credit_cents=0,
        days_granted=0, new_period=change.current, order=with_account_credit([], change.available_credit_cents),
        payments=())


def _discount(change: Change, first: Period) -> Line | None:
    lines = plan_lines(change.catalog, change.target, change.subscription.subscription_id, first)
    return discount_line(change.subscription.discount, change.target.product.id, lines,
                         change.subscription.subscription_id, first)


def addition(change: Change) -> Quote:
    """Licenses and storage added now, prorated to the end of the current period."""
    subscription, current, target = change.subscription, change.current, change.target
    lines = []
    added_licenses = target.quantity - subscription.quantity
    if added_licenses:
        unit = target.product.prices[target.periodicity]
        lines.append(addition_line(change, f"{added_licenses} licença(s) adicional(is)", "proration",
                                    added_licenses, unit))
    added_gb = target.storage_gb - subscription.storage_gb
    if added_gb:
        unit = storage_unit_price(change.catalog, target.periodicity)
        lines.append(addition_line(change, f"{added_gb} GB de armazenamento adicional", "addon", added_gb, unit))
    charge = sum(line.amount_cents for line in lines)
    payments = tuple((part.amount_cents, part.since) for part in subscription.period_payments)
    return change.quote(
        is_plan_change=False, charge_now_cents=charge, credit_cents=0, account_credit_cents=0,
        days_granted=0, new_period=current, order=with_account_credit(lines, change.available_credit_cents),
        payments=payments + (((charge, change.today),) if charge else ()))


def addition_line(change: Change, what: str, kind: str, added: int, unit_price_cents: int) -> Line:
    current = change.current
    amount = prorate_addition(added, unit_price_cents, current, change.today, change.target.periodicity)
    return Line(f"{what}, proporcional até {current.end:%d/%m/%Y}", amount, kind,
                change.subscription.subscription_id, change.today, current.end, added_quantity=added)
