"""A license leaving its partner batch (PRODUCT.md §8):

- transfer billing responsibility: the license leaves the batch at its next renewal (the batch
  renews one license fewer) and the client gets its own subscription of the batch's
  `license_product`, billed to the client from that date;
- cancel: at least 30 days before the batch renewal it leaves there; later, it is billed once more;
- the batch itself cancelled: every license still in it ends with it.

A license leaves at a batch renewal: its item waits on the check-overdue job's review list for that
day (`release`), when the client's seat ends. The batch's quantity — what its renewals bill — drops
when the exit is decided; the license stays usable until it leaves."""
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.batches import license_exit
from chalicelib.domain.enums import Periodicity, RenewalMode, SubscriptionStatus
from chalicelib.domain.periods import Period, next_period
from chalicelib.errors import Conflict
from chalicelib.services.collections.cancellation_invoices import license_once_more_invoice
from chalicelib.services.partners.clients import close_client
from chalicelib.services.partners.licenses import (
    ASSIGNED, AVAILABLE, BATCH_ENDED, CANCEL, LEAVING, LEFT, TRANSFER, LicenseChange, assigned, license_audit,
    license_of, license_taken,
)
from chalicelib.services.plans.invoice_schedule import next_renewal_start, schedule_next_issue
from chalicelib.services.plans.renewals import RENEWING_STATUSES
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.store.base import account_pk
from chalicelib.store.batches import SEAT_SK, BatchLicenseItem, SeatItem, license_sk
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk

JOB_ACTOR = "job:check-overdue"


