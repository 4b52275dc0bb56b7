"""License keys of desktop products, the machines each is activated on, and the program routes'
rate counters.

- Key: pk=ACCOUNT#<id>, sk=`~KEY#<subscription_id>#<license_id>` — the key, its status and its
  machines (a map fingerprint -> name and dates, with their count beside it). Retired keys stay, so
  the range only grows: history (collection_keys.py), out of the live state every screen reads; only
  the licensing routes query it. The machines live in the key's item so that taking a slot is one
  conditional update: two machines racing for the last slot cannot both pass `machine_count < limit`.
- Reference: pk=`LICENSEKEY#<sha-256 of the key>`, sk=KEY → where the key lives, for the program's
  routes that only know the key. The hash keeps keys out of every partition key; it belongs to the
  account (ownership.owned_by), so the purge deletes it.
- Rate counter: pk=`LICRATE#<scope>#<hash>`, sk=<window number>: calls and failures of one key or one
  source address in a fixed window, gone by TTL (`expires_at`) after it.

A program's call reads the reference and its counters in one BatchGetItem, the key's license (the
subscription, or the partner batch and the client's seat) with the key item in a second, and writes
the machine, the counters and the audit entry in one transaction: three calls.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.conditions import condition_failed
from chalicelib.store.ownership import owned_by
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk

KEY_PREFIX = f"{HISTORY}KEY#"
REF_SK = "KEY"
ACTIVE, RETIRED = "active", "retired"


def key_prefix(subscription_id: str | None = None) -> str:
    return KEY_PREFIX if subscription_id is None else f"{KEY_PREFIX}{subscription_id}#"


def key_sk(subscription_id: str, license_id: str) -> str:
    return f"{key_prefix(subscription_id)}{license_id}"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def ref_pk(key: str) -> str:
    return f"LICENSEKEY#{digest(key)}"


def rate_pk(scope: str, value: str) -> str:
    return f"LICRATE#{scope}#{digest(value)}"


class LicenseKeyItem(BillingItem, discriminator="license_key"):
    account_id = UnicodeAttribute()
    license_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()  # the account's own, or the partner's batch
    product_id = UnicodeAttribute()
    source = UnicodeAttribute()  # subscription | batch_seat
    key = UnicodeAttribute()
    seat = NumberAttribute()  # 1..quantity among the subscription's active keys
    status = UnicodeAttribute(default=ACTIVE)
    machines = MapAttribute(default=dict)  # fingerprint -> {"name", "activated_at", "last_seen_at"}
    machine_count = NumberAttribute(default=0)
    retired_at = UTCDateTimeAttribute(null=True)


class LicenseKeyRefItem(BillingItem, discriminator="license_key_ref"):
    account_id = UnicodeAttribute()
    license_id = UnicodeAttribute()
    subscription_id = UnicodeAttribute()
    source = UnicodeAttribute()
    partner_account_id = UnicodeAttribute(null=True)  # batch_seat: the batch's account


class LicenseRateItem(BillingItem, discriminator="license_rate"):
    calls = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


@dataclass
class Counter:
    """One rate counter a call adds to: its item, what was read of it, what this call adds."""
    pk: str
    window: int
    expires_at: int
    calls: int = 0
    failures: int = 0

    @property
    def sk(self) -> str:
        return str(self.window)


@dataclass
class Lookup:
    ref: LicenseKeyRefItem | None
    counters: list[Counter]


@dataclass
class KeyState:
    """A key with what its license depends on, as one read returned them."""
    item: LicenseKeyItem | None
    subscription: SubscriptionItem | None  # own subscription, or the partner's batch
    seat: SeatItem | None = None  # batch_seat: the client's seat


def new_key_item(account_id: str, license_id: str, subscription_id: str, product_id: str, source: str,
                 key: str, seat: int, created_at) -> LicenseKeyItem:
    return LicenseKeyItem(
        pk=account_pk(account_id), sk=key_sk(subscription_id, license_id), account_id=account_id,
        license_id=license_id, subscription_id=subscription_id, product_id=product_id, source=source,
        key=key, seat=seat, status=ACTIVE, machines={}, machine_count=0, created_at=created_at)


def new_ref_item(item: LicenseKeyItem, partner_account_id: str | None) -> LicenseKeyRefItem:
    pk = ref_pk(item.key)
    return LicenseKeyRefItem(pk=pk, sk=REF_SK, account_id=item.account_id, license_id=item.license_id,
                             subscription_id=item.subscription_id, source=item.source,
                             partner_account_id=partner_account_id, created_at=item.created_at,
                             **owned_by(item.account_id, pk, REF_SK))


class LicenseRepository:
    # --- the account's keys -------------------------------------------------------------------
    def keys(self, account_id: str) -> list[LicenseKeyItem]:
        return list(LicenseKeyItem.query(account_pk(account_id), LicenseKeyItem.sk.startswith(KEY_PREFIX),
                                         consistent_read=True))

    def create(self, items: list[tuple[LicenseKeyItem, str | None]], audits: list) -> None:
        """New keys with their references; a key already taken (80 random bits: never) fails all."""
        if not items:
            return
        with transaction() as tx:
            for item, partner in items:
                tx.save(item, condition=LicenseKeyItem.pk.does_not_exist())
                tx.save(new_ref_item(item, partner), condition=LicenseKeyRefItem.pk.does_not_exist())
            for audit in audits:
                tx.save(audit)

    def retire(self, item: LicenseKeyItem, now, audit) -> None:
        """The seat is gone: the key stops, its machines are freed."""
        try:
            with transaction() as tx:
                tx.update(item, actions=[LicenseKeyItem.status.set(RETIRED), LicenseKeyItem.machines.set({}),
                                         LicenseKeyItem.machine_count.set(0), LicenseKeyItem.retired_at.set(now)],
                          condition=LicenseKeyItem.status == ACTIVE)
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return  # retired by someone else meanwhile
            raise

    # --- the program's calls ------------------------------------------------------------------
    def lookup(self, key: str, counters: list[Counter]) -> Lookup:
        """The key's reference and the counters' current values, in one BatchGetItem."""
        keys = [(ref_pk(key), REF_SK)] + [(c.pk, c.sk) for c in counters]
        found = {(item.pk, item.sk): item for item in BillingItem.batch_get(keys)}
        for counter in counters:
            stored = found.get((counter.pk, counter.sk))
            if isinstance(stored, LicenseRateItem):
                counter.calls, counter.failures = int(stored.calls or 0), int(stored.failures or 0)
        ref = found.get((ref_pk(key), REF_SK))
        return Lookup(ref if isinstance(ref, LicenseKeyRefItem) else None, counters)

    def state(self, ref: LicenseKeyRefItem) -> KeyState:
        """The key item and what its license depends on, in one BatchGetItem."""
        own = account_pk(ref.account_id)
        item_key = (own, key_sk(ref.subscription_id, ref.license_id))
        holder = ref.partner_account_id or ref.account_id
        sub_key = (account_pk(holder), subscription_sk(ref.subscription_id))
        keys = [item_key, sub_key] + ([(own, SEAT_SK)] if ref.partner_account_id else [])
        found = {(item.pk, item.sk): item for item in BillingItem.batch_get(keys, consistent_read=True)}
        item, subscription = found.get(item_key), found.get(sub_key)
        seat = found.get((own, SEAT_SK)) if ref.partner_account_id else None
        return KeyState(item if isinstance(item, LicenseKeyItem) else None,
                        subscription if isinstance(subscription, SubscriptionItem) else None,
                        seat if isinstance(seat, SeatItem) else None)

    def count(self, counters: list[Counter], failed: bool) -> None:
        """A call that changes nothing else still counts (a refused one as a failure too)."""
        with transaction() as tx:
            for counter in counters:
                _add(tx, counter, failed)

    def activate(self, item: LicenseKeyItem, fingerprint: str, machine: dict, limit: int,
                 counters: list[Counter], audit) -> bool:
        """Takes a slot for the machine on condition that the key is active, the machine not there yet
        and fewer than `limit` machines hold one. False: the condition failed (the caller reads why)."""
        condition = ((LicenseKeyItem.status == ACTIVE) & (LicenseKeyItem.machine_count < limit)
                     & LicenseKeyItem.machines[fingerprint].does_not_exist())
        try:
            with transaction() as tx:
                tx.update(item, actions=[LicenseKeyItem.machines[fingerprint].set(machine),
                                         LicenseKeyItem.machine_count.add(1)], condition=condition)
                for counter in counters:
                    _add(tx, counter, failed=False)
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def check_in(self, item: LicenseKeyItem, fingerprint: str, seen_at: str, counters: list[Counter]) -> bool:
        """The machine's last check-in; False when the machine no longer holds a slot."""
        try:
            with transaction() as tx:
                tx.update(item, actions=[LicenseKeyItem.machines[fingerprint]["last_seen_at"].set(seen_at)],
                          condition=LicenseKeyItem.machines[fingerprint].exists())
                for counter in counters:
                    _add(tx, counter, failed=False)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def deactivate(self, item: LicenseKeyItem, fingerprint: str, counters: list[Counter], audit) -> bool:
        """Frees the machine's slot; False when it held none."""
        try:
            with transaction() as tx:
                tx.update(item, actions=[LicenseKeyItem.machines[fingerprint].remove(),
                                         LicenseKeyItem.machine_count.add(-1)],
                          condition=LicenseKeyItem.machines[fingerprint].exists())
                for counter in counters:
                    _add(tx, counter, failed=False)
                tx.save(audit)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise ConcurrentUpdate() from exc
        return True


def _add(tx, counter: Counter, failed: bool) -> None:
    item = LicenseRateItem(pk=counter.pk, sk=counter.sk)
    actions = [LicenseRateItem.type.set(LicenseRateItem), LicenseRateItem.calls.add(1),
               LicenseRateItem.expires_at.set(counter.expires_at)]
    if failed:
        actions.append(LicenseRateItem.failures.add(1))
    tx.update(item, actions=actions)
