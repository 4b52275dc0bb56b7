"""The worker Lambda of the work queue: one SQS trigger for every kind of work item, dispatched by
the message's `kind` to the handler a job module registered with `@work_handler(kind)`.

Locally and in tests, planners call `handle` directly with the same messages (no queue), so the
code path is the one the Lambda runs. A handler must be idempotent: SQS delivers at least once, and
a failed batch is delivered again (then to the dead-letter queue after five receives)."""
import json
from collections.abc import Callable

from chalice import Blueprint

from chalicelib.observability.logging import get_logger, log_event
from chalicelib.settings import get_settings
from chalicelib.wiring import container

bp = Blueprint(__name__)
_HANDLERS: dict[str, Callable[[object, dict], dict]] = {}
_log = get_logger("work")


def work_handler(kind: str):
    def decorator(handler):
        _HANDLERS[kind] = handler
        return handler

    return decorator


def handle(message: dict) -> dict:
    """Run one work item; an unknown kind is an error (the message goes to the dead-letter queue)."""
    from chalicelib.jobs.registry import available_jobs

    available_jobs()  # job modules register their work handlers on import
    kind = message.get("kind")
    if kind not in _HANDLERS:
        raise ValueError(f"unknown work item kind {kind!r}")
    return _HANDLERS[kind](container(), message)


@bp.on_sqs_message(queue=get_settings().work_queue, batch_size=10, name="work-queue-worker")
def on_work(event):
    for record in event:
        result = handle(json.loads(record.body))
        log_event(_log, "work item done", **result)
