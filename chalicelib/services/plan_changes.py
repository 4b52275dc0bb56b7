"""Changes of plan, periodicity, licenses and storage: the preview returns the quote, the change
writes it (subscription, account, the order's invoice and the audit entry) in one transaction."""
from datetime import datetime

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import Periodicity
from chalicelib.domain.periods import Period, period_starting
from chalicelib.errors import Conflict
from chalicelib.services.audit import audit_entry
from chalicelib.services.change_quotes import ChangeRequest, Quote, quote
from chalicelib.services.instants import frozen
from chalicelib.services.invoice_schedule import schedule_next_issue
from chalicelib.services.orders import BilledPeriod, invoice_items
from chalicelib.services.payment_rules import require_card_still_there
from chalicelib.services.subscriptions import changeable_subscription, subscription_summary
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.invoices import BilledPeriodItem
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem

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
        if result.is_plan_change:  # the new plan's renewals follow its own first period
            subscription.billed_through = None
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, now.date())
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
                     result: Quote, now: datetime) -> str | None:
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

