"""Coupons on the fakes (docs/promotions.md): created by the finance team, redeemed at subscribing or
later, discounting every invoice their duration covers with a line of its own, never below zero;
plan changes credit what was actually received after the discount."""
from datetime import date, timedelta

import pytest

from chalicelib.domain.enums import Periodicity
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.services.plans.invoice_schedule import next_renewal_start
from chalicelib.services.subscriptions.change_terms import ChangeRequest
from chalicelib.services.subscriptions.coupons import NewCoupon
from chalicelib.store.invoices import InvoiceItem
from tests.usecases.steps import OWNER, PROMOB, pay

STAFF = "fin-1"
PRICE = 19900  # Promob Studio, one license, monthly


def coupon(world, code="PROMO20", **terms):
    terms = {"duration": "repeating", "percent_off": 20, "duration_months": 3} | terms
    return world.coupons.create(NewCoupon(code=code, **terms), actor=STAFF)


def subscribe_with(world, account_id, code, **kwargs):
    from chalicelib.services.subscriptions.subscribing import SubscribeRequest

    return world.subscriptions.subscribe(account_id, SubscribeRequest(
        kwargs.pop("product_id", PROMOB), Periodicity(kwargs.pop("periodicity", "monthly")),
        payment_method="boleto", coupon=code, **kwargs), actor=OWNER)


def invoice(world, account_id, invoice_id) -> InvoiceItem:
    return world.invoice_reads.get(account_id, invoice_id)


def discount_of(inv: InvoiceItem) -> int:
    return sum(line.amount_cents for line in inv.lines if line.kind == "discount")


def renew(world, account_id) -> InvoiceItem:
    """The next renewal issued 7 days ahead by the invoicing job, then paid on its due date."""
    subscription = world.billing_repository.snapshot(account_id).subscriptions[0]
    start = next_renewal_start(subscription)
    issue_day = start - timedelta(days=7)
    world.at(issue_day.isoformat(), "06:00:00")
    before = {i.invoice_id for i in _invoices(world, account_id)}
    world.invoicing.issue_for_account(account_id, issue_day)
    [new] = [i for i in _invoices(world, account_id) if i.invoice_id not in before]
    world.at(start.isoformat())
    pay(world, account_id, new.invoice_id)
    return new


def _invoices(world, account_id):
    return world.store.billing.query(f"ACCOUNT#{account_id}", model=InvoiceItem)


def test_twenty_percent_for_three_months_discounts_months_one_to_three_and_not_four(world):
    coupon(world)
    account_id = world.account()
    done = subscribe_with(world, account_id, "promo20")  # case-insensitive
    first = invoice(world, account_id, done.invoice_id)
    pay(world, account_id, first.invoice_id)
    renewals = [renew(world, account_id) for _ in range(3)]
    totals = [first.total_cents] + [r.total_cents for r in renewals]
    assert totals == [PRICE - 3980] * 3 + [PRICE]
    assert [discount_of(i) for i in [first, *renewals]] == [-3980, -3980, -3980, 0]
    [line] = [line for line in first.lines if line.kind == "discount"]
    assert (line.description, line.subscription_id, line.period_start) == (
        "Desconto — cupom PROMO20 (20%)", done.subscription.subscription_id, date(2026, 4, 20))
    subscription = world.billing_repository.snapshot(account_id).subscriptions[0]
    assert subscription.paid_cents == PRICE  # month 4, paid in full


def test_repeating_months_are_counted_across_month_ends(world):
    world.at("2026-01-31")
    coupon(world)
    account_id = world.account()
    done = subscribe_with(world, account_id, "PROMO20")
    pay(world, account_id, done.invoice_id)
    renewals = [renew(world, account_id) for _ in range(3)]
    assert [(r.lines[0].period_start, discount_of(r)) for r in renewals] == [
        (date(2026, 2, 28), -3980), (date(2026, 3, 31), -3980), (date(2026, 4, 30), 0)]


def test_once_discounts_the_first_invoice_only(world):
    coupon(world, "UMAVEZ", duration="once", duration_months=None, percent_off=50)
    account_id = world.account()
    done = subscribe_with(world, account_id, "UMAVEZ")
    pay(world, account_id, done.invoice_id)
    assert invoice(world, account_id, done.invoice_id).total_cents == PRICE // 2 + 0  # 9950
    assert renew(world, account_id).total_cents == PRICE


def test_forever_discounts_every_invoice(world):
    coupon(world, "SEMPRE", duration="forever", duration_months=None, percent_off=None, amount_off_cents=1000)
    account_id = world.account()
    done = subscribe_with(world, account_id, "SEMPRE")
    pay(world, account_id, done.invoice_id)
    assert [renew(world, account_id).total_cents for _ in range(5)] == [PRICE - 1000] * 5


def test_an_amount_off_larger_than_the_invoice_never_makes_it_negative(world):
    coupon(world, "GRATIS", duration="forever", duration_months=None, percent_off=None, amount_off_cents=50000)
    account_id = world.account(credit_cents=700)
    done = subscribe_with(world, account_id, "GRATIS")
    first = invoice(world, account_id, done.invoice_id)
    assert (first.total_cents, discount_of(first), first.status) == (0, -PRICE, "paid")
    assert world.account_repository.get(account_id).credit_cents == 700  # nothing to pay: credit kept
    assert all(line.amount_cents >= -PRICE for line in first.lines)
    subscription = world.billing_repository.snapshot(account_id).subscriptions[0]
    assert subscription.paid_cents == 0


