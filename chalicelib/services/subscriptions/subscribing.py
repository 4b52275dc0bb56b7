"""Subscribing: the subscription and its first period's invoice in one transaction — or, for a
product with `trial_days`, the trial (docs/promotions.md): no invoice, the first paid period starting
at `trial_end` and billed by the invoicing job as a renewal. A coupon given at subscribing is redeemed
in the same transaction and discounts the first period it covers."""
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import PaymentMethod, Periodicity, RenewalMode, SubscriptionStatus
from chalicelib.domain.periods import Period
from chalicelib.domain.promotions import trial_end, trial_reminder_date
from chalicelib.errors import Conflict
from chalicelib.services.invoicing.discounts import discount_line
from chalicelib.services.invoicing.orders import (
    BilledPeriod, Line, Order, invoice_items, plan_lines, with_account_credit,
)
from chalicelib.services.lifecycle.closing import holds_anything
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.plans.payment_rules import require_card_still_there, require_method_allowed
from chalicelib.services.plans.pricing import Plan, period_price
from chalicelib.services.plans.recurring import changed_notice, mrr_block, positions
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.subscriptions.redemptions import Redemptions
from chalicelib.services.subscriptions.subscription_rules import (
    catalog_plan, first_period, invalid_field, subscription_summary,
)
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.retention import RETENTION_SK, RetentionItem, retention_pk
from chalicelib.store.subscriptions import (
    PaymentPart, SubscriptionItem, TrialItem, subscription_sk, trial_reminder_due, trial_sk,
)


@dataclass(frozen=True)
class SubscribeRequest:
    product_id: str
    periodicity: Periodicity
    quantity: int = 1
    storage_gb: int = 0
    payment_method: str | None = None
    coupon: str | None = None
    # None: the trial when the product offers one; False: subscribe paying at once; True: the trial
    # or a refusal (not offered, or already used by the account).
    trial: bool | None = None


@dataclass(frozen=True)
class Subscribed:
    subscription: SubscriptionItem
    invoice_id: str | None  # None: a trial, nothing billed yet
    snapshot: AccountSnapshot
    invoice: InvoiceItem | None = None
    changed: object | None = None  # the `subscription.changed` notice, published after the commit


def _trial_used(product_name: str) -> Conflict:
    return Conflict(f"Esta conta já usou o período de teste de {product_name}; assine sem teste "
                    "(trial: false).", code="trial_already_used")


