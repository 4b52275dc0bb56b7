"""Domain events reach a queue subscribed to the bus by a rule, in the documented envelope
(docs/events.md)."""
import json
from datetime import date, datetime, timezone

import pytest

from chalicelib.adapters.events import EVENT_TYPES, EventBridgePublisher, EventPublishError, envelope

ENVELOPE_KEYS = {"specversion", "id", "type", "source", "time", "account_id", "data"}


@pytest.fixture
def subscribed_queue(aws):
    """An SQS queue that a rule on the app's bus feeds with every event whose source is `renova`."""
    sqs, events = aws.boto3_client("sqs"), aws.boto3_client("events")
    bus = aws.settings.event_bus
    url = sqs.create_queue(QueueName="vendor-crm-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="renova-to-crm", EventBusName=bus, EventPattern=json.dumps({"source": ["renova"]}))
    events.put_targets(Rule="renova-to-crm", EventBusName=bus, Targets=[{"Id": "crm", "Arn": arn}])

    def received() -> list[dict]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return received


def test_every_event_type_reaches_the_queue_in_the_envelope(aws, subscribed_queue):
    published = [aws.events.publish(event_type, "acc_1", {"n": n}) for n, event_type in enumerate(sorted(EVENT_TYPES))]
    delivered = []
    while batch := subscribed_queue():
        delivered += batch
    assert len(delivered) == len(EVENT_TYPES)
    for event in delivered:
        assert event["source"] == "renova"
        detail = event["detail"]
        assert set(detail) == ENVELOPE_KEYS
        assert event["detail-type"] == detail["type"]
        assert detail["specversion"] == "1" and detail["account_id"] == "acc_1"
        assert datetime.fromisoformat(detail["time"]).utcoffset() is not None
    assert sorted(e["detail"]["id"] for e in delivered) == sorted(p["id"] for p in published)


def test_the_purge_publishes_account_purged_on_the_bus(client, aws, subscribed_queue):
    client.call("PUT", "/v1/_dev/clock", None, {"now": "2026-01-05T10:00:00-03:00"})
    account_id, _ = client.create_account("alice")
    aws.retention.schedule_purge(account_id, date(2026, 1, 5))
    assert aws.purger.purge(account_id, date(2026, 4, 5))["purged_on"] == "2026-04-05"
    [event] = subscribed_queue()
    assert event["detail-type"] == "account.purged"
    assert event["detail"]["account_id"] == account_id
    assert event["detail"]["data"] == {"cancelled_on": "2026-01-05", "purge_on": "2026-04-05",
                                       "purged_on": "2026-04-05", "tax_records_kept": 0}


def test_a_stable_key_gives_the_same_event_id_so_consumers_can_drop_retries():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    first = envelope("invoice.paid", "acc_1", {}, time=now, event_id="invoice.paid:pay_1")
    again = envelope("invoice.paid", "acc_1", {}, time=now, event_id="invoice.paid:pay_1")
    other = envelope("invoice.paid", "acc_1", {}, time=now, event_id="invoice.paid:pay_2")
    assert first["id"] == again["id"] != other["id"]
    assert envelope("invoice.paid", "acc_1", {}, time=now)["id"] != envelope("invoice.paid", "acc_1", {}, time=now)["id"]


def test_unknown_types_and_naive_times_are_programming_errors():
    with pytest.raises(ValueError, match="unknown event type"):
        envelope("invoice.lost", "acc_1", {}, time=datetime(2026, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="offset"):
        envelope("invoice.paid", "acc_1", {}, time=datetime(2026, 1, 1))


def test_a_refused_event_raises_so_the_caller_retries(aws):
    class RefusingBus:
        def put_events(self, Entries):
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]}

    publisher = EventBridgePublisher(RefusingBus(), "bus", aws.clock)
    with pytest.raises(EventPublishError, match="InternalFailure"):
        publisher.publish("license.suspended", "acc_1", {"subscription_id": "sub_1"})
