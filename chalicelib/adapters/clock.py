"""Clock port. Production reads the system time; the local stage adds an offset kept in the store,
so `PUT /v1/_dev/clock` moves every rule and job of every process at once."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc).astimezone(SAO_PAULO)

    def today(self) -> date:
        return self.now().date()


class OffsetClock(SystemClock):
    """System time shifted by an offset read from the store on every call (local stage only)."""

    def __init__(self, system_repository):
        self._system = system_repository

    def now(self) -> datetime:
        return super().now() + timedelta(seconds=float(self._system.clock_offset()))

    def set(self, instant: datetime) -> None:
        offset = (instant - datetime.now(timezone.utc)).total_seconds()
        self._system.set_clock_offset(round(offset, 3))


class FixedClock(SystemClock):
    """A clock that only moves when told to: unit tests and benchmarks."""

    def __init__(self, instant: datetime):
        self._now = instant

    def now(self) -> datetime:
        return self._now.astimezone(SAO_PAULO)

    def set(self, instant: datetime) -> None:
        self._now = instant
