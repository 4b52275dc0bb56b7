"""Coupon redemptions under concurrency, on AWS DynamoDB Local (moto is not thread-safe): 20 customers
apply the same coupon at once when one redemption is left — exactly one gets it, the others a 422
`coupon_exhausted`, and the coupon's counter ends at its limit. The same for subscribing with it."""
import pytest

from chalicelib.domain.enums import Periodicity
from chalicelib.errors import ValidationFailed
from chalicelib.services.subscriptions.coupons import NewCoupon
from chalicelib.services.subscriptions.subscribing import SubscribeRequest
from tests import ddblocal
from tests.integration.test_ddblocal_concurrency import new_account, race
from tests.integration.test_ddblocal_webhooks import quiet  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]
THREADS = 20


def subscribed_accounts(aws, count: int) -> list[tuple[str, str]]:
    accounts = []
    for i in range(count):
        account = new_account(aws, owner=f"user{i}")
        done = aws.subscriptions.subscribe(account.account_id, SubscribeRequest(
            product_id="operand-start", periodicity=Periodicity.MONTHLY, payment_method="boleto"), f"user{i}")
        accounts.append((account.account_id, done.subscription.subscription_id))
    return accounts


def one_left(aws, code: str) -> None:
    """A coupon with 2 redemptions, one of them already taken."""
    aws.coupons.create(NewCoupon(code=code, duration="forever", percent_off=10, max_redemptions=2), "fin-1")
    account = new_account(aws, owner="first")
    aws.subscriptions.subscribe(account.account_id, SubscribeRequest(
        product_id="operand-pro", periodicity=Periodicity.MONTHLY, payment_method="boleto", coupon=code), "first")
    assert aws.coupon_repository.get(code).redemptions == 1


def test_20_customers_applying_the_last_redemption_at_once_one_gets_it(quiet):
    aws = quiet
    one_left(aws, "ULTIMO")
    accounts = subscribed_accounts(aws, THREADS)

    outcomes = race(THREADS, lambda i: aws.coupon_application.apply(*accounts[i], "ultimo", f"user{i}"))

    won = [i for i, (status, _) in enumerate(outcomes) if status == "ok"]
    refused = [value for status, value in outcomes if status == "error"]
    assert len(won) == 1, outcomes
    assert all(isinstance(e, ValidationFailed) and e.code == "coupon_exhausted" for e in refused), refused
    assert aws.coupon_repository.get("ULTIMO").redemptions == 2
    discounted = [aws.billing_repository.snapshot(account_id, consistent=True).subscription(subscription_id).discount
                  for account_id, subscription_id in accounts]
    assert [i for i, discount in enumerate(discounted) if discount is not None] == won


def test_20_customers_subscribing_with_the_last_redemption_at_once_one_subscribes(quiet):
    aws = quiet
    one_left(aws, "ULTIMO2")
    accounts = [new_account(aws, owner=f"user{i}").account_id for i in range(THREADS)]

    outcomes = race(THREADS, lambda i: aws.subscriptions.subscribe(accounts[i], SubscribeRequest(
        product_id="operand-pro", periodicity=Periodicity.MONTHLY, payment_method="boleto", coupon="ULTIMO2"),
        f"user{i}"))

    assert [status for status, _ in outcomes].count("ok") == 1, outcomes
    assert {getattr(e, "code", repr(e)) for status, e in outcomes if status == "error"} == {"coupon_exhausted"}
    assert aws.coupon_repository.get("ULTIMO2").redemptions == 2
    subscribed = [a for a in accounts if aws.billing_repository.snapshot(a, consistent=True).subscriptions]
    assert len(subscribed) == 1
