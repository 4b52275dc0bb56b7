"""The metrics aggregates on AWS DynamoDB Local (moto is not thread-safe): the same event delivered by
many consumers at once counts exactly once, and different events racing on the same counters all land."""
from datetime import datetime

import pytest

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.adapters.events import envelope
from tests import ddblocal
from tests.integration.test_ddblocal_concurrency import race

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]
THREADS = 12
NOON = datetime(2026, 3, 15, 12, tzinfo=SAO_PAULO)


def new_subscription(index: int) -> dict:
    return envelope("subscription.changed", f"acc-{index}", {"subscription_id": f"sub-{index}", "mrr": {
        "effective_date": "2026-03-15", "before": {"product_id": None, "mrr_cents": 0},
        "after": {"product_id": "operand-pro", "mrr_cents": 10_000}, "returning": False,
        "account_products_before": [], "account_products_after": ["operand-pro"]}},
        time=NOON, event_id=f"metrics-race:{index}")


def test_one_event_delivered_by_many_consumers_at_once_counts_once(aws):
    event = new_subscription(0)
    outcomes = race(THREADS, lambda i: aws.metrics_recorder.record(dict(event)))
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(result["counted"] for _, result in outcomes) == 1
    march = aws.metrics_repository.months("*", "2026-03")["2026-03"]
    assert (march["mrr_new"], march["subscriptions"], march["accounts"]) == (10_000, 1, 1)


def test_different_events_on_the_same_counters_all_land(aws):
    outcomes = race(THREADS, lambda i: aws.metrics_recorder.record(new_subscription(i)))
    assert all(kind == "ok" and result["counted"] == 1 for kind, result in outcomes), outcomes
    march = aws.metrics_repository.months("operand-pro", "2026-03")["2026-03"]
    assert (march["mrr_new"], march["subscriptions"]) == (THREADS * 10_000, THREADS)
    assert aws.metrics_repository.days("operand-pro", "2026-03")["2026-03-15"]["mrr_new"] == THREADS * 10_000