class SubscriptionService:
    def __init__(self, repository, catalog: Catalog, clock, boletos, coupons, notices):
        self._repo = repository
        self._notices = notices  # InvoiceNotices: publishes the change's events after the commit
        self._catalog = catalog
        self._clock = clock
        self._boletos = boletos  # OrderBoletos
        self._redemptions = Redemptions(coupons)

    def subscribe(self, account_id: str, request: SubscribeRequest, actor: str) -> Subscribed:
        """The subscription and its first period's invoice, account credit applied first: by boleto,
        with its boleto issued and e-mailed at once; by card, charged by the payments flow. Another
        invoice of the account written meanwhile takes the number read: decide again from a new read."""
        done = retrying(lambda: self._subscribe(account_id, request, actor))
        if done.invoice is not None:
            self._boletos.announce(done.snapshot, done.invoice)  # once, after the one transaction that won
        if done.changed is not None:
            self._notices.publish_events(done.changed)
        return done

    def _subscribe(self, account_id: str, request: SubscribeRequest, actor: str) -> Subscribed:
        clock = frozen(self._clock)
        snapshot = self._repo.snapshot(account_id, consistent=True)
        account = snapshot.require_account()
        plan = catalog_plan(self._catalog, request.product_id, request.periodicity, request.quantity,
                            request.storage_gb)
        method = request.payment_method or _default_method(account.default_payment_method)
        require_method_allowed(plan.product, plan.periodicity, method, snapshot)
        coupon = self._redemptions.redeemable(request.coupon, plan.product.id, clock.today()) \
            if request.coupon else None
        writes = self._repo.writes()
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        if self._starts_a_trial(snapshot, plan, request):
            subscription, invoice, related = self._trial(account, plan, method, clock.now(), writes, coupon), None, []
            total = 0
        else:
            subscription, order = self._first_period(account, plan, method, clock.now(), coupon)
            invoice, related = invoice_items(account_id, order, origin="subscription", payment_method=method,
                                             now=clock.now(), billed=[BilledPeriod(
                                                 subscription.subscription_id, 1, subscription.current_period_start)],
                                             number=snapshot.next_invoice_number(clock.today()))
            self._boletos.issue(invoice, related, account, writes)
            if order.credit_applied_cents:
                account.credit_cents = order.remaining_account_credit_cents
                writes.save(account)
            total = order.total_cents
        if coupon is not None:
            self._redemptions.redeem(writes, coupon)
        schedule_next_issue(self._catalog, subscription, account.due_day, clock.today())
        for item in (subscription, *([invoice] if invoice else []), *related):
            writes.create(item)
        require_card_still_there(writes, account_id, method)
        changed = changed_notice(subscription, ["created"], mrr_block(
            subscription.subscription_id, mrr_before, mrr_before | positions(self._catalog, [subscription]),
            clock.today()), clock.now())
        writes.create(changed)

        if not holds_anything(self._catalog, snapshot, clock.today()):
            # An account that had nothing left may have its purge scheduled: subscribing again keeps it,
            # in the same transaction (deleting an absent schedule is a no-op).
            writes.delete(RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK))
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.created",
                                target=subscription.subscription_id, after=subscription_summary(subscription) | {
                                    "invoice_id": invoice.invoice_id if invoice else None, "total_cents": total,
                                    "trial_end": _iso(subscription.trial_end),
                                    "coupon": coupon.code if coupon else None}))
        try:
            writes.commit()
        except Exception:
            if invoice is not None:
                self._boletos.discard(invoice)
            raise
        snapshot.subscriptions.append(subscription)
        snapshot.open_invoices.extend(i for i in related if isinstance(i, OpenInvoiceItem))
        return Subscribed(subscription, invoice.invoice_id if invoice else None, snapshot, invoice, changed)

    def _starts_a_trial(self, snapshot: AccountSnapshot, plan: Plan, request: SubscribeRequest) -> bool:
        offered = bool(plan.product.trial_days)
        if request.trial is False:
            return False
        if request.trial and not offered:
            raise invalid_field("trial", f"{plan.product.name} não oferece período de teste.", "trial_not_offered")
        if offered and snapshot.other(TrialItem, trial_sk(plan.product.id)) is not None:
            # Read here for the answer; the trial marker's conditional create is what enforces it.
            raise _trial_used(plan.product.name)
        return offered

    def _trial(self, account, plan: Plan, method: str, now: datetime, writes, coupon) -> SubscriptionItem:
        """The trial: the current period is [today, trial_end), unpaid and not invoiced; the entitlements
        are those of an active subscription. The trial marker (one per account and product, ever) and
        the reminder's place on the send-reminders list are written in the same transaction."""
        subscription_id = sortable_id("sub", now)
        today = now.date()
        ends = trial_end(today, plan.product.trial_days)
        subscription = self._subscription(account, plan, method, now, subscription_id, Period(today, ends),
                                          anchor=ends.day, payments=[])
        subscription.trial_end = ends
        reminder = trial_reminder_date(ends)
        marker = TrialItem(pk=account.pk, sk=trial_sk(plan.product.id), account_id=account.account_id,
                           product_id=plan.product.id, subscription_id=subscription_id, trial_end=ends,
                           created_at=now,
                           **(trial_reminder_due(account.account_id, plan.product.id, reminder)
                              if reminder > today else {}))
        writes.create(marker, conflict=_trial_used(plan.product.name))
        if coupon is not None:  # it discounts the first paid period, from trial_end
            subscription.discount = self._redemptions.discount(coupon, ends)
        return subscription

    def _first_period(self, account, plan: Plan, method: str, now, coupon) -> tuple[SubscriptionItem, Order]:
        subscription_id = sortable_id("sub", now)
        period, proration, anchor = first_period(plan, now.date(), account.due_day,
                                                 period_price(self._catalog, plan))
        lines = plan_lines(self._catalog, plan, subscription_id, period)
        if proration:
            lines.append(Line("Ajuste proporcional ao dia de vencimento", proration, "proration",
                              subscription_id, period.start, period.end))
        discount = self._redemptions.discount(coupon, period.start) if coupon else None
        if discount is not None:
            line = discount_line(discount, plan.product.id, lines, subscription_id, period)
            if line is not None:
                lines.append(line)
        order = with_account_credit(lines, account.credit_cents)
        subscription = self._subscription(account, plan, method, now, subscription_id, period, anchor,
                                          [PaymentPart(amount_cents=order.charge_cents, since=period.start)])
        subscription.discount = discount
        return subscription, order

    @staticmethod
    def _subscription(account, plan: Plan, method: str, now, subscription_id: str, period: Period, anchor: int,
                      payments: list) -> SubscriptionItem:
        return SubscriptionItem(
            pk=account.pk, sk=subscription_sk(subscription_id), account_id=account.account_id,
            subscription_id=subscription_id, product_id=plan.product.id, periodicity=plan.periodicity.value,
            quantity=plan.quantity, storage_gb=plan.storage_gb, status=SubscriptionStatus.ACTIVE.value,
            current_period_start=period.start, current_period_end=period.end, anchor_day=anchor,
            renewal_mode=RenewalMode.ALL.value, auto_renew=True, payment_method=method,
            period_payments=payments, plan_revision=1, created_at=now,
        )


def _default_method(account_default: str | None) -> str:
    renewable = (PaymentMethod.CARD, PaymentMethod.BOLETO)
    return account_default if account_default in renewable else PaymentMethod.CARD.value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
