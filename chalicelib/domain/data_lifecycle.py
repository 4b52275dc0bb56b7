"""Rules of the account's data lifecycle (PRODUCT.md §9): when backups are generated and downloaded,
how long their files live, when a cancelled account is purged and how long tax records stay.

Every instant is a timezone-aware datetime; the rules read it in São Paulo time, whatever offset it
was given with (a `run_at` sent as UTC is the same moment).
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.bank_calendar import is_business_day
from chalicelib.domain.errors import DomainError

# Backups are generated off business hours: from 19:00 until 04:00 of the next day.
BACKUP_WINDOW_START = time(19, 0)
BACKUP_WINDOW_END = time(4, 0)
# Downloads are refused on business days during business hours (05:00–19:00).
DOWNLOAD_BLOCK_START = time(5, 0)
DOWNLOAD_BLOCK_END = time(19, 0)
BACKUP_FILE_DAYS = 7
DOWNLOAD_LINK_MINUTES = 15
RETENTION_DAYS = 90
TAX_RECORD_YEARS = 5
# How far ahead a backup may be scheduled: a date years away is a typo, not a plan.
MAX_SCHEDULE_AHEAD_DAYS = 30

BACKUP_WINDOW_TEXT = "entre 19h e 4h (horário de Brasília)"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


class OutsideBackupWindow(DomainError):
    """A backup asked for a time when backups are not generated."""


def local(instant: datetime) -> datetime:
    """The same moment in São Paulo time; a naive datetime is refused (its moment is unknown)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError("Informe data e hora com fuso horário.")
    return instant.astimezone(SAO_PAULO)


def in_backup_window(instant: datetime) -> bool:
    """True from 19:00 (inclusive) to 04:00 (exclusive) of the following day."""
    moment = local(instant).time()
    return moment >= BACKUP_WINDOW_START or moment < BACKUP_WINDOW_END


def next_window_start(instant: datetime) -> datetime:
    """The first 19:00 at or after `instant`, in São Paulo time."""
    instant = local(instant)
    start = instant.replace(hour=BACKUP_WINDOW_START.hour, minute=0, second=0, microsecond=0)
    return start if start >= instant else start + timedelta(days=1)


@dataclass(frozen=True)
class BackupSchedule:
    run_at: datetime
    moved_to_next_window: bool


def schedule_backup(run_at: datetime, now: datetime, *, next_window: bool) -> BackupSchedule:
    """Where a requested backup lands. Inside the window it runs when asked; outside it is refused
    unless the request asked for the next window, which moves it to the next 19:00."""
    run_at = local(run_at)
    if run_at < now - timedelta(minutes=1):
        raise DomainError("O horário do backup já passou; escolha um horário futuro.")
    if run_at > now + timedelta(days=MAX_SCHEDULE_AHEAD_DAYS):
        raise DomainError(f"Agende o backup para no máximo {MAX_SCHEDULE_AHEAD_DAYS} dias à frente.")
    if in_backup_window(run_at):
        return BackupSchedule(run_at, moved_to_next_window=False)
    if next_window:
        return BackupSchedule(next_window_start(run_at), moved_to_next_window=True)
    raise OutsideBackupWindow(f"Backups são gerados apenas {BACKUP_WINDOW_TEXT}. Escolha um horário nessa "
                      "janela ou envie \"next_window\": true para agendar às 19h seguintes.")


@dataclass(frozen=True)
class HourSlot:
    """One hourly run of the backup job: it generates what was scheduled within [start, end)."""

    start: datetime
    end: datetime

    @property
    def in_window(self) -> bool:
        return in_backup_window(self.start)


def hour_slot(now: datetime) -> HourSlot:
    start = local(now).replace(minute=0, second=0, microsecond=0)
    return HourSlot(start, start + timedelta(hours=1))


def download_allowed(instant: datetime) -> bool:
    """Downloads are refused on business days between 05:00 and 19:00."""
    instant = local(instant)
    moment = instant.time()
    business_hours = DOWNLOAD_BLOCK_START <= moment < DOWNLOAD_BLOCK_END
    return not (business_hours and is_business_day(instant.date()))


def download_opens_at(instant: datetime) -> datetime:
    """When a refused download becomes possible: 19:00 of the same day."""
    return local(instant).replace(hour=DOWNLOAD_BLOCK_END.hour, minute=0, second=0, microsecond=0)


def backup_file_expires_at(ready_at: datetime) -> datetime:
    return ready_at + timedelta(days=BACKUP_FILE_DAYS)


def purge_date(cancelled_on: date, retention_days: int = RETENTION_DAYS) -> date:
    """The account's data is kept `retention_days` after cancellation and purged on this day."""
    if retention_days < 0:
        raise DomainError("O prazo de retenção não pode ser negativo.")
    return cancelled_on + timedelta(days=retention_days)


def tax_record_kept_until(document_date: date, years: int = TAX_RECORD_YEARS) -> date:
    """Invoices and payments are kept `years` years after their date (29 Feb lands on 28 Feb)."""
    try:
        return document_date.replace(year=document_date.year + years)
    except ValueError:  # 29 February in a year without it
        return document_date.replace(year=document_date.year + years, day=28)
