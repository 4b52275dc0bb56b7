"""Optimistic concurrency: a use case reads its snapshot, decides, and writes conditionally on what
it read; when someone else changed that meanwhile the store raises ConcurrentUpdate, and the use case
is run again from its read. Any other error, business conflicts included, goes straight through."""
from collections.abc import Callable
from typing import TypeVar

from chalicelib.errors import ConcurrentUpdate

T = TypeVar("T")

# One number for every use case. Settlement spends one attempt taking over a gateway payment lookup
# that holds early events, and four leaves it three tries against real races; each extra attempt
# costs one re-read and one transaction, and only under contention. A transaction cancelled for a
# transient reason (TransactionConflict, throttling) is not a ConcurrentUpdate: the store resends it
# itself (store/base.py), and one still busy after that is not multiplied by these attempts.
ATTEMPTS = 4


def retrying(attempt: Callable[[], T], attempts: int = ATTEMPTS,
             on_retry: Callable[[int, ConcurrentUpdate], None] | None = None) -> T:
    """Run `attempt` (which must read what it decides on afresh) until it returns; re-run it only
    when it raises ConcurrentUpdate, at most `attempts` times in all, then re-raise the last one.
    `on_retry(failed_attempt_number, error)` is told before each new run (e.g. to log it)."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except ConcurrentUpdate as error:
            if number == attempts:
                raise
            if on_retry is not None:
                on_retry(number, error)
    raise AssertionError("unreachable")
