"""What can be subscribed and changed: the plan the catalog offers (or the 422 that says what it
does not), the subscriptions a use case may act on, the first period, and what an audit entry
records of a subscription. Shared by subscribing, plan changes and the renewal settings."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.due_day import land_on_due_day
from chalicelib.domain.enums import Pricing, ProductKind, SubscriptionStatus, Periodicity
from chalicelib.domain.periods import Period, period_starting
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.services.plans.pricing import Plan, offers_storage
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.subscriptions import SubscriptionItem

SUBSCRIBABLE = frozenset({ProductKind.SUBSCRIPTION, ProductKind.BATCH})
CHANGEABLE_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})


def live_subscription(snapshot: AccountSnapshot, subscription_id: str) -> SubscriptionItem:
    subscription = snapshot.subscription(subscription_id)
    if subscription.status == SubscriptionStatus.CANCELLED:
        raise Conflict("A assinatura está cancelada.", code="subscription_cancelled")
    return subscription


def changeable_subscription(snapshot: AccountSnapshot, subscription_id: str) -> SubscriptionItem:
    """Plans change only while the subscription is in good standing or merely late."""
    subscription = snapshot.subscription(subscription_id)
    if subscription.status not in CHANGEABLE_STATUSES:
        raise Conflict("O plano só pode ser alterado em assinaturas ativas; regularize a assinatura "
                       "antes.", code="subscription_not_active", details={"status": subscription.status})
    return subscription


def catalog_plan(catalog: Catalog, product_id: str, periodicity: Periodicity, quantity: int,
                 storage_gb: int) -> Plan:
    """A plan the catalog offers, or a 422 naming what is not offered."""
    product = catalog.product(product_id)
    if product is None or product.kind not in SUBSCRIBABLE:
        raise invalid_field("product_id", "Produto inexistente ou que não pode ser assinado.", "unknown_product")
    if periodicity not in product.prices:
        offered = ", ".join(p.value for p in product.prices)
        raise invalid_field("periodicity", f"{product.name} não é oferecido nesta periodicidade (oferecidas: "
                       f"{offered}).", "periodicity_not_offered")
    if product.pricing is not Pricing.PER_SEAT and quantity != 1:
        raise invalid_field("quantity", f"{product.name} tem preço fixo: a quantidade é sempre 1.",
                       "quantity_not_applicable")
    if storage_gb and not offers_storage(product):
        raise invalid_field("storage_gb", f"{product.name} não oferece armazenamento adicional.",
                       "storage_not_offered")
    return Plan(product, periodicity, quantity, storage_gb)


def invalid_field(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code,
                            details={"fields": [{"field": field, "code": code, "message": message}]})


def first_period(plan: Plan, today: date, due_day: int | None, price: int) -> tuple[Period, int, int]:
    """(period, proration, anchor day): starting today, landing on the account's due day if set."""
    if due_day:
        landed = land_on_due_day(today, plan.periodicity, due_day, price)
        return landed.period, landed.proration_cents, due_day
    return period_starting(today, plan.periodicity), 0, today.day


def subscription_summary(subscription: SubscriptionItem) -> dict:
    """What an audit entry records of a subscription (before/after)."""
    return {
        "product_id": subscription.product_id, "periodicity": subscription.periodicity,
        "quantity": subscription.quantity, "storage_gb": subscription.storage_gb,
        "current_period_start": subscription.current_period_start.isoformat(),
        "current_period_end": subscription.current_period_end.isoformat(),
        "payment_method": subscription.payment_method, "paid_cents": subscription.paid_cents,
    }

