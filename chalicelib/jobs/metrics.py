"""The metrics consumer Lambda: a rule on Renova's event bus (not the default one: its EventBusName
is merged into the packaged template by infra/build_resources.py) delivers each domain event metrics
count, and the recorder counts it once (docs/metrics.md). A failure raises, so EventBridge retries
(with the same event id: the retry is a duplicate the recorder drops if the first attempt landed).

In the local stage the publisher hands the same envelopes to the same recorder in process
(chalicelib/wiring/adapters.py), since moto's bus has no Lambda targets."""
from chalice import Blueprint

from chalicelib.observability.logging import get_logger, log_event
from chalicelib.wiring import container

bp = Blueprint(__name__)
_log = get_logger("metrics")
# What the rule delivers (services/metrics/facts.py TYPES, kept in step by tests/unit/test_metrics_consumer.py).
CONSUMED_TYPES = ("subscription.changed", "subscription.cancelled", "subscription.reinstated", "license.seats_changed",
                  "invoice.issued", "invoice.paid", "invoice.overdue", "payment.refunded")
RULE_NAME = "metrics-consumer"


def consume(detail: dict) -> dict:
    result = container().metrics_recorder.record(detail)
    log_event(_log, "metrics consumed", **result)
    return result


@bp.on_cw_event({"source": ["renova"], "detail-type": list(CONSUMED_TYPES)}, name=RULE_NAME)
def metrics_consumer(event):
    return consume(event.detail)
