"""Subscribing, renewal mode and the subscription's payment method."""
from dataclasses import dataclass
from datetime import date

from chalicelib.store.retention import RETENTION_SK, RetentionItem, retention_pk
from chalicelib.catalog import Catalog
from chalicelib.domain.due_day import land_on_due_day
from chalicelib.domain.enums import (
    PaymentMethod, Periodicity, Pricing, ProductKind, RenewalMode, SubscriptionStatus,
)
from chalicelib.domain.periods import Period, period_starting
from chalicelib.errors import AppError, Conflict, NotFound, ValidationFailed
from chalicelib.services.lifecycle.closing import holds_anything
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.invoicing.orders import BilledPeriod, Line, Order, invoice_items, plan_lines, with_account_credit
from chalicelib.services.plans.payment_rules import (
    require_boleto_to_card_possible, require_card_still_there, require_method_allowed,
)
from chalicelib.services.plans.pricing import Plan, offers_storage, period_price
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem, subscription_sk

SUBSCRIBABLE = frozenset({ProductKind.SUBSCRIPTION, ProductKind.BATCH})
CHANGEABLE_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})


@dataclass(frozen=True)
class SubscribeRequest:
    product_id: str
    periodicity: Periodicity
    quantity: int = 1
    storage_gb: int = 0
    payment_method: str | None = None


@dataclass(frozen=True)
class NotFollowing:
    """A subscription that keeps its renewal method when the account's default changes, and why."""

    subscription_id: str
    reason_code: str
    message: str  # pt-BR, for the person who changed the default


@dataclass(frozen=True)
class Subscribed:
    subscription: SubscriptionItem
    invoice_id: str
    snapshot: AccountSnapshot
    invoice: InvoiceItem | None = None


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
        raise _invalid("product_id", "Produto inexistente ou que não pode ser assinado.", "unknown_product")
    if periodicity not in product.prices:
        offered = ", ".join(p.value for p in product.prices)
        raise _invalid("periodicity", f"{product.name} não é oferecido nesta periodicidade (oferecidas: "
                       f"{offered}).", "periodicity_not_offered")
    if product.pricing is not Pricing.PER_SEAT and quantity != 1:
        raise _invalid("quantity", f"{product.name} tem preço fixo: a quantidade é sempre 1.",
                       "quantity_not_applicable")
    if storage_gb and not offers_storage(product):
        raise _invalid("storage_gb", f"{product.name} não oferece armazenamento adicional.",
                       "storage_not_offered")
    return Plan(product, periodicity, quantity, storage_gb)


def _invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code,
                            details={"fields": [{"field": field, "code": code, "message": message}]})


def first_period(plan: Plan, today: date, due_day: int | None, price: int) -> tuple[Period, int, int]:
    """(period, proration, anchor day): starting today, landing on the account's due day if set."""
    if due_day:
        landed = land_on_due_day(today, plan.periodicity, due_day, price)
        return landed.period, landed.proration_cents, due_day
    return period_starting(today, plan.periodicity), 0, today.day


