"""A scheduled job's catch-up window: the days one run covers and where the job's checkpoint stands
after it. The checkpoint is the last day the job finished (store/checkpoints.py).

- The days: from the day after the checkpoint (on the first run, `lookback_days` before today) up
  to today, so a run after missed days covers each of them.
- Today closed or open: a job whose list for today is complete by the time it runs closes today
  (the checkpoint may reach today; run again the same day, it covers nothing). A job whose list for
  today may still grow keeps today open: every run covers today, and the checkpoint stops the day
  before it.
- A failure holds the checkpoint: a run that failed on some day (each day is still run) moves the
  checkpoint only up to the day before the first failed day, so the next run starts there again.
  The checkpoint is written only when that moves it past where it stood (on the first run: only
  when it reaches the first day of the look-back).

Pure: `today` is a parameter; reading and writing the checkpoint is the store's
(`CheckpointRepository.open_window` / `close_window`)."""
from datetime import date, timedelta

_DAY = timedelta(days=1)


class CatchUpWindow:
    def __init__(self, first: date, today: date, today_stays_open: bool = False):
        self.first = first  # the first day not yet done
        self.today = today
        self.today_stays_open = today_stays_open
        self.first_failed: date | None = None

    @classmethod
    def since(cls, checkpoint: date | None, today: date, lookback_days: int,
              today_stays_open: bool = False) -> "CatchUpWindow":
        """The window after `checkpoint` (the last day done; None before the first run)."""
        first = checkpoint + _DAY if checkpoint else today - timedelta(days=lookback_days)
        return cls(first, today, today_stays_open)

    @property
    def days(self) -> list[date]:
        """The days to run, oldest first. Today stays open: today always, even with a checkpoint
        at or past it (a run for an earlier date); else none once today is done."""
        day = min(self.first, self.today) if self.today_stays_open else self.first
        days = []
        while day <= self.today:
            days.append(day)
            day += _DAY
        return days

    def failed(self, day: date) -> None:
        """Record a day with a failure; the earliest one holds the checkpoint."""
        if self.first_failed is None or day < self.first_failed:
            self.first_failed = day

    @property
    def done_through(self) -> date:
        """The last day this run finished: before the first failed day, else today (yesterday when
        today stays open)."""
        if self.first_failed is not None:
            return self.first_failed - _DAY
        return self.today - _DAY if self.today_stays_open else self.today

    def checkpoint_after(self) -> date | None:
        """Where the checkpoint moves once the run is over; None: it stays where it is."""
        return self.done_through if self.done_through >= self.first else None
