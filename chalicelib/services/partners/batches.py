"""Partner batches (Conta Azul Mais, PRODUCT.md §8): a partner account buys a batch of N licenses
(a subscription of a `batch` product, quantity N) and manages them through its own account's batch
routes — its people are never members of the client accounts.

- assign: a blank client account for a free license, owned by the client's person (invited);
- substitute: the license goes to a new blank client account; the old one is cancelled and kept for
  the retention period, then purged;
- transfer billing responsibility: the license leaves the batch at its next renewal (the batch
  renews one license fewer) and the client gets its own subscription of the batch's
  `license_product`, billed to the client from that date;
- cancel: at least 30 days before the batch renewal it leaves there; later, it is billed once more.

A license leaves at a batch renewal: its item waits on the check-overdue job's review list for that
day (`release`), when the client's seat ends. The batch's quantity — what its renewals bill — drops
when the exit is decided; the license stays usable until it leaves."""
from dataclasses import dataclass
from datetime import date

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.batches import license_exit
from chalicelib.domain.enums import Periodicity, ProductKind, RenewalMode, SubscriptionStatus
from chalicelib.domain.periods import Period, next_period
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.partners.clients import ClientRequest, client_created_audit, new_client
from chalicelib.services.collections.cancellation_invoices import NewInvoice, license_once_more_invoice
from chalicelib.services.lifecycle.closing import closing_if_nothing_left
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.plans.invoice_schedule import next_renewal_start, schedule_next_issue
from chalicelib.services.plans.renewals import RENEWING_STATUSES
from chalicelib.services.subscriptions.standing_notices import invitation_notice
from chalicelib.store.accounts import AccountItem
from chalicelib.store.base import account_pk
from chalicelib.store.batches import SEAT_SK, BatchLicenseItem, SeatItem, license_sk
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.reviews import review_due
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk

ASSIGNED, LEAVING, LEFT = "assigned", "leaving", "left"
TRANSFER, CANCEL, BATCH_ENDED = "transfer", "cancel", "batch_ended"
AVAILABLE = "available"
JOB_ACTOR = "job:check-overdue"


def license_id_of(number: int) -> str:
    return f"lic-{number:03d}"


def license_number(license_id: str) -> int | None:
    prefix, _, digits = license_id.partition("-")
    return int(digits) if prefix == "lic" and digits.isdigit() and len(digits) < 7 else None


@dataclass(frozen=True)
class LicenseView:
    license_id: str
    status: str  # available | assigned | leaving | left
    item: BatchLicenseItem | None = None


@dataclass(frozen=True)
class BatchView:
    batch: SubscriptionItem
    product: Product
    licenses: list[LicenseView]


@dataclass(frozen=True)
class LicenseChange:
    license: BatchLicenseItem
    batch: SubscriptionItem
    invoice: NewInvoice | None = None
    billed_once_more: Period | None = None
    client_subscription: SubscriptionItem | None = None
    previous_client_id: str | None = None
    purge_on: date | None = None


def license_views(batch: SubscriptionItem, stored: list[BatchLicenseItem]) -> list[LicenseView]:
    """Stored licenses plus the free ones: the batch's quantity counts the licenses that renew (the
    assigned ones and the free ones); free licenses take the lowest numbers never used."""
    views = [LicenseView(item.license_id, item.status, item) for item in stored]
    used = {license_number(item.license_id) for item in stored}
    free = batch.quantity - sum(1 for item in stored if item.status == ASSIGNED)
    if batch.status == SubscriptionStatus.CANCELLED:
        free = 0
    number = 1
    while free > 0:
        if number not in used:
            views.append(LicenseView(license_id_of(number), AVAILABLE))
            free -= 1
        number += 1
    return sorted(views, key=lambda view: license_number(view.license_id) or 0)


