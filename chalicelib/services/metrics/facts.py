"""What one domain event counts in the aggregates: its facts, each with the key that makes it count
once (docs/metrics.md). Most events are one fact keyed by the event's id. An invoice's becoming
overdue is a fact of its own, keyed by the invoice: both `invoice.overdue` and a late `invoice.paid`
state it, and whichever arrives first counts it.

Every figure is placed on the day it happened (the change's effective date, the payment's date, the
day after the due date), never on the day the event was delivered, so the counters are the same
whatever the order of delivery."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.domain.metrics import (
    TOTAL, Position, account_counts, days_counter, method_counter, movements, recovery_days,
    subscription_counts,
)
from chalicelib.store.metrics import Increment

# A counted event's marker outlives any redelivery (EventBridge retries for at most 24 hours).
EVENT_MARKER_DAYS = 35
MRR_EVENTS = frozenset({"subscription.changed", "subscription.cancelled", "subscription.reinstated",
                        "license.seats_changed"})
TYPES = MRR_EVENTS | {"invoice.issued", "invoice.paid", "invoice.overdue", "payment.refunded"}


@dataclass(frozen=True)
class Fact:
    key: str
    increments: list[Increment]
    expires_at: int | None = None  # epoch seconds; None: kept (an invoice is overdue once, ever)


class Uncountable(ValueError):
    """An event of a counted type without what metrics need (a field missing or malformed)."""


def facts_of(event: dict) -> list[Fact]:
    """The facts an event (the envelope of docs/events.md) states; none for types metrics ignore or
    events published before they carried what metrics need. Uncountable: a counted type whose data
    is not in the documented shape."""
    try:
        return _facts_of(event)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise Uncountable(f"{event.get('type')}: {type(error).__name__} {error}") from error


def _facts_of(event: dict) -> list[Fact]:
    kind, data = event.get("type"), event.get("data") or {}
    expires = int((_instant(event["time"]) + timedelta(days=EVENT_MARKER_DAYS)).timestamp())

    def counted(increments: list[Increment]) -> Fact:
        return Fact(event["id"], increments, expires)

    if kind in MRR_EVENTS:
        return [counted(mrr_increments(data["mrr"]))] if isinstance(data.get("mrr"), dict) else []
    if kind == "invoice.issued":
        day = _instant(event["time"]).date()
        return [counted([Increment(TOTAL, day, by_method("billed", data.get("payment_method"),
                                                          int(data["total_cents"])))])]
    if kind == "invoice.paid":
        increments, overdue = paid_increments(data)
        return [counted(increments), *([overdue] if overdue else [])]
    if kind == "invoice.overdue":
        return [overdue_fact(data)]
    if kind == "payment.refunded":
        return [counted([Increment(TOTAL, _day(data["refunded_at"]),
                                   by_method("refunded", data.get("method"), int(data["amount_cents"])))])]
    return []


def mrr_increments(mrr: dict) -> list[Increment]:
    """A subscription's move in MRR: movements, active subscriptions and active accounts per slice."""
    day = date.fromisoformat(mrr["effective_date"])
    before = Position(mrr["before"].get("product_id"), int(mrr["before"].get("mrr_cents") or 0))
    after = Position(mrr["after"].get("product_id"), int(mrr["after"].get("mrr_cents") or 0))
    counters: dict[str, dict[str, int]] = {}
    for slice_, kind, cents in movements(before, after, bool(mrr.get("returning"))):
        _add(counters, slice_, f"mrr_{kind}", cents)
    for slice_, step in subscription_counts(before, after):
        _add(counters, slice_, "subscriptions", step)
    for slice_, step in account_counts(frozenset(mrr.get("account_products_before") or ()),
                                       frozenset(mrr.get("account_products_after") or ())):
        _add(counters, slice_, "accounts", step)
        if step < 0:
            _add(counters, slice_, "accounts_churned", 1)
    return [Increment(slice_, day, values) for slice_, values in counters.items()]


def paid_increments(data: dict) -> tuple[list[Increment], Fact | None]:
    """Collected on the payment's day; paid after its due date, the invoice was overdue (a fact of its
    own) and is recovered, counted in the month it became overdue."""
    paid = _day(data["paid_at"])
    method = data.get("method")
    increments = [Increment(TOTAL, paid, by_method("collected", method, int(data["amount_cents"])))]
    if not data.get("due_date") or data.get("total_cents") is None:
        return increments, None
    due = date.fromisoformat(data["due_date"])
    if paid <= due:
        return increments, None
    total = int(data["total_cents"])
    overdue_day = due + timedelta(days=1)
    recovered = by_method("recovered_invoices", method, 1) | by_method("recovered_cents", method, total)
    recovered[days_counter(recovery_days(due, paid))] = 1
    increments.append(Increment(TOTAL, overdue_day, recovered))
    overdue = overdue_fact({"invoice_id": data["invoice_id"], "due_date": data["due_date"], "total_cents": total,
                        "payment_method": data.get("invoice_payment_method") or method})
    return increments, overdue


def overdue_fact(data: dict) -> Fact:
    day = date.fromisoformat(data["due_date"]) + timedelta(days=1)
    counters = by_method("overdue_invoices", data.get("payment_method"), 1)
    counters["overdue_cents"] = int(data["total_cents"])
    return Fact(f"invoice.overdue:{data['invoice_id']}", [Increment(TOTAL, day, counters)])


def by_method(name: str, method: str | None, value: int) -> dict[str, int]:
    counters = {name: value}
    if method:
        counters[method_counter(name, method)] = value
    return counters


def _add(counters: dict, slice_: str, name: str, value: int) -> None:
    values = counters.setdefault(slice_, {})
    values[name] = values.get(name, 0) + value


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(SAO_PAULO)


def _day(text: str) -> date:
    """A date, or the São Paulo day of an instant."""
    return date.fromisoformat(text) if len(text) == 10 else _instant(text).date()
