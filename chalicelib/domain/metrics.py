"""Revenue metrics (PRODUCT.md §14, docs/metrics.md): pure rules, no I/O.

MRR of a subscription: its recurring price for one whole period — licenses (or the flat price) plus
add-ons, less a `forever` coupon (a permanent price) — divided by the period's months (annual ÷ 12,
semiannual ÷ 6, quarterly ÷ 3), rounded half-up to the centavo once, per subscription. Every total is
a sum of those integers, so no centavo appears or vanishes between a subscription, a product and the
whole: start MRR + movements = end MRR holds exactly in each slice.

A slice is one product or the whole (TOTAL). A movement is classified per slice, from a subscription's
MRR in that slice before and after one change:
    0 → x        new (reactivation when the subscription comes back after a churn)
    x → y > x    expansion        x → y < x (y > 0)  contraction
    x → 0        churn
A subscription moving to another product leaves the old product's slice (churn there) and enters the
new one's (new there); in TOTAL it is an expansion or a contraction by the difference.

Counters of a slice and day (all integers) are what the aggregates store and what the monthly report
is computed from; they add up commutatively, so the order events arrive in does not matter."""
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.money import round_half_up

TOTAL = "*"  # the slice of every product together
NEW, EXPANSION, CONTRACTION, CHURN, REACTIVATION = "new", "expansion", "contraction", "churn", "reactivation"
MOVEMENT_KINDS = (NEW, EXPANSION, CONTRACTION, CHURN, REACTIVATION)
METHODS = ("boleto", "card", "pix", "pix_automatico")
RATE_PLACES = Decimal("0.0001")  # rates are decimals with four places, rounded half-up
MAX_RECOVERY_DAYS = 365  # recoveries later than this are counted in the last histogram bucket


def monthly_recurring_cents(period_price_cents: int, periodicity: Periodicity | str,
                            recurring_discount_cents: int = 0) -> int:
    """One period's recurring price, less its permanent discount (never below zero), per month."""
    if period_price_cents < 0 or recurring_discount_cents < 0:
        raise ValueError("prices and discounts are never negative")
    recurring = max(period_price_cents - recurring_discount_cents, 0)
    return round_half_up(recurring, Periodicity(periodicity).months)


@dataclass(frozen=True)
class Position:
    """A subscription's place in MRR at one moment: its product and what it adds (0: none)."""

    product_id: str | None
    mrr_cents: int


def classify(before_cents: int, after_cents: int, returning: bool = False) -> tuple[str, int] | None:
    """The movement of one slice, signed as it moves MRR; None when nothing moved."""
    delta = after_cents - before_cents
    if delta == 0:
        return None
    if before_cents == 0:
        return (REACTIVATION if returning else NEW), delta
    if after_cents == 0:
        return CHURN, delta
    return (EXPANSION if delta > 0 else CONTRACTION), delta


def movements(before: Position, after: Position, returning: bool = False) -> list[tuple[str, str, int]]:
    """(slice, kind, signed cents) of one subscription's change, for TOTAL and each product touched."""
    found = []
    total = classify(before.mrr_cents, after.mrr_cents, returning)
    if total:
        found.append((TOTAL, *total))
    if before.product_id == after.product_id:
        if total and before.product_id:
            found.append((before.product_id, *total))
        return found
    if before.product_id and before.mrr_cents:
        found.append((before.product_id, CHURN, -before.mrr_cents))
    if after.product_id and after.mrr_cents:
        found.append((after.product_id, REACTIVATION if returning else NEW, after.mrr_cents))
    return found


def subscription_counts(before: Position, after: Position) -> list[tuple[str, int]]:
    """(slice, ±1) for the active-subscription counts: a subscription is active in a slice while it
    adds MRR there."""
    found = []
    was, now = before.mrr_cents > 0, after.mrr_cents > 0
    if was != now:
        found.append((TOTAL, 1 if now else -1))
    if before.product_id == after.product_id:
        if was != now and before.product_id:
            found.append((before.product_id, 1 if now else -1))
        return found
    if was and before.product_id:
        found.append((before.product_id, -1))
    if now and after.product_id:
        found.append((after.product_id, 1))
    return found


def account_counts(products_before: frozenset[str], products_after: frozenset[str]) -> list[tuple[str, int]]:
    """(slice, ±1) for the active-account counts: an account is active in a product while one of its
    subscriptions adds MRR there, and in TOTAL while it is active in any."""
    found = []
    if bool(products_before) != bool(products_after):
        found.append((TOTAL, 1 if products_after else -1))
    for product in sorted(products_after - products_before):
        found.append((product, 1))
    for product in sorted(products_before - products_after):
        found.append((product, -1))
    return found


