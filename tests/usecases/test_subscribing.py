"""Subscribing, on the fakes: the subscription and its first invoice, numbered, credit applied first."""
import pytest

from chalicelib.errors import NotFound, ValidationFailed
from tests.usecases.steps import PROMOB, subscribe


def test_subscribing_writes_the_subscription_and_its_first_invoice_numbered(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    snapshot = world.billing_repository.snapshot(account_id)
    subscription = snapshot.subscription(done.subscription.subscription_id)
    assert (subscription.status, subscription.product_id, str(subscription.current_period_start),
            str(subscription.current_period_end)) == ("active", PROMOB, "2026-04-20", "2026-05-20")
    invoice = world.invoice_reads.get(account_id, done.invoice_id)
    assert (invoice.number, invoice.status, invoice.total_cents, invoice.origin) == ("2026-000001", "open", 19900,
                                                                                    "subscription")
    assert [s.invoice_id for s in snapshot.open_invoices] == [done.invoice_id]


def test_each_subscription_takes_the_next_invoice_number(world):
    account_id = world.account()
    numbers = [world.invoice_reads.get(account_id, subscribe(world, account_id).invoice_id).number for _ in range(3)]
    assert numbers == ["2026-000001", "2026-000002", "2026-000003"]


def test_account_credit_is_applied_first_and_only_the_rest_is_charged(world):
    account_id = world.account(credit_cents=5000)
    done = subscribe(world, account_id)
    invoice = world.invoice_reads.get(account_id, done.invoice_id)
    assert invoice.total_cents == 19900 - 5000
    assert sum(line.amount_cents for line in invoice.lines if line.kind == "credit") == -5000
    assert world.account_repository.get(account_id).credit_cents == 0


def test_credit_larger_than_the_price_pays_it_all_and_keeps_the_rest(world):
    account_id = world.account(credit_cents=25000)
    done = subscribe(world, account_id)
    invoice = world.invoice_reads.get(account_id, done.invoice_id)
    assert invoice.total_cents == 0
    assert world.account_repository.get(account_id).credit_cents == 25000 - 19900


def test_per_seat_plans_charge_each_license(world):
    account_id = world.account()
    done = subscribe(world, account_id, quantity=3)
    assert world.invoice_reads.get(account_id, done.invoice_id).total_cents == 3 * 19900


def test_an_unknown_product_or_account_is_refused_and_nothing_is_written(world):
    account_id = world.account()
    before = dict(world.store.billing.items)
    with pytest.raises(ValidationFailed):
        subscribe(world, account_id, product_id="nope")
    with pytest.raises(NotFound):
        subscribe(world, "acc-missing")
    assert world.store.billing.items == before


def test_a_concurrent_invoice_makes_subscribe_read_again_and_take_the_next_number(world, monkeypatch):
    account_id = world.account()
    repository = world.billing_repository
    real_snapshot, raced = repository.snapshot, []

    def snapshot_then_race(*args, **kwargs):
        read = real_snapshot(*args, **kwargs)
        if not raced:  # another request subscribes between this read and its commit
            monkeypatch.setattr(repository, "snapshot", real_snapshot)
            raced.append(subscribe(world, account_id))
        return read

    monkeypatch.setattr(repository, "snapshot", snapshot_then_race)
    done = subscribe(world, account_id)
    numbers = sorted(world.invoice_reads.get(account_id, d.invoice_id).number for d in (raced[0], done))
    assert numbers == ["2026-000001", "2026-000002"]