@pytest.mark.parametrize("setup, code, expected", [
    (lambda w: None, "NADA", "coupon_invalid"),
    (lambda w: coupon(w, "VENCIDO", redeem_by=date(2026, 4, 20)) and w.at("2026-04-21"), "VENCIDO", "coupon_expired"),
    (lambda w: coupon(w, "OUTRO", product_ids=["conecta-app"]), "OUTRO", "coupon_not_applicable"),
    (lambda w: coupon(w, "FIM") and w.coupons.delete("fim", STAFF), "FIM", "coupon_inactive"),
])
def test_an_unusable_coupon_is_a_422_saying_why_and_nothing_is_written(world, setup, code, expected):
    setup(world)
    account_id = world.account()
    with pytest.raises(ValidationFailed) as refused:
        subscribe_with(world, account_id, code)
    assert refused.value.code == expected and refused.value.message
    assert world.billing_repository.snapshot(account_id).subscriptions == []


def test_redemptions_are_counted_and_the_last_one_is_taken_once(world):
    coupon(world, "DOIS", max_redemptions=2)
    accounts = [world.account() for _ in range(3)]
    subscribe_with(world, accounts[0], "DOIS")
    subscribe_with(world, accounts[1], "DOIS")
    with pytest.raises(ValidationFailed) as refused:
        subscribe_with(world, accounts[2], "DOIS")
    assert refused.value.code == "coupon_exhausted"
    assert [(c.code, c.redemptions) for c in world.coupons.all()] == [("DOIS", 2)]


def test_the_counter_condition_refuses_a_redemption_a_stale_read_allowed(world, monkeypatch):
    coupon(world, "ULTIMO", max_redemptions=1)
    stale = world.coupon_repository.get("ULTIMO")
    subscribe_with(world, world.account(), "ULTIMO")
    monkeypatch.setattr(world.coupon_repository, "get", lambda code: stale)  # read before the other redemption
    account_id = world.account()
    with pytest.raises(ValidationFailed) as refused:
        subscribe_with(world, account_id, "ULTIMO")
    assert refused.value.code == "coupon_exhausted"
    assert world.billing_repository.snapshot(account_id).subscriptions == []


def test_codes_are_unique_whatever_the_case(world):
    coupon(world, "Promo20")
    with pytest.raises(Conflict) as taken:
        coupon(world, "PROMO20")
    assert taken.value.code == "coupon_code_taken"


def test_deleting_stops_new_redemptions_but_keeps_the_discounts_given(world):
    coupon(world, "SEMPRE", duration="forever", duration_months=None)
    account_id = world.account()
    done = subscribe_with(world, account_id, "SEMPRE")
    pay(world, account_id, done.invoice_id)
    assert world.coupons.delete("sempre", STAFF).active is False
    assert renew(world, account_id).total_cents == PRICE - 3980
    with pytest.raises(NotFound):
        world.coupons.delete("NADA", STAFF)


def test_a_coupon_applied_later_discounts_the_next_renewal(world):
    coupon(world, "DEPOIS", duration="once", duration_months=None)
    account_id = world.account()
    done = subscribe_with(world, account_id, None)
    pay(world, account_id, done.invoice_id)
    world.at("2026-05-01")
    world.coupon_application.apply(account_id, done.subscription.subscription_id, "depois", OWNER)
    assert renew(world, account_id).total_cents == PRICE - 3980
    assert renew(world, account_id).total_cents == PRICE
    with pytest.raises(Conflict) as twice:  # one coupon at a time: a forever one stays
        coupon(world, "OUTRO", duration="forever", duration_months=None)
        world.coupon_application.apply(account_id, done.subscription.subscription_id, "OUTRO", OWNER)
        world.coupon_application.apply(account_id, done.subscription.subscription_id, "OUTRO", OWNER)
    assert twice.value.code == "coupon_already_applied"


def test_a_plan_change_in_a_discounted_period_credits_the_discounted_amount_and_preview_equals_change(world):
    coupon(world)
    account_id = world.account()
    done = subscribe_with(world, account_id, "PROMO20")
    pay(world, account_id, done.invoice_id)  # R$ 159,20 received for [20/04, 20/05)
    subscription_id = done.subscription.subscription_id
    world.at("2026-05-05")  # 15 of 30 days left
    request = ChangeRequest(periodicity=Periodicity.QUARTERLY)
    preview = world.plan_changes.preview(account_id, subscription_id, request)
    applied, invoice_id = world.plan_changes.apply(account_id, subscription_id, request, actor=OWNER)
    assert preview.credit_cents == applied.credit_cents == 7960  # half of 15920, not of 19900
    quarterly = 56700
    assert preview.discount_cents == applied.discount_cents == 11340  # 20% of the quarter: still in the window
    assert preview.charge_now_cents == applied.charge_now_cents == quarterly - 11340 - 7960
    order = invoice(world, account_id, invoice_id)
    assert order.total_cents == preview.order.total_cents
    assert [line.kind for line in order.lines] == ["subscription", "discount", "credit"]
    subscription = world.billing_repository.snapshot(account_id).subscription(subscription_id)
    assert subscription.paid_cents == quarterly - 11340  # what the new period is worth, after the discount


def test_invalid_terms_are_a_422(world):
    with pytest.raises(ValidationFailed):
        coupon(world, "RUIM", duration="repeating", duration_months=None)
    with pytest.raises(ValidationFailed) as unknown:
        coupon(world, "RUIM", product_ids=["nao-existe"])
    assert unknown.value.code == "unknown_product"
