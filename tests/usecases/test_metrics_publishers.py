"""The changes that move MRR outside subscribing, plan changes, cancellations and reinstatements, on the
fakes (docs/metrics.md): a trial converted by its first paid period, a trial cancelled, a coupon applied
after subscribing. Each one's events, counted by the consumer, give the figures the script says, and
the rebuild from the stored history agrees with them to the centavo."""
from datetime import date

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.money import round_half_up
from chalicelib.services.metrics.report import MetricsReport, month_range
from chalicelib.services.subscriptions.coupons import NewCoupon
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from chalicelib.store.invoices import InvoiceItem
from tests.usecases.steps import OWNER, PROMOB, pay

START = "operand-start"  # 14 days of trial, R$ 49,00 a license a month
START_MONTHLY = 4900
PROMOB_MONTHLY = 19900


def counted(world) -> dict:
    """Every event published so far delivered to the consumer (redeliveries count once), then the
    report of April to June 2026 by month."""
    for event in world.events.published:
        world.metrics_recorder.record(event)
    report = MetricsReport(world.metrics_repository, world.catalog)
    return {m.month: m for m in report.months(month_range("2026-04", "2026-06"))}


def agrees(world) -> None:
    result = world.metrics_rebuild.run()
    assert result["agree"], result["differences"]


def invoices(world, account_id) -> list[InvoiceItem]:
    return world.store.billing.query(f"ACCOUNT#{account_id}", model=InvoiceItem)


def start_trial(world, account_id, quantity=2):
    return world.subscriptions.subscribe(account_id, SubscribeRequest(
        START, Periodicity.MONTHLY, quantity=quantity, payment_method="boleto"), actor=OWNER)


def test_a_trial_enters_mrr_as_new_on_the_day_its_first_period_is_paid(world):
    account_id = world.account()  # 20/04/2026: the trial runs to 04/05
    done = start_trial(world, account_id, quantity=2)
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))  # the first period, 7 days ahead
    [first] = invoices(world, account_id)
    assert first.total_cents == 2 * START_MONTHLY
    april = counted(world)["2026-04"]
    assert (april.mrr_cents, april.active_subscriptions, april.active_accounts) == (0, 0, 0)  # in trial: 0

    world.at("2026-05-04")  # paid on the trial's last day: the first paid period starts
    pay(world, account_id, first.invoice_id)
    months = counted(world)
    may = months["2026-05"]
    assert may.movements["new"] == 2 * START_MONTHLY and may.mrr_cents == 2 * START_MONTHLY
    assert (may.active_subscriptions, may.active_accounts) == (1, 1)
    assert months["2026-04"].mrr_cents == 0
    [converted] = [e for e in world.events.published if e["type"] == "subscription.changed"
                   and e["data"]["changes"] == ["trial_converted"]]
    assert converted["data"]["subscription_id"] == done.subscription.subscription_id
    assert converted["data"]["mrr"]["effective_date"] == "2026-05-04"
    agrees(world)


def test_a_trial_cancelled_before_paying_never_counts(world):
    account_id = world.account()
    done = start_trial(world, account_id)
    world.at("2026-04-28")
    world.invoicing.issue_for_account(account_id, date(2026, 4, 27))
    world.trials.end_if_in_trial(account_id, done.subscription.subscription_id, OWNER)
    assert "subscription.cancelled" in world.events.types()
    for month in counted(world).values():
        assert month.mrr_cents == 0 and not any(month.movements.values()) and month.logo_churn_rate is None
    agrees(world)


def _subscribed_and_paid(world):
    account_id = world.account()
    done = world.subscriptions.subscribe(account_id, SubscribeRequest(
        PROMOB, Periodicity.MONTHLY, payment_method="boleto"), actor=OWNER)
    pay(world, account_id, done.invoice_id)
    return account_id, done.subscription.subscription_id


def test_a_forever_coupon_applied_later_is_a_contraction_the_day_it_is_applied(world):
    world.coupons.create(NewCoupon(code="SEMPRE15", duration="forever", percent_off=15), actor="fin-1")
    account_id, subscription_id = _subscribed_and_paid(world)
    world.at("2026-05-12")
    world.coupon_application.apply(account_id, subscription_id, "sempre15", OWNER)
    months = counted(world)
    discounted = PROMOB_MONTHLY - round_half_up(PROMOB_MONTHLY * 15, 100)
    assert months["2026-04"].mrr_cents == PROMOB_MONTHLY
    assert months["2026-05"].movements["contraction"] == discounted - PROMOB_MONTHLY
    assert months["2026-05"].mrr_cents == discounted and months["2026-05"].active_subscriptions == 1
    agrees(world)


def test_a_coupon_of_a_few_invoices_leaves_mrr_at_the_recurring_price(world):
    world.coupons.create(NewCoupon(code="TRES", duration="repeating", percent_off=20, duration_months=3),
                         actor="fin-1")
    account_id, subscription_id = _subscribed_and_paid(world)
    world.at("2026-05-12")
    world.coupon_application.apply(account_id, subscription_id, "TRES", OWNER)
    assert "subscription.changed" not in [e["type"] for e in world.events.published
                                          if e["data"].get("changes") == ["coupon"]]
    months = counted(world)
    assert months["2026-05"].mrr_cents == PROMOB_MONTHLY and not any(months["2026-05"].movements.values())
    agrees(world)
