"""Plan changes on the fakes: what the preview quotes is what the change charges, to the centavo."""
from datetime import timedelta

import pytest
from hypothesis import given, settings, strategies as st

from chalicelib.domain.enums import Periodicity
from chalicelib.errors import Conflict
from chalicelib.services.subscriptions.change_terms import ChangeRequest
from tests.examples import examples
from tests.fakes.world import World, offline, seams
from tests.usecases.steps import OWNER, pay, subscribe


def _paid_subscription(world, **kwargs):
    account_id = world.account()
    done = subscribe(world, account_id, **kwargs)
    pay(world, account_id, done.invoice_id)
    return account_id, done.subscription.subscription_id


def _preview_then_apply(world, account_id, subscription_id, request):
    preview = world.plan_changes.preview(account_id, subscription_id, request)
    applied, invoice_id = world.plan_changes.apply(account_id, subscription_id, request, actor=OWNER)
    return preview, applied, invoice_id


def test_adding_licenses_mid_period_charges_the_quoted_proration(world):
    account_id, subscription_id = _paid_subscription(world)
    world.clock.advance(days=10)
    preview, applied, invoice_id = _preview_then_apply(world, account_id, subscription_id, ChangeRequest(quantity=3))
    assert 0 < preview.charge_now_cents < 2 * 19900
    assert preview.charge_now_cents == applied.charge_now_cents
    assert world.invoice_reads.get(account_id, invoice_id).total_cents == preview.charge_now_cents
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).quantity == 3


def test_a_periodicity_change_starts_a_new_period_paid_by_the_credit_of_the_old(world):
    account_id, subscription_id = _paid_subscription(world)
    world.clock.advance(days=5)
    preview, applied, invoice_id = _preview_then_apply(
        world, account_id, subscription_id, ChangeRequest(periodicity=Periodicity.ANNUAL))
    assert applied.is_plan_change and preview.credit_cents > 0
    assert preview.charge_now_cents == applied.charge_now_cents == 199000 - preview.credit_cents
    subscription = world.billing_repository.snapshot(account_id).subscription(subscription_id)
    assert (subscription.periodicity, subscription.plan_revision, subscription.current_period_start) == (
        "annual", 2, world.today())


def test_removing_licenses_is_refused_by_preview_and_change_alike_and_writes_nothing(world):
    account_id, subscription_id = _paid_subscription(world, quantity=3)
    items = dict(world.store.billing.items)
    for call in (lambda r: world.plan_changes.preview(account_id, subscription_id, r),
                 lambda r: world.plan_changes.apply(account_id, subscription_id, r, actor=OWNER)):
        with pytest.raises(Conflict):
            call(ChangeRequest(quantity=1))
    assert world.store.billing.items == items


@settings(max_examples=examples(100))
@given(quantity=st.integers(2, 6), days=st.integers(0, 29),
       periodicity=st.sampled_from([None, Periodicity.QUARTERLY, Periodicity.SEMIANNUAL, Periodicity.ANNUAL]))
def test_the_preview_is_what_the_change_charges_to_the_centavo(quantity, days, periodicity):
    with offline():
        world = World()
        with seams(world.store):
            _check_preview_against_change(world, quantity, days, periodicity)


def _check_preview_against_change(world, quantity, days, periodicity):
    account_id, subscription_id = _paid_subscription(world, quantity=2)
    world.clock.set(world.clock.now() + timedelta(days=days))
    request = ChangeRequest(quantity=quantity, periodicity=periodicity)
    try:
        preview = world.plan_changes.preview(account_id, subscription_id, request)
    except Conflict as refused:  # e.g. nothing to change: the change itself refuses it alike
        items = dict(world.store.billing.items)
        with pytest.raises(Conflict) as also:
            world.plan_changes.apply(account_id, subscription_id, request, actor=OWNER)
        assert also.value.code == refused.code and world.store.billing.items == items
        return
    applied, invoice_id = world.plan_changes.apply(account_id, subscription_id, request, actor=OWNER)
    assert preview.charge_now_cents == applied.charge_now_cents
    assert preview.account_credit_after_cents == world.account_repository.get(account_id).credit_cents
    if invoice_id:
        assert world.invoice_reads.get(account_id, invoice_id).total_cents == preview.charge_now_cents


