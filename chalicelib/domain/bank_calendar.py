"""Brazilian bank business days: no weekends, no national holidays, no bank closings.

The `holidays` package gives the national holidays (country BR) and the B3 exchange calendar
(financial 'BVMF'), which adds Carnival Monday and Tuesday and Corpus Christi. Neither has
31 December, when banks do not open to the public, so it is added here.

`holidays` is imported on the first year asked for, not with this module: it is a tenth of a cold
start (`import app` reaches this module through the catalog), and most requests never need it."""
from datetime import date, timedelta
from functools import lru_cache

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    import holidays

    national = holidays.country_holidays("BR", years=year)
    exchange = holidays.financial_holidays("BVMF", years=year)
    return frozenset(national) | frozenset(exchange) | {date(year, 12, 31)}


def is_business_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and day not in bank_holidays(day.year)


def next_business_day(day: date) -> date:
    """The day itself if banks open on it, else the first business day after it."""
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def previous_business_day(day: date) -> date:
    """The day itself if banks open on it, else the last business day before it."""
    while not is_business_day(day):
        day -= _ONE_DAY
    return day


def add_business_days(day: date, count: int) -> date:
    """Move `count` business days from `day` (backwards when negative); 0 returns `day`."""
    step = _ONE_DAY if count >= 0 else -_ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day):
            remaining -= 1
    return day


def compensation_deadline(paid_on: date) -> date:
    """Last day by which a boleto paid on `paid_on` is compensated (24 business hours).

    Paid on a business day D: by the end of the next business day. Paid on a weekend or holiday:
    the 24 hours only start when banks open, so by the end of the next business day too."""
    return add_business_days(paid_on, 1)
