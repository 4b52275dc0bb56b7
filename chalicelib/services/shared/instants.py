"""One use case, one instant."""
from chalicelib.adapters.clock import FixedClock


def frozen(clock) -> FixedClock:
    """The clock read once: every date and audit timestamp of the use case agrees, and the local
    stage's settable clock (a store read per call) costs one read instead of several."""
    return FixedClock(clock.now())
