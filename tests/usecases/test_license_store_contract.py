"""The license repository's behaviours, run on the in-memory fake (tests/fakes/licensing.py) and on
the real repository on moto, so the use-case tier's fake cannot drift from the store."""
from datetime import date, datetime, timezone

import pytest

from chalicelib.store.base import account_pk
from chalicelib.store.licensing import Counter, LicenseRepository, new_key_item, rate_pk
from chalicelib.store.subscriptions import SubscriptionItem, subscription_sk
from tests.fakes.licensing import FakeLicenseRepository
from tests.fakes.world import World, offline

NOW = datetime(2026, 4, 20, 13, 0, tzinfo=timezone.utc)
KEY = "RNV-TEST-KEY0-0000-0000-0"


class Repositories:
    def __init__(self, billing, licenses, audit_clock):
        self.billing, self.licenses, self.clock = billing, licenses, audit_clock


@pytest.fixture(params=["fake", "moto"])
def repos(request):
    if request.param == "moto":
        services = request.getfixturevalue("aws")
        yield Repositories(services.billing_repository, LicenseRepository(), services.clock)
    else:
        with offline():
            world = World()
            yield Repositories(world.billing_repository, FakeLicenseRepository(world.store), world.clock)


def _audit(repos, action="license.activated"):
    from chalicelib.services.shared.audit import audit_entry

    return audit_entry(repos.clock, "acc-1", actor="t", action=action, target="lic-1")


def _arranged(repos):
    writes = repos.billing.writes()
    writes.create(SubscriptionItem(pk=account_pk("acc-1"), sk=subscription_sk("sub-1"), account_id="acc-1",
                                   subscription_id="sub-1", product_id="promob-cats-mandatory", periodicity="monthly",
                                   current_period_start=date(2026, 4, 20), current_period_end=date(2026, 5, 20),
                                   anchor_day=20, payment_method="boleto", quantity=1))
    writes.commit()
    item = new_key_item("acc-1", "lic-1", "sub-1", "promob-cats-mandatory", "subscription", KEY, 1, NOW)
    repos.licenses.create([(item, None)], [_audit(repos, "license.key_created")])
    return item


def _counters():
    return [Counter(rate_pk("src", "10.0.0.1"), 7, 9_999_999_999), Counter(rate_pk("key", KEY), 7, 9_999_999_999)]


def test_a_key_is_found_by_its_text_with_what_its_license_depends_on(repos):
    _arranged(repos)
    found = repos.licenses.lookup(KEY, _counters())
    assert (found.ref.account_id, found.ref.subscription_id, found.ref.license_id) == ("acc-1", "sub-1", "lic-1")
    assert [(c.calls, c.failures) for c in found.counters] == [(0, 0), (0, 0)]
    state = repos.licenses.state(found.ref)
    assert state.item.key == KEY and state.subscription.subscription_id == "sub-1" and state.seat is None
    assert repos.licenses.lookup("RNV-NOPE", _counters()).ref is None


def test_slots_are_taken_up_to_the_limit_once_per_machine_and_freed(repos):
    item = _arranged(repos)
    machine = {"name": "PC", "activated_at": NOW.isoformat()}
    assert repos.licenses.activate(item, "fp-1", machine, 2, _counters(), _audit(repos))
    assert not repos.licenses.activate(item, "fp-1", machine, 2, _counters(), _audit(repos))  # already there
    assert repos.licenses.activate(item, "fp-2", machine, 2, _counters(), _audit(repos))
    assert not repos.licenses.activate(item, "fp-3", machine, 2, _counters(), _audit(repos))  # the limit
    assert repos.licenses.check_in(item, "fp-2", "later", _counters())
    assert not repos.licenses.check_in(item, "fp-3", "later", _counters())
    assert repos.licenses.deactivate(item, "fp-1", _counters(), _audit(repos))
    assert not repos.licenses.deactivate(item, "fp-1", _counters(), _audit(repos))
    [stored] = repos.licenses.keys("acc-1")
    assert int(stored.machine_count) == 1 and stored.machines.as_dict()["fp-2"]["last_seen_at"] == "later"
    # Counted: every call that wrote (4 slots taken or checked in or freed), none of the refused ones.
    counted = repos.licenses.lookup(KEY, _counters()).counters
    assert [c.calls for c in counted] == [4, 4]


def test_counting_failures_and_retiring(repos):
    item = _arranged(repos)
    repos.licenses.count(_counters()[:1], failed=True)
    repos.licenses.count(_counters(), failed=False)
    assert [(c.calls, c.failures) for c in repos.licenses.lookup(KEY, _counters()).counters] == [(2, 1), (1, 0)]
    repos.licenses.activate(item, "fp-1", {"name": "PC"}, 2, [], _audit(repos))
    repos.licenses.retire(item, NOW, _audit(repos, "license.key_retired"))
    repos.licenses.retire(item, NOW, _audit(repos, "license.key_retired"))  # twice: nothing more
    [stored] = repos.licenses.keys("acc-1")
    assert (stored.status, int(stored.machine_count), stored.machines.as_dict()) == ("retired", 0, {})
    assert not repos.licenses.activate(stored, "fp-2", {"name": "PC"}, 2, [], _audit(repos))