class LicenseExits:
    def __init__(self, billing, repository, retention, catalog: Catalog, clock):
        self._billing = billing
        self._repo = repository
        self._retention = retention
        self._catalog = catalog
        self._clock = clock

    # --- decided by the partner ---------------------------------------------------------------
    def transfer(self, partner_id: str, subscription_id: str, license_id: str, actor: str) -> LicenseChange:
        """The license leaves at the next batch renewal not invoiced yet; the client's own
        subscription covers the rest of the batch's period as already paid, then renews billed to it."""
        clock = frozen(self._clock)
        today = clock.today()
        snapshot, batch, view = license_of(self._billing, self._repo, self._catalog, partner_id, subscription_id,
                                           license_id)
        item = assigned(view)
        _require_renewing(batch)
        exit_ = self._exit(snapshot, batch, today, with_notice=False)
        client = self._billing.snapshot(item.client_account_id, consistent=True)
        own = self._client_subscription(client, batch, exit_.leaves_on, clock.now())
        seat = client.other(SeatItem, SEAT_SK)
        item.status, item.leave_reason, item.leaves_on = LEAVING, TRANSFER, exit_.leaves_on
        item.client_subscription_id = own.subscription_id
        _on_review_list(item, exit_.leaves_on)
        batch.quantity -= 1
        writes = self._billing.writes()
        for changed in (batch, item):
            writes.save(changed)
        writes.create(own)
        if seat is not None:
            seat.ends_on = exit_.leaves_on
            writes.save(seat)
        writes.save(license_audit(clock, partner_id, actor, "batch.license_transfer_scheduled", item, after={
            "client_account_id": item.client_account_id, "leaves_on": exit_.leaves_on.isoformat(),
            "batch_quantity_from_renewal": batch.quantity}))
        writes.save(audit_entry(clock, client.account_id, actor=actor, action="subscription.created",
                                target=own.subscription_id, reason="Responsabilidade pela assinatura transferida "
                                "pelo parceiro.", after={"product_id": own.product_id, "periodicity": own.periodicity,
                                                         "billed_from": exit_.leaves_on.isoformat()}))
        writes.commit()
        return LicenseChange(item, batch, client_subscription=own)

    def cancel(self, partner_id: str, subscription_id: str, license_id: str, reason: str,
               actor: str) -> LicenseChange:
        clock = frozen(self._clock)
        today = clock.today()
        snapshot, batch, view = license_of(self._billing, self._repo, self._catalog, partner_id, subscription_id,
                                           license_id)
        if view.status not in (AVAILABLE, ASSIGNED):
            raise license_taken(view)
        _require_renewing(batch)
        exit_ = self._exit(snapshot, batch, today, with_notice=True)
        item = view.item or BatchLicenseItem(
            pk=account_pk(partner_id), sk=license_sk(subscription_id, license_id), account_id=partner_id,
            subscription_id=subscription_id, license_id=license_id, created_at=clock.now())
        invoice = None
        if exit_.billed_once_more:
            invoice = license_once_more_invoice(snapshot, batch, self._catalog.product(batch.product_id), license_id,
                                                exit_.billed_once_more, clock.now())
            item.invoice_id = invoice.invoice.invoice_id
        item.status, item.leave_reason, item.leaves_on = LEAVING, CANCEL, exit_.leaves_on
        _on_review_list(item, exit_.leaves_on)
        batch.quantity -= 1
        writes = self._billing.writes()
        writes.save(batch)
        if view.item is None:  # a free license, cancelled before anyone had it
            writes.create(item, conflict=license_taken(view))
        else:
            writes.save(item)
        if invoice:
            invoice.write(writes)
            if invoice.credit_applied_cents:
                writes.save(snapshot.account)
        self._end_seat(writes, item, exit_.leaves_on)
        writes.save(license_audit(clock, partner_id, actor, "batch.license_cancelled", item, reason=reason, after={
            "leaves_on": exit_.leaves_on.isoformat(), "invoice_id": item.invoice_id,
            "batch_quantity_from_renewal": batch.quantity}))
        writes.commit()
        return LicenseChange(item, batch, invoice, exit_.billed_once_more)

    # --- the job and the end of a batch -------------------------------------------------------
    def release(self, partner_id: str, subscription_id: str, license_id: str) -> bool:
        """On the renewal a license leaves at: out of the batch, the client's seat over; a client
        left with nothing is kept for the retention period. Idempotent."""
        clock = frozen(self._clock)
        today = clock.today()
        item = self._repo.license(partner_id, subscription_id, license_id)
        if item is None or item.status != LEAVING or today < item.leaves_on:
            return False
        item.status = LEFT
        item.due_pk = item.due_sk = None
        writes = self._billing.writes()
        writes.save(item)
        writes.save(license_audit(clock, partner_id, JOB_ACTOR, "batch.license_left", item,
                                  after={"leave_reason": item.leave_reason, "left_on": item.leaves_on.isoformat()}))
        if item.client_account_id and item.leave_reason != TRANSFER:
            client = self._billing.snapshot(item.client_account_id, consistent=True)
            close_client(self._retention, self._catalog, writes, clock, client, JOB_ACTOR,
                         "Licença do lote encerrada pelo parceiro.")
        writes.commit()
        return True

    def batch_ended(self, snapshot: AccountSnapshot, batch: SubscriptionItem, ends_on: date, actor: str) -> int:
        """The batch itself was cancelled: every license still in it ends with it."""
        ended = 0
        for item in self._repo.licenses(snapshot.account_id, batch.subscription_id):
            if item.status == LEFT or (item.status == LEAVING and item.leaves_on <= ends_on):
                continue
            item.status, item.leave_reason, item.leaves_on = LEAVING, BATCH_ENDED, ends_on
            _on_review_list(item, ends_on)
            writes = self._billing.writes()
            writes.save(item)
            self._end_seat(writes, item, ends_on)
            writes.commit()
            self.release(snapshot.account_id, batch.subscription_id, item.license_id)
            ended += 1
        return ended

    # --- helpers ------------------------------------------------------------------------------
    def _exit(self, snapshot: AccountSnapshot, batch: SubscriptionItem, today: date, with_notice: bool):
        if batch.quantity <= 1:
            raise Conflict("Esta é a última licença do lote: para encerrá-la, cancele o lote.",
                           code="batch_last_license")
        current = Period(batch.current_period_start, batch.current_period_end)
        following = next_period(current, Periodicity(batch.periodicity), snapshot.account.due_day or batch.anchor_day)
        return license_exit(current, following, today, next_renewal_start(batch), with_notice)

    def _client_subscription(self, client: AccountSnapshot, batch: SubscriptionItem, starts_billing: date,
                             now) -> SubscriptionItem:
        """The client's own subscription: the rest of the batch's period (paid by the partner), then
        renewals billed to the client (the invoicing job's index, from `starts_billing`)."""
        account = client.require_account()
        product = self._catalog.product(self._catalog.product(batch.product_id).license_product)
        periodicity = Periodicity(batch.periodicity) if Periodicity(batch.periodicity) in product.prices \
            else next(iter(product.prices))
        method = "boleto" if product.accepts_boleto(periodicity) else "card"
        subscription_id = sortable_id("sub", now)
        subscription = SubscriptionItem(
            pk=account.pk, sk=subscription_sk(subscription_id), account_id=account.account_id,
            subscription_id=subscription_id, product_id=product.id, periodicity=periodicity.value, quantity=1,
            storage_gb=0, status=SubscriptionStatus.ACTIVE.value, current_period_start=now.date(),
            current_period_end=starts_billing, anchor_day=starts_billing.day, renewal_mode=RenewalMode.ALL.value,
            auto_renew=True, payment_method=method, period_payments=[], plan_revision=1, created_at=now)
        schedule_next_issue(self._catalog, subscription, account.due_day, now.date())
        return subscription

    def _end_seat(self, writes, item: BatchLicenseItem, ends_on: date) -> None:
        if not item.client_account_id:
            return
        seat = self._repo.seat(item.client_account_id)
        if seat is not None and seat.license_id == item.license_id:
            seat.ends_on = ends_on
            writes.save(seat)


def _require_renewing(batch: SubscriptionItem) -> None:
    if batch.status not in RENEWING_STATUSES or not batch.auto_renew:
        raise Conflict("O lote não será renovado: as licenças saem com ele.", code="batch_not_renewing",
                       details={"status": batch.status})


def _on_review_list(item: BatchLicenseItem, day: date) -> None:
    due = review_due(item.account_id, f"LIC:{item.subscription_id}:{item.license_id}", day)
    item.due_pk, item.due_sk = due["due_pk"], due["due_sk"]
