from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from chalicelib.domain import data_lifecycle as rules
from chalicelib.domain.errors import DomainError

SP = ZoneInfo("America/Sao_Paulo")
TUESDAY = date(2026, 12, 1)
SUNDAY = date(2026, 12, 6)
CHRISTMAS = date(2026, 12, 25)  # a Friday, and a bank holiday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SP)


@pytest.mark.parametrize("hour, minute, inside", [
    (18, 59, False), (19, 0, True), (23, 59, True), (0, 0, True), (3, 59, True), (4, 0, False),
    (10, 0, False), (14, 0, False),
])
def test_the_backup_window_runs_from_19h_to_4h(hour, minute, inside):
    assert rules.in_backup_window(at(TUESDAY, hour, minute)) is inside


def test_the_window_is_read_in_sao_paulo_time_whatever_the_offset():
    utc_23h = datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)  # 20:00 in São Paulo
    utc_15h = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)  # 12:00 in São Paulo
    assert rules.in_backup_window(utc_23h)
    assert not rules.in_backup_window(utc_15h)


def test_a_naive_datetime_is_refused():
    with pytest.raises(DomainError):
        rules.in_backup_window(datetime(2026, 12, 1, 20, 0))


def test_next_window_start_is_the_next_19h():
    assert rules.next_window_start(at(TUESDAY, 10)) == at(TUESDAY, 19)
    assert rules.next_window_start(at(TUESDAY, 19)) == at(TUESDAY, 19)
    assert rules.next_window_start(at(TUESDAY, 19, 1)) == at(TUESDAY + timedelta(days=1), 19)


def test_a_backup_inside_the_window_runs_when_asked():
    plan = rules.schedule_backup(at(TUESDAY, 20), at(TUESDAY, 14), next_window=False)
    assert plan == rules.BackupSchedule(at(TUESDAY, 20), moved_to_next_window=False)


def test_a_backup_outside_the_window_is_refused_with_the_window_in_the_message():
    with pytest.raises(rules.OutsideBackupWindow) as refused:
        rules.schedule_backup(at(TUESDAY, 15), at(TUESDAY, 14), next_window=False)
    assert "entre 19h e 4h" in str(refused.value)


def test_next_window_moves_a_backup_outside_the_window_to_the_next_19h():
    plan = rules.schedule_backup(at(TUESDAY + timedelta(days=1), 10), at(TUESDAY, 14), next_window=True)
    assert plan == rules.BackupSchedule(at(TUESDAY + timedelta(days=1), 19), moved_to_next_window=True)


def test_a_backup_in_the_past_or_too_far_ahead_is_refused():
    with pytest.raises(DomainError, match="já passou"):
        rules.schedule_backup(at(TUESDAY, 1), at(TUESDAY, 14), next_window=True)
    with pytest.raises(DomainError, match="30 dias"):
        rules.schedule_backup(at(TUESDAY, 20) + timedelta(days=31), at(TUESDAY, 14), next_window=False)


def test_an_hourly_run_covers_its_whole_hour():
    slot = rules.hour_slot(at(TUESDAY, 20, 37))
    assert (slot.start, slot.end, slot.in_window) == (at(TUESDAY, 20), at(TUESDAY, 21), True)
    assert not rules.hour_slot(at(TUESDAY, 10, 5)).in_window


@pytest.mark.parametrize("day, hour, allowed", [
    (TUESDAY, 4, True), (TUESDAY, 5, False), (TUESDAY, 10, False), (TUESDAY, 18, False),
    (TUESDAY, 19, True), (SUNDAY, 10, True), (CHRISTMAS, 10, True),
])
def test_downloads_are_refused_on_business_days_from_5h_to_19h(day, hour, allowed):
    assert rules.download_allowed(at(day, hour)) is allowed


def test_a_refused_download_opens_at_19h_the_same_day():
    assert rules.download_opens_at(at(TUESDAY, 10, 30)) == at(TUESDAY, 19)


def test_backup_files_live_seven_days():
    assert rules.backup_file_expires_at(at(TUESDAY, 20)) == at(TUESDAY + timedelta(days=7), 20)


def test_the_purge_comes_ninety_days_after_cancellation():
    assert rules.purge_date(date(2026, 1, 10)) == date(2026, 4, 10)
    assert rules.purge_date(date(2026, 1, 10), retention_days=30) == date(2026, 2, 9)
    with pytest.raises(DomainError):
        rules.purge_date(date(2026, 1, 10), retention_days=-1)


def test_tax_records_are_kept_five_years():
    assert rules.tax_record_kept_until(date(2026, 3, 15)) == date(2031, 3, 15)
    assert rules.tax_record_kept_until(date(2028, 2, 29)) == date(2033, 2, 28)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
       st.booleans())
def test_a_scheduled_backup_always_lands_inside_the_window(moment, next_window):
    now = moment.replace(tzinfo=SP)
    run_at = now + timedelta(hours=5)
    try:
        plan = rules.schedule_backup(run_at, now, next_window=next_window)
    except rules.OutsideBackupWindow:
        assert not next_window and not rules.in_backup_window(run_at)
        return
    assert rules.in_backup_window(plan.run_at)
    assert plan.run_at >= run_at
    assert plan.moved_to_next_window == (not rules.in_backup_window(run_at))
