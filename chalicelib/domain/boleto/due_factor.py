"""Fator de vencimento: the due date as a 4-digit day count in the barcode.

Days since 07/10/1997, so 03/07/2000 is 1000 and 21/02/2025 is 9999. On 22/02/2025 the count
restarted at 1000 (FEBRABAN; see the Caixa SIGCB and Bradesco manuals), and it will again every
9000 days. A factor therefore names one date per cycle: a reader picks the cycle whose date falls
between 3000 days before and 5500 days after its own today.
"""
from datetime import date, timedelta

from chalicelib.domain.boleto.errors import DUE_DATE_OUT_OF_WINDOW, INVALID_DUE_DATE, BoletoError

BASE_DATE = date(1997, 10, 7)
FIRST_FACTOR = 1000
LAST_FACTOR = 9999
CYCLE_DAYS = LAST_FACTOR - FIRST_FACTOR + 1  # 9000
WINDOW_DAYS_BEFORE = 3000
WINDOW_DAYS_AFTER = 5500
NO_DUE_DATE = 0  # "0000": the boleto carries no due date


def due_factor(due_date: date | None) -> int:
    """The factor printed for a due date (0 when there is none)."""
    if due_date is None:
        return NO_DUE_DATE
    days = (due_date - BASE_DATE).days
    if days < 1:
        raise BoletoError(INVALID_DUE_DATE, "Data de vencimento anterior a 08/10/1997 não é representável.")
    if days < FIRST_FACTOR:  # before 03/07/2000 the count had not reached 1000 yet
        return days
    return (days - FIRST_FACTOR) % CYCLE_DAYS + FIRST_FACTOR


def due_date_from_factor(factor: int, today: date) -> date | None:
    """The due date a factor names, chosen in the window around ``today``."""
    if factor == NO_DUE_DATE:
        return None
    first_cycle_date = BASE_DATE + timedelta(days=factor)
    if factor < FIRST_FACTOR:
        candidate = first_cycle_date
    else:
        earliest = (today - first_cycle_date).days - WINDOW_DAYS_BEFORE
        cycles = max(0, -(-earliest // CYCLE_DAYS))  # ceil division: first cycle not before the window
        candidate = first_cycle_date + timedelta(days=cycles * CYCLE_DAYS)
    if not _in_window(candidate, today):
        raise BoletoError(
            DUE_DATE_OUT_OF_WINDOW,
            f"Fator de vencimento {factor:04d} não corresponde a nenhuma data entre "
            f"{WINDOW_DAYS_BEFORE} dias antes e {WINDOW_DAYS_AFTER} dias depois de {today:%d/%m/%Y}.",
        )
    return candidate


def _in_window(candidate: date, today: date) -> bool:
    offset = (candidate - today).days
    return -WINDOW_DAYS_BEFORE <= offset <= WINDOW_DAYS_AFTER
