"""License keys, machine activation and license files, on the entitlements Renova computes.

Keys follow the seats: every seat of a subscription to a product with `licensing: keys` (catalog) has
one, and a client account of a partner batch whose licensed product has it holds one for its seat.
`sync` creates the keys of seats bought and retires those of seats removed (freeing their machines);
it runs after the plan routes change seats, after a renewal lowers them, and whenever the owner lists
the keys. Between the two a key whose seat number is over the quantity is already out of force
(domain.licensing.in_force).

The program's routes (activate, validate, deactivate) take the key as their credential, through the
rate limits and the one 404 of key_access.py; what the file then says comes from key_terms.py."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from chalicelib.catalog import Catalog, Product
from chalicelib.domain.enums import LicenseStatus
from chalicelib.domain.licensing import (
    BODY_BITS, LicenseTerms, RateLimits, format_key, in_force, license_claims, seats_to_create, seats_to_retire,
)
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.licensing.key_access import KeyGate, key_not_found
from chalicelib.services.licensing.key_terms import seats_of, terms_of
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.subscriptions.entitlements import BATCH_SEAT, SUBSCRIPTION
from chalicelib.store.batches import SEAT_SK, SeatItem
from chalicelib.store.licensing import ACTIVE, RETIRED, LicenseKeyItem, new_key_item

PROGRAM = "license_program"  # the actor of the program's calls in the audit trail


@dataclass(frozen=True)
class LicenseFile:
    token: str
    claims: dict
    machines: list[dict]


@dataclass(frozen=True)
class Seats:
    """What the keys of one subscription (or one batch seat) follow."""
    subscription_id: str
    product: Product
    source: str
    seats: int
    partner_account_id: str | None = None


def machines_of(item: LicenseKeyItem) -> list[dict]:
    machines = item.machines.as_dict() if hasattr(item.machines, "as_dict") else dict(item.machines or {})
    return sorted(({"fingerprint": fpr, **data} for fpr, data in machines.items()),
                  key=lambda m: m.get("activated_at") or "")


class LicensingService:
    def __init__(self, repository, billing, batches, catalog: Catalog, signer, events, clock,
                 limits: RateLimits = RateLimits(), random_bits=secrets.randbits):
        self._repo = repository
        self._billing = billing
        self._batches = batches
        self._catalog = catalog
        self._signer = signer
        self._events = events
        self._clock = clock
        self._gate = KeyGate(repository, limits, clock)
        self._random_bits = random_bits

    # --- keys follow the seats ----------------------------------------------------------------
    def sync(self, account_id: str, actor: str = "system") -> list[LicenseKeyItem]:
        """Creates the keys of seats without one and retires the keys of seats removed; returns the
        account's keys as they are then."""
        snapshot = self._billing.snapshot(account_id)
        snapshot.require_account()
        keys = self._repo.keys(account_id)
        now = self._clock.now()
        created, audits, retired = [], [], False
        for seats in self._seats(snapshot):
            live = [k for k in keys if k.subscription_id == seats.subscription_id and k.status == ACTIVE]
            for item in live:
                if int(item.seat) in seats_to_retire([int(k.seat) for k in live], seats.seats):
                    self._retire(item, now, actor)
                    retired = True
            for seat in seats_to_create([int(k.seat) for k in live], seats.seats):
                license_id = sortable_id("lic", now)
                item = new_key_item(account_id, license_id, seats.subscription_id, seats.product.id, seats.source,
                                    format_key(self._random_bits(BODY_BITS)), seat, now)
                created.append((item, seats.partner_account_id))
                audits.append(audit_entry(self._clock, account_id, actor=actor, action="license.key_created",
                                          target=license_id, after={"product_id": seats.product.id, "seat": seat,
                                                                    "subscription_id": seats.subscription_id}))
        if created:
            self._repo.create(created, audits)
        return self._repo.keys(account_id) if created or retired else keys

    def _seats(self, snapshot) -> list[Seats]:
        found = []
        for subscription in snapshot.subscriptions:
            product = self._catalog.product(subscription.product_id)
            if product is not None and product.licensing == "keys":
                found.append(Seats(subscription.subscription_id, product, SUBSCRIPTION, int(subscription.quantity)))
        seat = snapshot.other(SeatItem, SEAT_SK)
        if seat is not None:
            batch = self._batches.batch_subscription(seat.partner_account_id, seat.batch_subscription_id)
            batch_product = self._catalog.product(batch.product_id) if batch else None
            licensed = self._catalog.product(batch_product.license_product) if batch_product else None
            if licensed is not None and licensed.licensing == "keys":
                found.append(Seats(seat.batch_subscription_id, licensed, BATCH_SEAT, 1, seat.partner_account_id))
        return found

    def _retire(self, item: LicenseKeyItem, now: datetime, actor: str) -> None:
        freed = machines_of(item)
        audit = audit_entry(self._clock, item.account_id, actor=actor, action="license.key_retired",
                            target=item.license_id, before={"status": item.status, "machines": len(freed)},
                            after={"status": RETIRED})
        self._repo.retire(item, now, audit)
        for machine in freed:
            self._publish("license.deactivated", item, machine["fingerprint"], reason="seat_removed")

    def list(self, account_id: str, actor: str) -> list[LicenseKeyItem]:
        keys = self.sync(account_id, actor)
        return sorted(keys, key=lambda k: (k.status != ACTIVE, k.subscription_id, int(k.seat), k.license_id))

    def deactivate_machine(self, account_id: str, license_id: str, fingerprint: str, actor: str) -> LicenseKeyItem:
        """From the portal (owner or admin): frees the machine's slot."""
        item = next((k for k in self._repo.keys(account_id) if k.license_id == license_id), None)
        if item is None:
            raise NotFound("Licença não encontrada.", code="license_not_found")
        audit = audit_entry(self._clock, account_id, actor=actor, action="license.deactivated", target=license_id,
                            before={"fingerprint": fingerprint}, reason="portal")
        if not self._repo.deactivate(item, fingerprint, [], audit):
            raise NotFound("Máquina não encontrada nesta licença.", code="machine_not_found")
        self._publish("license.deactivated", item, fingerprint, reason="portal")
        machines = {m["fingerprint"]: m for m in machines_of(item) if m["fingerprint"] != fingerprint}
        item.machines, item.machine_count = machines, len(machines)  # as written, without reading it again
        return item

    # --- the program's calls ------------------------------------------------------------------
    def activate(self, key_text: str, fingerprint: str, machine_name: str, source: str) -> LicenseFile:
        key, counters, state, ref = self._gate.open(key_text, source)
        item = state.item
        seats, product = seats_of(self._catalog, state, ref)
        terms = terms_of(self._catalog, self._clock.today(), state, ref, product, seats)
        if item.status != ACTIVE or not in_force(int(item.seat), seats):
            self._repo.count(counters, failed=True)
            raise key_not_found()  # a retired key is no key for a new machine
        if fingerprint in {m["fingerprint"] for m in machines_of(item)}:
            self._repo.check_in(item, fingerprint, self._clock.now().isoformat(), counters)
            return self._file(item, fingerprint, terms, machines_of(item))  # already active here
        if terms.license is LicenseStatus.NONE:
            self._repo.count(counters, failed=False)
            raise Conflict("Esta licença não está mais em vigor; regularize a assinatura para ativar.",
                           code="license_not_active")
        limit = product.machines_per_license if product else 1
        now = self._clock.now().isoformat()
        machine = {"name": machine_name, "activated_at": now, "last_seen_at": now}
        audit = audit_entry(self._clock, item.account_id, actor=PROGRAM, action="license.activated",
                            target=item.license_id, after={"fingerprint": fingerprint, "machine_name": machine_name})
        if int(item.machine_count or 0) >= limit or not self._repo.activate(item, fingerprint, machine, limit,
                                                                            counters, audit):
            fresh = self._repo.state(ref).item
            machines = machines_of(fresh)
            if fingerprint in {m["fingerprint"] for m in machines}:  # the same machine, twice at once
                return self._file(fresh, fingerprint, terms, machines)
            self._repo.count(counters, failed=False)
            raise Conflict(f"Esta licença já está ativa no limite de {limit} máquina(s); desative uma para "
                           "ativar esta.", code="machine_limit_reached",
                           details={"machines_per_license": limit,
                                    "machines": [_public(m) for m in machines]})
        self._publish("license.activated", item, fingerprint, machine_name=machine_name)
        return self._file(item, fingerprint, terms, machines_of(item) + [{"fingerprint": fingerprint, **machine}])

    def validate(self, key_text: str, fingerprint: str, source: str) -> LicenseFile:
        """The program's check-in: a new file with the license as it is now."""
        key, counters, state, ref = self._gate.open(key_text, source)
        item = state.item
        seats, product = seats_of(self._catalog, state, ref)
        terms = terms_of(self._catalog, self._clock.today(), state, ref, product, seats)
        machines = machines_of(item)
        if item.status == ACTIVE and not in_force(int(item.seat), seats):
            self.sync(item.account_id)  # its seat was removed: retire it now (frees its machines)
        elif item.status == ACTIVE:
            if not self._repo.check_in(item, fingerprint, self._clock.now().isoformat(), counters):
                self._repo.count(counters, failed=False)
                raise NotFound("Esta máquina não está ativada nesta licença; ative-a primeiro.",
                               code="machine_not_activated")
            return self._file(item, fingerprint, terms, machines)
        self._repo.count(counters, failed=False)
        return self._file(item, fingerprint, terms, [])

    def deactivate(self, key_text: str, fingerprint: str, source: str) -> None:
        """The program frees its machine's slot (uninstall, moving to another machine)."""
        key, counters, state, ref = self._gate.open(key_text, source)
        item = state.item
        audit = audit_entry(self._clock, item.account_id, actor=PROGRAM, action="license.deactivated",
                            target=item.license_id, before={"fingerprint": fingerprint}, reason="program")
        if not self._repo.deactivate(item, fingerprint, counters, audit):
            self._repo.count(counters, failed=False)
            raise NotFound("Esta máquina não está ativada nesta licença.", code="machine_not_activated")
        self._publish("license.deactivated", item, fingerprint, reason="program")

    def jwks(self) -> dict:
        return self._signer.jwks()

    def _file(self, item: LicenseKeyItem, fingerprint: str, terms: LicenseTerms, machines: list[dict]) -> LicenseFile:
        claims = license_claims(terms, key=item.key, account_id=item.account_id, product_id=item.product_id,
                                fingerprint=fingerprint, issued_at=self._clock.now(), kid=self._signer.kid)
        token = self._signer.sign(claims)
        return LicenseFile(token, claims, [_public(m) for m in machines])

    def _publish(self, event_type: str, item: LicenseKeyItem, fingerprint: str, **extra) -> None:
        at = self._clock.now().isoformat()
        self._events.publish(event_type, item.account_id, {
            "license_id": item.license_id, "product_id": item.product_id, "subscription_id": item.subscription_id,
            "fingerprint": fingerprint, **extra,
        }, event_id=f"{event_type}:{item.license_id}:{fingerprint}:{at}")


def _public(machine: dict) -> dict:
    return {"fingerprint": machine["fingerprint"], "name": machine.get("name"),
            "activated_at": machine.get("activated_at"), "last_seen_at": machine.get("last_seen_at")}