class BatchService:
    def __init__(self, billing, repository, retention, notices, catalog: Catalog, clock):
        self._billing = billing
        self._repo = repository
        self._retention = retention
        self._notices = notices
        self._catalog = catalog
        self._clock = clock

    # --- reading ------------------------------------------------------------------------------
    def view(self, partner_id: str, subscription_id: str) -> BatchView:
        snapshot = self._billing.snapshot(partner_id)
        batch, product = self._batch(snapshot, subscription_id)
        return BatchView(batch, product, license_views(batch, self._repo.licenses(partner_id, subscription_id)))

    # --- assign and substitute ----------------------------------------------------------------
    def assign(self, partner_id: str, subscription_id: str, license_id: str, client: ClientRequest,
               actor: str) -> LicenseChange:
        clock = frozen(self._clock)
        snapshot, batch, view = self._license(partner_id, subscription_id, license_id, clock.today())
        if view.status != AVAILABLE:
            raise _license_taken(view)
        created = new_client(client, partner_id, subscription_id, license_id, clock.now())
        item = BatchLicenseItem(
            pk=account_pk(partner_id), sk=license_sk(subscription_id, license_id), account_id=partner_id,
            subscription_id=subscription_id, license_id=license_id, status=ASSIGNED,
            client_account_id=created.account.account_id, client_name=client.name, assigned_on=clock.today(),
            created_at=clock.now())
        writes = self._billing.writes()
        writes.create(item, conflict=_license_taken(view))
        created.write(writes)
        writes.save(client_created_audit(clock, created, partner_id, license_id, actor))
        writes.save(_audit(clock, partner_id, actor, "batch.license_assigned", item, after={
            "client_account_id": item.client_account_id, "client_name": client.name}))
        invitation = self._invitation(writes, created, clock.now())
        writes.commit()
        self._notices.deliver(invitation)
        return LicenseChange(item, batch)

    def substitute(self, partner_id: str, subscription_id: str, license_id: str, client: ClientRequest,
                   actor: str) -> LicenseChange:
        clock = frozen(self._clock)
        today = clock.today()
        _, batch, view = self._license(partner_id, subscription_id, license_id, today)
        item = _assigned(view)
        old = self._billing.snapshot(item.client_account_id, consistent=True)
        old_seat = old.other(SeatItem, SEAT_SK)
        created = new_client(client, partner_id, subscription_id, license_id, clock.now())
        previous_id = item.client_account_id
        item.previous_client_account_ids = [*(item.previous_client_account_ids or []), previous_id]
        item.client_account_id, item.client_name, item.assigned_on = created.account.account_id, client.name, today
        writes = self._billing.writes()
        writes.save(item)
        created.write(writes)
        if old_seat is not None:
            old_seat.ends_on = today
            writes.save(old_seat)
        writes.save(client_created_audit(clock, created, partner_id, license_id, actor))
        writes.save(_audit(clock, partner_id, actor, "batch.license_substituted", item, after={
            "client_account_id": item.client_account_id, "previous_client_account_id": previous_id}))
        writes.save(audit_entry(clock, previous_id, actor=actor, action="account.license_withdrawn",
                                target=previous_id, after={"license_id": license_id, "ends_on": today.isoformat()},
                                reason="O parceiro passou a licença para outro cliente."))
        purge_on = self._close_client(writes, clock, old, actor, "Licença do lote passada para outro cliente.")
        invitation = self._invitation(writes, created, clock.now())
        writes.commit()
        self._notices.deliver(invitation)
        return LicenseChange(item, batch, previous_client_id=previous_id, purge_on=purge_on)

    # --- transfer and cancel ------------------------------------------------------------------
    def transfer(self, partner_id: str, subscription_id: str, license_id: str, actor: str) -> LicenseChange:
        """The license leaves at the next batch renewal not invoiced yet; the client's own
        subscription covers the rest of the batch's period as already paid, then renews billed to it."""
        clock = frozen(self._clock)
        today = clock.today()
        snapshot, batch, view = self._license(partner_id, subscription_id, license_id, today)
        item = _assigned(view)
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
        writes.save(_audit(clock, partner_id, actor, "batch.license_transfer_scheduled", item, after={
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
        snapshot, batch, view = self._license(partner_id, subscription_id, license_id, today)
        if view.status not in (AVAILABLE, ASSIGNED):
            raise _license_taken(view)
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
            writes.create(item, conflict=_license_taken(view))
        else:
            writes.save(item)
        if invoice:
            invoice.write(writes)
            if invoice.credit_applied_cents:
                writes.save(snapshot.account)
        self._end_seat(writes, item, exit_.leaves_on)
        writes.save(_audit(clock, partner_id, actor, "batch.license_cancelled", item, reason=reason, after={
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
        writes.save(_audit(clock, partner_id, JOB_ACTOR, "batch.license_left", item,
                           after={"leave_reason": item.leave_reason, "left_on": item.leaves_on.isoformat()}))
        if item.client_account_id and item.leave_reason != TRANSFER:
            client = self._billing.snapshot(item.client_account_id, consistent=True)
            self._close_client(writes, clock, client, JOB_ACTOR, "Licença do lote encerrada pelo parceiro.")
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
    def _batch(self, snapshot: AccountSnapshot, subscription_id: str) -> tuple[SubscriptionItem, Product]:
        snapshot.require_account()
        batch = snapshot.subscription(subscription_id)
        product = self._catalog.product(batch.product_id)
        if product is None or product.kind is not ProductKind.BATCH:
            raise NotFound("Esta assinatura não é um lote de licenças.", code="batch_not_found")
        return batch, product

    def _license(self, partner_id: str, subscription_id: str, license_id: str, today: date):
        snapshot = self._billing.snapshot(partner_id, consistent=True)
        batch, _ = self._batch(snapshot, subscription_id)
        if batch.status == SubscriptionStatus.CANCELLED:
            raise Conflict("O lote está cancelado.", code="batch_cancelled")
        views = license_views(batch, self._repo.licenses(partner_id, subscription_id))
        view = next((v for v in views if v.license_id == license_id), None)
        if view is None:
            raise NotFound("Licença não encontrada neste lote.", code="license_not_found")
        return snapshot, batch, view

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

    def _close_client(self, writes, clock, client: AccountSnapshot, actor: str, reason: str) -> date | None:
        """Into the transaction: a client account left with nothing (its seat over) is cancelled and
        kept for the retention period. Returns the purge day."""
        account: AccountItem | None = client.account
        if account is None or account.status == "cancelled":
            return None
        closing = closing_if_nothing_left(self._retention, self._catalog, client, clock.today(), actor, reason)
        if closing.purge_on is None:
            return None
        account.status = "cancelled"
        writes.save(account)
        closing.write(writes)
        writes.save(audit_entry(clock, account.account_id, actor=actor, action="account.cancelled",
                                target=account.account_id, reason=reason,
                                after={"status": "cancelled", "purge_on": closing.purge_on.isoformat()}))
        return closing.purge_on

    def _invitation(self, writes, created, now):
        invitation = invitation_notice(created.account.account_id, created.account.name, created.owner.email, now)
        writes.create(invitation)
        return invitation

def _assigned(view: LicenseView) -> BatchLicenseItem:
    if view.status != ASSIGNED:
        raise Conflict("Esta licença não está atribuída a um cliente do lote.", code="license_not_assigned",
                       details={"status": view.status})
    return view.item


def _require_renewing(batch: SubscriptionItem) -> None:
    if batch.status not in RENEWING_STATUSES or not batch.auto_renew:
        raise Conflict("O lote não será renovado: as licenças saem com ele.", code="batch_not_renewing",
                       details={"status": batch.status})


def _license_taken(view: LicenseView) -> Conflict:
    return Conflict("Esta licença já tem um cliente ou está saindo do lote.", code="license_in_use",
                    details={"status": view.status})


def _on_review_list(item: BatchLicenseItem, day: date) -> None:
    due = review_due(item.account_id, f"LIC:{item.subscription_id}:{item.license_id}", day)
    item.due_pk, item.due_sk = due["due_pk"], due["due_sk"]


def _audit(clock, partner_id: str, actor: str, action: str, item: BatchLicenseItem, after: dict,
           reason: str | None = None):
    return audit_entry(clock, partner_id, actor=actor, action=action,
                       target=f"{item.subscription_id}/{item.license_id}", after=after, reason=reason)
