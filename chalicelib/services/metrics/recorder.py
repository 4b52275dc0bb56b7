"""The consumer of the event bus: each delivered event's facts counted once (docs/metrics.md)."""
import logging

from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.metrics.facts import TYPES, Uncountable, facts_of

_log = get_logger("metrics")


class MetricsRecorder:
    def __init__(self, repository):
        self._repository = repository

    def record(self, event: dict) -> dict:
        """Count an event's facts; a fact counted before (a redelivery) is skipped. Returns what
        happened: `counted` and `duplicates` (facts)."""
        counted = duplicates = 0
        try:
            facts = facts_of(event)
        except Uncountable as error:
            # Redelivering it would not help: logged for the finance team's rebuild to explain.
            log_event(_log, "metrics event not countable", level=logging.WARNING, type=event.get("type"),
                      event_id=event.get("id"), error=str(error))
            return {"type": event.get("type"), "counted": 0, "duplicates": 0, "uncountable": True}
        for fact in facts:
            if self._repository.count_once(fact.key, fact.increments, fact.expires_at):
                counted += 1
            else:
                duplicates += 1
        if counted or duplicates:
            log_event(_log, "metrics event", type=event.get("type"), event_id=event.get("id"),
                      counted=counted, duplicates=duplicates)
        return {"type": event.get("type"), "counted": counted, "duplicates": duplicates}

    @staticmethod
    def wants(event_type: str) -> bool:
        return event_type in TYPES
