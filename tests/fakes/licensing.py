"""chalicelib.store.licensing.LicenseRepository in memory, on the fake billing table: the same items,
keys, conditions and update actions, judged by tests/fakes/dynamo.py. A failed condition cancels the
whole transaction, as on DynamoDB (tests/usecases/test_license_store_contract.py runs the same
behaviours on both)."""
from chalicelib.store.base import account_pk
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.licensing import (
    ACTIVE, KEY_PREFIX, REF_SK, RETIRED, KeyState, LicenseKeyItem, LicenseKeyRefItem, LicenseRateItem, Lookup,
    key_sk, new_ref_item, ref_pk,
)
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.fakes.dynamo import TransactionCancelled


class FakeLicenseRepository:
    def __init__(self, store):
        self._store = store

    def _table(self):
        return self._store.billing

    def _commit(self, build) -> bool:
        tx = self._store.transaction()
        build(tx)
        try:
            tx.commit()
        except TransactionCancelled:
            return False
        return True

    def keys(self, account_id: str) -> list[LicenseKeyItem]:
        return self._table().query(account_pk(account_id), lambda sk: sk.startswith(KEY_PREFIX), model=LicenseKeyItem)

    def create(self, items, audits) -> None:
        def build(tx):
            for item, partner in items:
                tx.save(item, condition=LicenseKeyItem.pk.does_not_exist())
                tx.save(new_ref_item(item, partner), condition=LicenseKeyRefItem.pk.does_not_exist())
            for audit in audits:
                tx.save(audit)
        if items and not self._commit(build):
            raise AssertionError("a license key was created twice")

    def retire(self, item, now, audit) -> None:
        self._commit(lambda tx: (
            tx.update(item, actions=[LicenseKeyItem.status.set(RETIRED), LicenseKeyItem.machines.set({}),
                                     LicenseKeyItem.machine_count.set(0), LicenseKeyItem.retired_at.set(now)],
                      condition=LicenseKeyItem.status == ACTIVE),
            tx.save(audit)))

    def lookup(self, key: str, counters) -> Lookup:
        for counter in counters:
            stored = self._table().get(counter.pk, counter.sk, model=LicenseRateItem)
            if stored is not None:
                counter.calls, counter.failures = int(stored.calls or 0), int(stored.failures or 0)
        return Lookup(self._table().get(ref_pk(key), REF_SK, model=LicenseKeyRefItem), counters)

    def state(self, ref) -> KeyState:
        own = account_pk(ref.account_id)
        holder = account_pk(ref.partner_account_id or ref.account_id)
        return KeyState(self._table().get(own, key_sk(ref.subscription_id, ref.license_id), model=LicenseKeyItem),
                        self._table().get(holder, subscription_sk(ref.subscription_id), model=SubscriptionItem),
                        self._table().get(own, SEAT_SK, model=SeatItem) if ref.partner_account_id else None)

    def count(self, counters, failed: bool) -> None:
        self._commit(lambda tx: [_add(tx, counter, failed) for counter in counters])

    def activate(self, item, fingerprint, machine, limit, counters, audit) -> bool:
        condition = ((LicenseKeyItem.status == ACTIVE) & (LicenseKeyItem.machine_count < limit)
                     & LicenseKeyItem.machines[fingerprint].does_not_exist())

        def build(tx):
            tx.update(item, actions=[LicenseKeyItem.machines[fingerprint].set(machine),
                                     LicenseKeyItem.machine_count.add(1)], condition=condition)
            for counter in counters:
                _add(tx, counter, failed=False)
            tx.save(audit)
        return self._commit(build)

    def check_in(self, item, fingerprint, seen_at, counters) -> bool:
        def build(tx):
            tx.update(item, actions=[LicenseKeyItem.machines[fingerprint]["last_seen_at"].set(seen_at)],
                      condition=LicenseKeyItem.machines[fingerprint].exists())
            for counter in counters:
                _add(tx, counter, failed=False)
        return self._commit(build)

    def deactivate(self, item, fingerprint, counters, audit) -> bool:
        def build(tx):
            tx.update(item, actions=[LicenseKeyItem.machines[fingerprint].remove(),
                                     LicenseKeyItem.machine_count.add(-1)],
                      condition=LicenseKeyItem.machines[fingerprint].exists())
            for counter in counters:
                _add(tx, counter, failed=False)
            tx.save(audit)
        return self._commit(build)


def _add(tx, counter, failed: bool) -> None:
    actions = [LicenseRateItem.type.set(LicenseRateItem), LicenseRateItem.calls.add(1),
               LicenseRateItem.expires_at.set(counter.expires_at)]
    if failed:
        actions.append(LicenseRateItem.failures.add(1))
    tx.update(LicenseRateItem(pk=counter.pk, sk=counter.sk), actions=actions)