def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator as a decimal of four places (half-up); None without a denominator."""
    if denominator <= 0:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP))


def median_of_histogram(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: count}; between two middles, their mean (x.5 possible)."""
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return None
    ordered = sorted((value, count) for value, count in histogram.items() if count > 0)

    def nth(position: int) -> int:  # 0-based position in the sorted multiset
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        raise IndexError(position)

    low, high = nth((total - 1) // 2), nth(total // 2)
    return (low + high) / 2


def recovery_days(due: date, paid: date) -> int:
    """Days from the first overdue day (the day after the due date) to the payment, counting both:
    a payment on the first overdue day took 1 day. Capped at MAX_RECOVERY_DAYS."""
    return min(max((paid - due).days, 1), MAX_RECOVERY_DAYS)


# --- counters of a slice (per day, summed per month) ---------------------------------------------
MRR_COUNTERS = tuple(f"mrr_{kind}" for kind in MOVEMENT_KINDS)
COUNTERS = (*MRR_COUNTERS, "subscriptions", "accounts", "accounts_churned",
            "billed", "collected", "refunded", "overdue_invoices", "overdue_cents",
            "recovered_invoices", "recovered_cents")
METHOD_COUNTERS = ("billed", "collected", "refunded", "overdue_invoices", "recovered_invoices", "recovered_cents")
DAYS_PREFIX = "days_"  # days_<n>: recoveries that took n days (for the median)


def method_counter(name: str, method: str) -> str:
    return f"{name}__{method}"


def days_counter(days: int) -> str:
    return f"{DAYS_PREFIX}{days}"


def add_counters(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for name, value in more.items():
        into[name] = into.get(name, 0) + value
    return into


@dataclass(frozen=True)
class MonthFigures:
    month: str
    mrr_cents: int
    movements: dict[str, int]
    active_accounts: int
    active_subscriptions: int
    arpa_cents: int | None
    logo_churn_rate: float | None
    revenue_churn_rate: float | None
    nrr: float | None
    billed_cents: int
    collected_cents: int
    refunded_cents: int
    overdue_invoices: int
    recovered_invoices: int
    recovered_cents: int
    recovery_rate: float | None
    median_days_to_recover: float | None
    by_method: dict[str, dict[str, int]] = field(default_factory=dict)
    days: list["DayFigures"] | None = None  # the current month's, day by day so far

    @property
    def arr_cents(self) -> int:
        return 12 * self.mrr_cents


@dataclass(frozen=True)
class DayFigures:
    day: date
    mrr_cents: int  # at the end of the day
    movements: dict[str, int]
    billed_cents: int
    collected_cents: int


def day_figures(month: MonthFigures, counters_by_day: dict[str, dict[str, int]], through: date) -> list[DayFigures]:
    """The days of `month` (YYYY-MM) from its first to `through`, from their counters: the MRR at the
    end of each day starts from the month's opening MRR (its end less its movements)."""
    mrr = month.mrr_cents - sum(month.movements.values())
    first = date.fromisoformat(f"{month.month}-01")
    found = []
    for offset in range((through - first).days + 1):
        day = date.fromordinal(first.toordinal() + offset)
        counters = counters_by_day.get(day.isoformat(), {})
        moved = {kind: counters.get(f"mrr_{kind}", 0) for kind in MOVEMENT_KINDS}
        mrr += sum(moved.values())
        found.append(DayFigures(day, mrr, moved, counters.get("billed", 0), counters.get("collected", 0)))
    return found


def month_figures(months: list[str], counters_by_month: dict[str, dict[str, int]]) -> list[MonthFigures]:
    """The report of `months` (YYYY-MM, ascending) from the counters of every month up to the last
    one (earlier months give the opening MRR, subscription and account counts)."""
    if not months:
        return []
    first = months[0]
    opening = {}
    for month in sorted(counters_by_month):
        if month < first:
            add_counters(opening, counters_by_month[month])
    mrr = sum(opening.get(name, 0) for name in MRR_COUNTERS)
    subscriptions, accounts = opening.get("subscriptions", 0), opening.get("accounts", 0)
    report = []
    for month in months:
        counters = counters_by_month.get(month, {})
        figures = _month(month, counters, mrr, subscriptions, accounts)
        report.append(figures)
        mrr, subscriptions, accounts = figures.mrr_cents, figures.active_subscriptions, figures.active_accounts
    return report


def _month(month: str, counters: dict[str, int], start_mrr: int, start_subscriptions: int,
           start_accounts: int) -> MonthFigures:
    moved = {kind: counters.get(f"mrr_{kind}", 0) for kind in MOVEMENT_KINDS}
    end_mrr = start_mrr + sum(moved.values())
    accounts = start_accounts + counters.get("accounts", 0)
    retained = start_mrr + moved[EXPANSION] + moved[CONTRACTION] + moved[CHURN]
    overdue, recovered = counters.get("overdue_invoices", 0), counters.get("recovered_invoices", 0)
    histogram = {int(name[len(DAYS_PREFIX):]): value for name, value in counters.items()
                 if name.startswith(DAYS_PREFIX)}
    return MonthFigures(
        month=month, mrr_cents=end_mrr, movements=moved, active_accounts=accounts,
        active_subscriptions=start_subscriptions + counters.get("subscriptions", 0),
        arpa_cents=round_half_up(end_mrr, accounts) if accounts > 0 else None,
        logo_churn_rate=rate(counters.get("accounts_churned", 0), start_accounts),
        revenue_churn_rate=rate(-(moved[CHURN] + moved[CONTRACTION]), start_mrr),
        nrr=rate(retained, start_mrr),
        billed_cents=counters.get("billed", 0), collected_cents=counters.get("collected", 0),
        refunded_cents=counters.get("refunded", 0), overdue_invoices=overdue, recovered_invoices=recovered,
        recovered_cents=counters.get("recovered_cents", 0), recovery_rate=rate(recovered, overdue),
        median_days_to_recover=median_of_histogram(histogram),
        by_method={method: {name: counters.get(method_counter(name, method), 0) for name in METHOD_COUNTERS}
                   for method in METHODS})
