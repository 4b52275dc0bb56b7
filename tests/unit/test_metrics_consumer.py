"""The metrics consumer's bus rule and the recorder agree on the event types, and every one is a
published type; the packaged rule listens on Renova's bus."""
from chalicelib.adapters.events import EVENT_TYPES
from chalicelib.jobs.metrics import CONSUMED_TYPES
from chalicelib.services.metrics.facts import TYPES
from infra.build_resources import build, prod_settings


def test_the_rule_delivers_exactly_what_the_recorder_counts():
    assert set(CONSUMED_TYPES) == TYPES
    assert TYPES <= EVENT_TYPES


def test_the_packaged_rule_is_on_renovas_bus():
    resources = build(prod_settings())["Resources"]
    event = resources["MetricsConsumer"]["Properties"]["Events"]["MetricsConsumerEvent"]["Properties"]
    assert event["EventBusName"] == {"Ref": "EventBus"}