class SubscriptionService:
    def __init__(self, repository, catalog: Catalog, clock, boletos):
        self._repo = repository
        self._catalog = catalog
        self._clock = clock
        self._boletos = boletos  # OrderBoletos

    def subscribe(self, account_id: str, request: SubscribeRequest, actor: str) -> Subscribed:
        """The subscription and its first period's invoice, account credit applied first: by boleto,
        with its boleto issued and e-mailed at once; by card, charged by the payments flow. Another
        invoice of the account written meanwhile takes the number read: decide again from a new read."""
        done = retrying(lambda: self._subscribe(account_id, request, actor))
        self._boletos.announce(done.snapshot, done.invoice)  # once, after the one transaction that won
        return done

    def _subscribe(self, account_id: str, request: SubscribeRequest, actor: str) -> Subscribed:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        account = snapshot.require_account()
        plan = catalog_plan(self._catalog, request.product_id, request.periodicity, request.quantity,
                            request.storage_gb)
        method = request.payment_method or _default_method(account.default_payment_method)
        require_method_allowed(plan.product, plan.periodicity, method, snapshot)
        subscription, order = self._first_period(account, plan, method, clock.now())
        schedule_next_issue(self._catalog, subscription, account.due_day, clock.today())
        invoice, related = invoice_items(account_id, order, origin="subscription", payment_method=method,
                                         now=clock.now(), billed=[BilledPeriod(
                                             subscription.subscription_id, 1, subscription.current_period_start)],
                                         number=snapshot.next_invoice_number(clock.today()))
        writes = self._repo.writes()
        self._boletos.issue(invoice, related, account, writes)
        for item in (subscription, invoice, *related):
            writes.create(item)
        if order.credit_applied_cents:
            account.credit_cents = order.remaining_account_credit_cents
            writes.save(account)
        require_card_still_there(writes, account_id, method)

        if not holds_anything(self._catalog, snapshot, clock.today()):
            # An account that had nothing left may have its purge scheduled: subscribing again keeps it,
            # in the same transaction (deleting an absent schedule is a no-op).
            writes.delete(RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK))
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.created",
                                target=subscription.subscription_id, after=subscription_summary(subscription) | {
                                    "invoice_id": invoice.invoice_id, "total_cents": order.total_cents}))
        try:
            writes.commit()
        except Exception:
            self._boletos.discard(invoice)
            raise
        snapshot.subscriptions.append(subscription)
        snapshot.open_invoices.extend(i for i in related if isinstance(i, OpenInvoiceItem))
        return Subscribed(subscription, invoice.invoice_id, snapshot, invoice)

    def _first_period(self, account, plan: Plan, method: str, now) -> tuple[SubscriptionItem, Order]:
        subscription_id = sortable_id("sub", now)
        period, proration, anchor = first_period(plan, now.date(), account.due_day,
                                                 period_price(self._catalog, plan))
        lines = plan_lines(self._catalog, plan, subscription_id, period)
        if proration:
            lines.append(Line("Ajuste proporcional ao dia de vencimento", proration, "proration",
                              subscription_id, period.start, period.end))
        order = with_account_credit(lines, account.credit_cents)
        subscription = SubscriptionItem(
            pk=account.pk, sk=subscription_sk(subscription_id), account_id=account.account_id,
            subscription_id=subscription_id, product_id=plan.product.id, periodicity=plan.periodicity.value,
            quantity=plan.quantity, storage_gb=plan.storage_gb, status=SubscriptionStatus.ACTIVE.value,
            current_period_start=period.start, current_period_end=period.end, anchor_day=anchor,
            renewal_mode=RenewalMode.ALL.value, auto_renew=True, payment_method=method,
            period_payments=[PaymentPart(amount_cents=order.charge_cents, since=period.start)],
            plan_revision=1, created_at=now,
        )
        return subscription, order

    def set_renewal_mode(self, account_id: str, subscription_id: str, mode: RenewalMode,
                         actor: str) -> AccountSnapshot:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = live_subscription(snapshot, subscription_id)
        product = self._catalog.product(subscription.product_id)
        if mode is RenewalMode.ACTIVE_ONLY and product.pricing is not Pricing.PER_SEAT:
            raise _invalid("renewal_mode", "Renovar apenas as licenças ativas vale só para planos por "
                           "licença.", "renewal_mode_not_applicable")
        before = subscription.renewal_mode
        subscription.renewal_mode = mode.value
        self._save(clock, account_id, subscription, "subscription.renewal_mode_changed",
                   {"renewal_mode": before}, {"renewal_mode": mode.value}, actor)
        return snapshot

    def set_payment_method(self, account_id: str, subscription_id: str, method: str,
                           actor: str) -> AccountSnapshot:
        """The new method takes over at the next renewal (PRODUCT.md §5)."""
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = live_subscription(snapshot, subscription_id)
        product = self._catalog.product(subscription.product_id)
        require_method_allowed(product, Periodicity(subscription.periodicity), method, snapshot)
        if subscription.renewal_payment_method == PaymentMethod.BOLETO and method == PaymentMethod.CARD:
            require_boleto_to_card_possible(subscription, snapshot.require_account().due_day, clock.today())
        before = _method_summary(subscription)
        subscription.pending_payment_method = None if method == subscription.payment_method else method
        self._save(clock, account_id, subscription, "subscription.payment_method_changed",
                   before, _method_summary(subscription), actor, method=method)
        return snapshot

    def set_default_payment_method(self, account_id: str, method: str,
                                   actor: str) -> tuple[AccountSnapshot, list[NotFollowing]]:
        """The account's default method (Promob, "Renovação de Assinaturas": the option chosen there
        pays the renewals of the account's subscriptions): set, and followed by the renewals of every
        live subscription that can, each under the same rules as its own switch (the product's boleto
        periodicities, the boleto → card deadline), in one transaction. The others keep their method
        and are returned with the reason."""
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        account = snapshot.require_account()
        writes = self._repo.writes()
        not_following, followed = [], 0
        for subscription in snapshot.subscriptions:
            if subscription.status == SubscriptionStatus.CANCELLED or subscription.renewal_payment_method == method:
                continue
            try:
                self._require_switch_possible(snapshot, subscription, method, clock.today())
            except AppError as refusal:
                not_following.append(NotFollowing(subscription.subscription_id, refusal.code, refusal.message))
                continue
            before = _method_summary(subscription)
            subscription.pending_payment_method = None if method == subscription.payment_method else method
            followed += 1
            writes.save(subscription)
            writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.payment_method_changed",
                                    target=subscription.subscription_id, before=before,
                                    after=_method_summary(subscription) | {"by": "account_default"}))
        before = {"default_payment_method": account.default_payment_method}
        account.default_payment_method = method
        writes.save(account)
        if followed:  # the card checked above must still be there when the renewals move to it
            require_card_still_there(writes, account_id, method)
        writes.save(audit_entry(clock, account_id, actor=actor, action="account.billing_settings_updated",
                                target=account_id, before=before, after={
                                    "default_payment_method": method,
                                    "subscriptions_not_following": [n.subscription_id for n in not_following]}))
        writes.commit()
        return snapshot, not_following

    def _require_switch_possible(self, snapshot: AccountSnapshot, subscription: SubscriptionItem, method: str,
                                 today: date) -> None:
        if method not in (PaymentMethod.CARD, PaymentMethod.BOLETO):
            raise Conflict("Pix é escolhido fatura a fatura; as renovações desta assinatura continuam com a "
                           "forma de pagamento atual.", code="method_not_for_renewals")
        product = self._catalog.product(subscription.product_id)
        require_method_allowed(product, Periodicity(subscription.periodicity), method, snapshot)
        if subscription.renewal_payment_method == PaymentMethod.BOLETO and method == PaymentMethod.CARD:
            require_boleto_to_card_possible(subscription, snapshot.require_account().due_day, today)

    def _save(self, clock, account_id: str, subscription: SubscriptionItem, action: str, before: dict,
              after: dict, actor: str, method: str | None = None) -> None:
        writes = self._repo.writes()
        writes.save(subscription)
        if method:
            require_card_still_there(writes, account_id, method)
        writes.save(audit_entry(clock, account_id, actor=actor, action=action,
                                target=subscription.subscription_id, before=before, after=after))
        writes.commit()


def _default_method(account_default: str | None) -> str:
    return account_default if account_default in (PaymentMethod.CARD, PaymentMethod.BOLETO) else PaymentMethod.CARD.value


def _method_summary(subscription: SubscriptionItem) -> dict:
    return {"payment_method": subscription.payment_method,
            "pending_payment_method": subscription.pending_payment_method}


def subscription_summary(subscription: SubscriptionItem) -> dict:
    """What an audit entry records of a subscription (before/after)."""
    return {
        "product_id": subscription.product_id, "periodicity": subscription.periodicity,
        "quantity": subscription.quantity, "storage_gb": subscription.storage_gb,
        "current_period_start": subscription.current_period_start.isoformat(),
        "current_period_end": subscription.current_period_end.isoformat(),
        "payment_method": subscription.payment_method, "paid_cents": subscription.paid_cents,
    }

