"""A subscription ended by its cancellation: at once for a withdrawal, or on the effective date of a
scheduled one (the check-overdue job's `take_effect`). Into the transaction that ends it go the
purge schedule of an account left with nothing and the "cancelada" notice; after the commit the
notice goes out, a partner batch's licenses end with it, so does a Pix Automático recurrence, and the
cancellation leaves the review list."""
from datetime import date

from chalicelib.domain.enums import ProductKind, SubscriptionStatus
from chalicelib.services.collections.cancellation_records import CancellationRefund, cancellation_audit
from chalicelib.services.lifecycle.closing import closing_if_nothing_left
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.shared.instants import frozen
from chalicelib.services.subscriptions.standing_notices import cancellation_notice, cancelled_notice
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.cancellations import CancellationItem, cancellation_sk
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem

JOB_ACTOR = "job:check-overdue"


class CancellationEndings:
    def __init__(self, billing, retention, notices, catalog, clock, on_batch_end, on_cancelled):
        """`on_cancelled(account_id, subscription_id, actor)`: after the commit, what else ends with the
        subscription (its Pix Automático recurrence); idempotent, never raising."""
        self._on_cancelled = on_cancelled
        self._billing = billing
        self._retention = retention
        self._notices = notices
        self._catalog = catalog
        self._clock = clock
        # (partner snapshot, batch subscription, ends_on, actor): the partners' license exits end the licenses.
        # A callable because partners sits above collections (.importlinter): this context cannot import it.
        self.on_batch_end = on_batch_end

    # --- the job: the effective date ----------------------------------------------------------
    def take_effect(self, account_id: str, subscription_id: str) -> bool:
        """End a subscription whose scheduled cancellation is due (check-overdue job). Idempotent: a
        cancellation stays on the review list until what follows the end (a batch's licenses) is done."""
        clock = frozen(self._clock)
        today = clock.today()
        snapshot = self._billing.snapshot(account_id, consistent=True)
        cancellation = snapshot.other(CancellationItem, cancellation_sk(subscription_id))
        if cancellation is None or cancellation.due_pk is None or today < cancellation.effective_date:
            return False
        subscription = snapshot.subscription(subscription_id)
        notice = None
        if cancellation.state == "scheduled":
            notice = self._end_as_scheduled(clock, snapshot, subscription, cancellation)
        self.follow_up(notice, snapshot, subscription, cancellation, JOB_ACTOR)
        return True

    def _end_as_scheduled(self, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                          cancellation: CancellationItem):
        previous = subscription.status
        cancellation.state = "effective"
        writes = self._billing.writes()
        notice = None
        if previous != SubscriptionStatus.CANCELLED:  # not ended meanwhile by the overdue rules
            subscription.status = SubscriptionStatus.CANCELLED.value
            subscription.auto_renew = False
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, clock.today())
            writes.save(subscription)
            writes.save(cancellation_audit(clock, snapshot.account_id, JOB_ACTOR, "subscription.cancelled",
                                           subscription, previous, cancellation, cancellation.reason))
            notice = self.ended(writes, clock, snapshot, subscription, cancellation, JOB_ACTOR, "customer_request")
        else:
            self._keep_on_list_for_batch(snapshot, subscription, cancellation, clock.today())
        writes.save(cancellation)
        writes.commit()
        return notice

    # --- any ending ---------------------------------------------------------------------------
    def ended(self, writes, clock, snapshot: AccountSnapshot, subscription: SubscriptionItem,
              cancellation: CancellationItem, actor: str, reason: str, refund: CancellationRefund | None = None):
        """Into the transaction that ends the subscription (the caller writes the cancellation): the
        purge schedule of an account left with nothing, and the notice. Returns the notice."""
        effective = cancellation.effective_date
        self._keep_on_list_for_batch(snapshot, subscription, cancellation, clock.today())
        closing = closing_if_nothing_left(self._retention, self._catalog, snapshot, effective, actor,
                                          "Nenhuma assinatura ativa após o cancelamento.")
        closing.write(writes)
        notice = cancelled_notice(snapshot.account_id, cancellation_notice(
            subscription.subscription_id, subscription.product_id, effective, reason,
            refund_cents=refund.amount_cents if refund else 0, refund_status=refund.status if refund else None,
            purge_on=_iso(closing.purge_on)), clock.now())
        writes.create(notice)
        return notice

    def follow_up(self, notice, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                  cancellation: CancellationItem, actor: str) -> None:
        """After the commit: the notice out; a batch's licenses end with it, then the cancellation
        leaves the review list."""
        if notice is not None:
            self._notices.deliver(notice, snapshot)
        self._on_cancelled(snapshot.account_id, subscription.subscription_id, actor)
        if cancellation.due_pk is None:
            return
        if self._is_batch(subscription):
            self.on_batch_end(snapshot, subscription, cancellation.effective_date, actor)
        cancellation.due_pk = cancellation.due_sk = None
        writes = self._billing.writes()
        writes.save(cancellation)
        writes.commit()

    def _keep_on_list_for_batch(self, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                                cancellation: CancellationItem, today: date) -> None:
        """A batch's licenses end after the commit: until then the cancellation stays on today's list."""
        if self._is_batch(subscription):
            due = review_due(snapshot.account_id, cancellation.sk, today)
            cancellation.due_pk, cancellation.due_sk = due["due_pk"], due["due_sk"]
        else:
            cancellation.due_pk = cancellation.due_sk = None

    def _is_batch(self, subscription: SubscriptionItem) -> bool:
        product = self._catalog.product(subscription.product_id)
        return product is not None and product.kind is ProductKind.BATCH


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
