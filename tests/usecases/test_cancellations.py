"""Cancellation on the fakes: within the 7-day withdrawal window (cancelled now, refunded, unpaid
invoices voided) and outside it (scheduled for the period end, undoable until then)."""
import pytest

from chalicelib.domain.cancellation import CancellationKind
from chalicelib.errors import Conflict
from tests.usecases.steps import OWNER, pay, subscribe


def _cancel(world, account_id, subscription_id):
    return world.cancellations.cancel(account_id, subscription_id, "Não preciso mais", actor=OWNER)


def test_within_the_window_a_paid_subscription_is_cancelled_now_and_its_payment_refunded(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    pay(world, account_id, done.invoice_id)
    world.clock.advance(days=3)
    result = _cancel(world, account_id, done.subscription.subscription_id)
    assert (result.kind, result.refund_cents, result.refund_status) == (CancellationKind.WITHDRAWAL, 19900, "requested")
    stored = world.billing_repository.snapshot(account_id).subscription(done.subscription.subscription_id)
    assert (stored.status, stored.auto_renew) == ("cancelled", False)
    [refund] = world.payment_repository.refunds(account_id)
    assert (refund.amount_cents, refund.status) == (19900, "requested")
    assert world.retention_repository.get(account_id) is not None  # nothing left: the purge is scheduled


def test_within_the_window_an_unpaid_subscription_has_its_invoice_voided(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    world.clock.advance(days=2)
    result = _cancel(world, account_id, done.subscription.subscription_id)
    assert result.kind is CancellationKind.WITHDRAWAL and result.refund_cents == 0
    assert result.voided_invoice_ids == (done.invoice_id,)
    assert world.invoice_reads.get(account_id, done.invoice_id).status == "void"
    assert world.billing_repository.snapshot(account_id).open_invoices == []


def test_outside_the_window_the_cancellation_is_scheduled_for_the_period_end(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    pay(world, account_id, done.invoice_id)
    world.clock.advance(days=10)
    result = _cancel(world, account_id, done.subscription.subscription_id)
    assert result.kind is not CancellationKind.WITHDRAWAL and result.refund_cents == 0
    assert str(result.effective_date) >= "2026-05-20"
    stored = world.billing_repository.snapshot(account_id).subscription(done.subscription.subscription_id)
    assert (stored.status, stored.auto_renew) == ("pending_cancellation", False)
    assert world.payment_repository.refunds(account_id) == []
    assert world.retention_repository.get(account_id) is None


def test_a_scheduled_cancellation_is_refused_twice_and_undone_by_reactivating(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    pay(world, account_id, done.invoice_id)
    world.clock.advance(days=10)
    subscription_id = done.subscription.subscription_id
    _cancel(world, account_id, subscription_id)
    with pytest.raises(Conflict) as raised:
        _cancel(world, account_id, subscription_id)
    assert raised.value.code == "cancellation_already_scheduled"
    world.cancellations.reactivate(account_id, subscription_id, actor=OWNER)
    stored = world.billing_repository.snapshot(account_id).subscription(subscription_id)
    assert (stored.status, stored.auto_renew) == ("active", True)


def test_a_cancelled_subscription_cannot_be_cancelled_again(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    _cancel(world, account_id, done.subscription.subscription_id)
    with pytest.raises(Conflict) as raised:
        _cancel(world, account_id, done.subscription.subscription_id)
    assert raised.value.code == "subscription_cancelled"
