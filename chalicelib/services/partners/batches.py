"""Partner batches (Conta Azul Mais, PRODUCT.md §8): a partner account buys a batch of N licenses
(a subscription of a `batch` product, quantity N) and manages them through its own account's batch
routes — its people are never members of the client accounts.

- view: the batch's licenses (licenses.py);
- assign: a blank client account for a free license, owned by the client's person (invited);
- substitute: the license goes to a new blank client account; the old one is cancelled and kept for
  the retention period, then purged.

A license leaving the batch (transfer of billing responsibility, cancel, the batch's own end) is
license_exits.py."""
from chalicelib.catalog import Catalog
from chalicelib.services.partners.clients import ClientRequest, client_created_audit, close_client, new_client
from chalicelib.services.partners.licenses import (
    ASSIGNED, AVAILABLE, BatchView, LicenseChange, assigned, batch_of, license_audit, license_of, license_taken,
    license_views,
)
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.subscriptions.standing_notices import invitation_notice
from chalicelib.store.base import account_pk
from chalicelib.store.batches import SEAT_SK, BatchLicenseItem, SeatItem, license_sk


class BatchService:
    def __init__(self, billing, repository, retention, notices, catalog: Catalog, clock):
        self._billing = billing
        self._repo = repository
        self._retention = retention
        self._notices = notices
        self._catalog = catalog
        self._clock = clock

    def view(self, partner_id: str, subscription_id: str) -> BatchView:
        snapshot = self._billing.snapshot(partner_id)
        batch, product = batch_of(self._catalog, snapshot, subscription_id)
        return BatchView(batch, product, license_views(batch, self._repo.licenses(partner_id, subscription_id)))

    def assign(self, partner_id: str, subscription_id: str, license_id: str, client: ClientRequest,
               actor: str) -> LicenseChange:
        clock = frozen(self._clock)
        snapshot, batch, view = license_of(self._billing, self._repo, self._catalog, partner_id, subscription_id,
                                           license_id)
        if view.status != AVAILABLE:
            raise license_taken(view)
        created = new_client(client, partner_id, subscription_id, license_id, clock.now())
        item = BatchLicenseItem(
            pk=account_pk(partner_id), sk=license_sk(subscription_id, license_id), account_id=partner_id,
            subscription_id=subscription_id, license_id=license_id, status=ASSIGNED,
            client_account_id=created.account.account_id, client_name=client.name, assigned_on=clock.today(),
            created_at=clock.now())
        writes = self._billing.writes()
        writes.create(item, conflict=license_taken(view))
        created.write(writes)
        writes.save(client_created_audit(clock, created, partner_id, license_id, actor))
        writes.save(license_audit(clock, partner_id, actor, "batch.license_assigned", item, after={
            "client_account_id": item.client_account_id, "client_name": client.name}))
        invitation = self._invitation(writes, created, clock.now())
        writes.commit()
        self._notices.deliver(invitation)
        return LicenseChange(item, batch)

    def substitute(self, partner_id: str, subscription_id: str, license_id: str, client: ClientRequest,
                   actor: str) -> LicenseChange:
        clock = frozen(self._clock)
        today = clock.today()
        _, batch, view = license_of(self._billing, self._repo, self._catalog, partner_id, subscription_id,
                                    license_id)
        item = assigned(view)
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
        writes.save(license_audit(clock, partner_id, actor, "batch.license_substituted", item, after={
            "client_account_id": item.client_account_id, "previous_client_account_id": previous_id}))
        writes.save(audit_entry(clock, previous_id, actor=actor, action="account.license_withdrawn",
                                target=previous_id, after={"license_id": license_id, "ends_on": today.isoformat()},
                                reason="O parceiro passou a licença para outro cliente."))
        purge_on = close_client(self._retention, self._catalog, writes, clock, old, actor,
                                "Licença do lote passada para outro cliente.")
        invitation = self._invitation(writes, created, clock.now())
        writes.commit()
        self._notices.deliver(invitation)
        return LicenseChange(item, batch, previous_client_id=previous_id, purge_on=purge_on)

    @staticmethod
    def _invitation(writes, created, now):
        invitation = invitation_notice(created.account.account_id, created.account.name, created.owner.email, now)
        writes.create(invitation)
        return invitation
