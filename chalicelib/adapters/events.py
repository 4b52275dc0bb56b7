"""Domain events on the EventBridge bus, for the vendor's other systems (docs/events.md).

Every event travels in the same versioned envelope, as the EventBridge `Detail`:
    {"specversion": "1", "id", "type", "source": "renova", "time", "account_id", "data"}
with `Source` "renova" and `DetailType` equal to `type`, so a rule can match on either.

Publishing happens after the change is committed; delivery is at least once. Give `event_id` a
value derived from what happened (e.g. f"invoice.paid:{payment_id}") and a retried publication
carries the same id, so consumers can drop duplicates.
"""
import json
import uuid
from datetime import datetime

from chalicelib.observability.logging import get_logger, log_event

SPEC_VERSION = "1"
SOURCE = "renova"
EVENT_TYPES = frozenset({
    "invoice.issued",
    "invoice.paid",
    "subscription.changed",
    "subscription.cancelled",
    "subscription.reinstated",
    "license.suspended",
    "license.restored",
    "license.seats_changed",
    "license.activated",
    "license.deactivated",
    "account.purged",
    "invoice.overdue",
    "payment.refunded",
    "service_invoice.issued",
    "service_invoice.cancelled",
    "service_invoice.failed",
})
# Stable ids are UUIDv5 in this namespace, computed from the caller's key.
_ID_NAMESPACE = uuid.UUID("5b0f1c2e-9a57-4c1e-8f0b-7d1d3c6a9e41")
_log = get_logger("events")


class EventPublishError(RuntimeError):
    """The bus refused the event; the caller's job or request should be retried."""


def envelope(event_type: str, account_id: str | None, data: dict, *, time: datetime,
             event_id: str | None = None) -> dict:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}; add it to EVENT_TYPES and docs/events.md")
    if time.tzinfo is None:
        raise ValueError("event time must carry its offset")
    return {
        "specversion": SPEC_VERSION,
        "id": str(uuid.uuid5(_ID_NAMESPACE, event_id)) if event_id else str(uuid.uuid4()),
        "type": event_type,
        "source": SOURCE,
        "time": time.isoformat(),
        "account_id": account_id,
        "data": data,
    }


class EventBridgePublisher:
    def __init__(self, events_client, bus_name: str, clock):
        self._events = events_client
        self._bus = bus_name
        self._clock = clock

    def publish(self, event_type: str, account_id: str | None, data: dict, *,
                event_id: str | None = None) -> dict:
        """Publish one event and return its envelope; raise EventPublishError if refused."""
        detail = envelope(event_type, account_id, data, time=self._clock.now(), event_id=event_id)
        response = self._events.put_events(Entries=[{
            "Source": SOURCE,
            "DetailType": event_type,
            "Detail": json.dumps(detail, ensure_ascii=False, default=str),
            "EventBusName": self._bus,
        }])
        if response.get("FailedEntryCount"):
            entry = response["Entries"][0]
            raise EventPublishError(f"{event_type}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
        log_event(_log, "event published", type=event_type, event_id=detail["id"])
        return detail


class LocalDelivery:
    """The local stage's bus rules: a publisher whose accepted events are also handed, in process, to
    the consumers a deployed stage subscribes to the bus (the metrics consumer). A consumer's failure
    fails the publication, as a failed delivery is retried in AWS."""

    def __init__(self, publisher, consumers: list):
        self._publisher = publisher
        self._consumers = consumers

    def publish(self, event_type: str, account_id: str | None, data: dict, *,
                event_id: str | None = None) -> dict:
        detail = self._publisher.publish(event_type, account_id, data, event_id=event_id)
        delivered = json.loads(json.dumps(detail, ensure_ascii=False, default=str))  # as the bus carries it
        for consume in self._consumers:
            consume(delivered)
        return detail


class RecordingPublisher:
    """In-memory publisher for unit tests and tools that must not reach a bus."""

    def __init__(self, clock):
        self._clock = clock
        self.published: list[dict] = []

    def publish(self, event_type: str, account_id: str | None, data: dict, *,
                event_id: str | None = None) -> dict:
        detail = envelope(event_type, account_id, data, time=self._clock.now(), event_id=event_id)
        self.published.append(detail)
        return detail
