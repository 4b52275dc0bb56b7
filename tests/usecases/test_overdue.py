"""The overdue review on the fakes: an unpaid subscription goes past_due, then suspended; paying
restores it."""
from datetime import timedelta

from tests.usecases.steps import pay, subscribe


def _statuses_day_by_day(world, account_id, subscription_id, days: int) -> list[tuple[str, str]]:
    seen = []
    for _ in range(days):
        world.clock.advance(days=1)
        world.overdue.review_account(account_id)
        status = world.billing_repository.snapshot(account_id).subscription(subscription_id).status
        if not seen or seen[-1][1] != status:
            seen.append((str(world.today()), status))
    return seen


def test_an_unpaid_subscription_goes_past_due_then_suspended(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    due = world.invoice_reads.get(account_id, done.invoice_id).due_date
    steps = _statuses_day_by_day(world, account_id, done.subscription.subscription_id, (due - world.today()).days + 30)
    assert [status for _, status in steps][:3] == ["active", "past_due", "suspended"]
    past_due_on = next(day for day, status in steps if status == "past_due")
    assert past_due_on > str(due)  # never on the due date itself


def test_a_review_on_the_same_day_changes_nothing_more(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    due = world.invoice_reads.get(account_id, done.invoice_id).due_date
    world.clock.set(world.clock.now() + timedelta(days=(due - world.today()).days + 3))
    first = world.overdue.review_account(account_id)
    items = dict(world.store.billing.items)
    again = world.overdue.review_account(account_id)
    assert first.transitions and not again.transitions and world.store.billing.items == items


def test_paying_everything_overdue_restores_the_subscription(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    subscription_id = done.subscription.subscription_id
    due = world.invoice_reads.get(account_id, done.invoice_id).due_date
    _statuses_day_by_day(world, account_id, subscription_id, (due - world.today()).days + 30)
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).status == "suspended"
    pay(world, account_id, done.invoice_id)
    assert world.billing_repository.snapshot(account_id).subscription(subscription_id).status == "active"
    assert "license.restored" in world.events.types()
