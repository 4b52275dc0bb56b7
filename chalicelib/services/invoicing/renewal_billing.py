"""The renewals an account's invoice bills: every period of a renewing subscription that starts
before the coverage end and was not billed yet (from `billed_through`), priced by
services.plans.renewals (due-day landing, active seats), with the discount of a coupon that covers
the period (services/invoicing/discounts.py); grouped one invoice per payment method."""
from dataclasses import replace
from datetime import date, timedelta

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import Consolidation, PaymentMethod, Periodicity
from chalicelib.services.invoicing.discounts import discount_line
from chalicelib.services.invoicing.drafts import RENEWAL, Draft, Renewal, invoice_line
from chalicelib.services.invoicing.orders import Line, plan_lines
from chalicelib.services.plans.invoice_schedule import term_complete
from chalicelib.services.plans.pricing import Plan
from chalicelib.services.plans.renewals import RenewalTerms, renewal_terms
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem

MAX_PERIODS_PER_RUN = 36  # a subscription years behind is billed at most three years at once


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
                      consolidation_of(catalog, subscription))
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
    discount = discount_line(subscription.discount, subscription.product_id, lines, subscription.subscription_id,
                             period)
    if discount is not None:
        lines.append(discount)
    return tuple(lines)


def consolidation_of(catalog: Catalog, subscription: SubscriptionItem) -> Consolidation:
    product = catalog.product(subscription.product_id)
    return product.consolidation if product else Consolidation.SEPARATE


def renewal_drafts(renewals: list[Renewal], due_date: date) -> list[Draft]:
    by_method: dict[str, Draft] = {}
    for renewal in renewals:
        method = renewal.terms.payment_method
        draft = by_method.setdefault(method, Draft(RENEWAL, method, due_date))
        draft.renewals.append(renewal)
        draft.lines.extend(invoice_line(line) for line in renewal.lines)
    main = PaymentMethod.BOLETO.value if PaymentMethod.BOLETO.value in by_method else next(iter(by_method))
    return [by_method.pop(main), *by_method.values()]
