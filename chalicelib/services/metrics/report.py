"""The monthly report of the finance console, from the aggregates: one Query of the months, and one of
the current month's days when the range includes it."""
from dataclasses import dataclass, replace
from datetime import date

from chalicelib.domain.metrics import TOTAL, MonthFigures, day_figures, month_figures
from chalicelib.errors import BadRequest

MAX_MONTHS = 36


@dataclass(frozen=True)
class MonthRange:
    first: str  # YYYY-MM
    last: str

    @property
    def months(self) -> list[str]:
        year, month = map(int, self.first.split("-"))
        found = []
        while f"{year:04d}-{month:02d}" <= self.last:
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def month_range(first: str, last: str) -> MonthRange:
    """The months asked, checked: both YYYY-MM, first ≤ last, at most MAX_MONTHS of them."""
    for name, value in (("from", first), ("to", last)):
        if not _is_month(value):
            raise BadRequest(f"Mês inválido em {name}: use AAAA-MM (ex.: 2026-03).", code="invalid_month",
                             details={"field": name})
    if first > last:
        raise BadRequest("O mês inicial (from) deve ser anterior ou igual ao final (to).",
                         code="invalid_month_range", details={"from": first, "to": last})
    asked = MonthRange(first, last)
    if len(asked.months) > MAX_MONTHS:
        raise BadRequest(f"Peça no máximo {MAX_MONTHS} meses por vez.", code="month_range_too_long",
                         details={"max_months": MAX_MONTHS})
    return asked


def _is_month(value: str) -> bool:
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-":
        return False
    year, month = value[:4], value[5:]
    return year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2199 and 1 <= int(month) <= 12


class MetricsReport:
    def __init__(self, repository, catalog):
        self._repository = repository
        self._catalog = catalog

    def months(self, asked: MonthRange, product_id: str | None = None, today: date | None = None) -> list[MonthFigures]:
        """The months asked; the current one (the month of `today`) with its days up to today."""
        if product_id is not None and self._catalog.product(product_id) is None:
            raise BadRequest("Produto desconhecido em product_id.", code="unknown_product",
                             details={"product_id": product_id})
        slice_ = product_id or TOTAL
        figures = month_figures(asked.months, self._repository.months(slice_, asked.last))
        current = f"{today:%Y-%m}" if today is not None else None
        return [replace(month, days=day_figures(month, self._repository.days(slice_, current), today))
                if month.month == current else month for month in figures]


def default_range(today, first: str | None, last: str | None) -> tuple[str, str]:
    """Without `to`, the current month; without `from`, the 12 months ending at `to`. A parameter sent
    empty is not a missing one: month_range refuses it."""
    last = f"{today:%Y-%m}" if last is None else last
    if first is None:
        if not _is_month(last):
            return last, last  # month_range names the bad value
        year, month = int(last[:4]), int(last[5:])
        index = year * 12 + month - 1 - 11
        first = f"{index // 12:04d}-{index % 12 + 1:02d}"
    return first, last
