"""`metrics rebuild`: the aggregates recomputed from the stored history, compared with the ones the
event consumer kept, counter by counter, to the centavo (docs/metrics.md).

The history read is what each change committed in its own transaction — the audit trail (every
subscription created, changed, cancelled or reinstated, and every invoice that took a subscription
out of `active`), the invoices and the payments — never the events, nor anything the consumer kept.
So a disagreement points at the way from the commit to the aggregates: an event not published, lost,
counted twice or placed on another day. The definitions (domain/metrics.py) are the same on both
sides; the scripted-year acceptance test checks them against figures computed from the script.

Cost: one Scan of the billing table (every item read once), grouped by account in memory — an
offline command, never run by a request or by the consumer."""
from collections import defaultdict
from datetime import date, datetime
from types import SimpleNamespace

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.domain.metrics import TOTAL, add_counters
from chalicelib.services.metrics.facts import by_method, mrr_increments, overdue_fact, paid_increments
from chalicelib.services.plans.recurring import changes_mrr, mrr_block, position_of
from chalicelib.store.metrics import Increment

HISTORY_TYPES = ("audit", "invoice", "payment", "subscription")
PLAN_FIELDS = ("product_id", "periodicity", "quantity", "storage_gb")
# Licenses or storage changed in place: an `active_only` renewal, an unpaid addition order taken back.
SEAT_ACTIONS = frozenset({"license.seats_changed", "subscription.addition_reverted"})
LEAVING_ACTIVE = frozenset({"subscription.past_due", "subscription.suspended", "subscription.cancelled"})
# A refund recorded: by the gateway, or requested from the finance team to return by hand.
REFUND_ACTIONS = frozenset({"payment.refunded", "payment.refund_requested"})


class MetricsRebuild:
    def __init__(self, repository, catalog, clock):
        self._repository = repository
        self._catalog = catalog
        self._clock = clock

    def run(self) -> dict:
        """Recompute and compare; `agree` is True when every counter of every month matches."""
        rebuilt = self.recompute()
        through = max((month for months in rebuilt.values() for month in months),
                      default=f"{self._clock.today():%Y-%m}")
        through = max(through, f"{self._clock.today():%Y-%m}")
        slices = sorted({TOTAL, *rebuilt, *(p.id for p in self._catalog.products)})
        differences, compared = [], 0
        for slice_ in slices:
            kept = self._repository.months(slice_, through)
            recomputed = rebuilt.get(slice_, {})
            for month in sorted(set(kept) | set(recomputed)):
                compared += 1
                ours, theirs = _nonzero(recomputed.get(month, {})), _nonzero(kept.get(month, {}))
                for name in sorted(set(ours) | set(theirs)):
                    if ours.get(name, 0) != theirs.get(name, 0):
                        differences.append({"slice": slice_, "month": month, "counter": name,
                                            "incremental": theirs.get(name, 0), "rebuilt": ours.get(name, 0)})
        return {"agree": not differences, "slices": len(slices), "months_compared": compared,
                "differences": differences}

    def recompute(self) -> dict[str, dict[str, dict[str, int]]]:
        """Counters by slice and month, from the history."""
        accounts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for page in self._repository.history(HISTORY_TYPES):
            for item in page:
                if item.get("account_id"):
                    accounts[item["account_id"]][item["type"]].append(item)
        by_slice: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
        for history in accounts.values():
            for increment in self._account(history):
                month = f"{increment.day:%Y-%m}"
                add_counters(by_slice[increment.slice].setdefault(month, {}), increment.counters)
        return by_slice

    def _account(self, history: dict[str, list]) -> list[Increment]:
        audit = sorted(history["audit"], key=lambda entry: entry["sk"])
        invoices = {item["invoice_id"]: item for item in history["invoice"]}
        payments = {item["payment_id"]: item for item in history["payment"]}
        current = {item["subscription_id"]: item for item in history["subscription"]}
        return [*self._recurring(audit, current), *self._collection(audit, invoices, payments)]

    # --- MRR: each subscription's plan and status replayed from the audit trail -----------------
    def _recurring(self, audit: list[dict], current: dict[str, dict]) -> list[Increment]:
        states: dict[str, SimpleNamespace] = {}
        increments = []
        for entry in audit:
            action, after, day = entry["action"], entry.get("after") or {}, _day_of(entry["at"])
            target = entry.get("target")
            before = self._positions(states)
            returning = False
            if action == "subscription.created":
                states[target] = _state(target, after, current.get(target))
            elif action == "subscription.changed" and target in states:
                for name in PLAN_FIELDS:
                    if name in after:
                        setattr(states[target], name, after[name])
                if after.get("current_period_end"):
                    states[target].current_period_end = date.fromisoformat(after["current_period_end"])
            elif action in SEAT_ACTIONS and target in states:
                for name in ("quantity", "storage_gb"):
                    if after.get(name) is not None:
                        setattr(states[target], name, int(after[name]))
            elif action == "subscription.coupon_applied" and target in states:
                states[target].discount = _discount(after)
            elif action == "subscription.cancelled" and after.get("status") == "cancelled" and target in states:
                states[target].status = "cancelled"
                day = date.fromisoformat(after["effective_date"]) if after.get("effective_date") else day
            elif action == "payment.settled":
                start = before  # as read before this payment: reinstated ones cancelled, trials unpaid
                listed = [s for s in after.get("subscriptions") or [] if s["id"] in states]
                back = [s["id"] for s in listed if states[s["id"]].status == "cancelled" and s["status"] == "active"]
                for entry in listed:  # periods extended: a trial's first period paid converts it
                    if entry.get("current_period_end"):
                        states[entry["id"]].current_period_end = date.fromisoformat(entry["current_period_end"])
                for sid in back:  # reinstated, one after the other
                    before = self._positions(states)
                    states[sid].status = "active"
                    increments += mrr_increments(mrr_block(sid, before, self._positions(states), day, returning=True))
                converted = changes_mrr(self._catalog, list(states.values()), start,
                                        [s["id"] for s in listed if s["id"] not in back], day)
                for block in converted.values():
                    increments += mrr_increments(block)
                continue
            else:
                continue
            if target in states:
                increments += mrr_increments(mrr_block(target, before, self._positions(states), day, returning))
        return increments

    def _positions(self, states: dict[str, SimpleNamespace]) -> dict:
        return {sid: position_of(self._catalog, state) for sid, state in states.items()}

    # --- billed, collected, overdue and recovered: invoices and payments -------------------------
    def _collection(self, audit: list[dict], invoices: dict[str, dict], payments: dict[str, dict]) -> list[Increment]:
        increments, overdue = [], {}
        for invoice in invoices.values():
            if invoice["status"] != "draft":
                increments.append(Increment(TOTAL, invoice["issue_date"] if isinstance(invoice["issue_date"], date)
                                            else date.fromisoformat(invoice["issue_date"]),
                                            by_method("billed", invoice["payment_method"], int(invoice["total_cents"]))))
        for entry in audit:
            after = entry.get("after") or {}
            if entry["action"] == "payment.settled" and after.get("invoice_status") == "paid":
                payment, invoice = payments.get(after["payment_id"]), invoices.get(entry["target"])
                if payment is None or invoice is None:
                    continue
                collected, late = paid_increments(_paid_data(payment, invoice))
                increments += collected
                if late is not None:
                    overdue.setdefault(invoice["invoice_id"], late)
            elif entry["action"] in REFUND_ACTIONS and entry.get("target") in payments:
                increments.append(Increment(TOTAL, _day_of(entry["at"]), by_method(
                    "refunded", payments[entry["target"]]["method"], int(after["amount_cents"]))))
            elif (entry["action"] in LEAVING_ACTIVE and (entry.get("before") or {}).get("status") == "active"
                  and after.get("invoice_id") in invoices):
                invoice = invoices[after["invoice_id"]]
                overdue.setdefault(invoice["invoice_id"], _overdue_fact(invoice))
        for fact in overdue.values():
            increments += fact.increments
        return increments


def _state(subscription_id: str, summary: dict, item: dict | None) -> SimpleNamespace:
    """A subscription as created: its coupon given at subscribing is the stored one while that one
    still has the code the creation named (a coupon applied later is replayed from its own entry)."""
    discount = (item or {}).get("discount")
    if discount and discount.get("coupon_code") != summary.get("coupon"):
        discount = None
    return SimpleNamespace(
        subscription_id=subscription_id, product_id=summary["product_id"], periodicity=summary["periodicity"],
        quantity=int(summary.get("quantity") or 1), storage_gb=int(summary.get("storage_gb") or 0), status="active",
        trial_end=date.fromisoformat(summary["trial_end"]) if summary.get("trial_end") else None,
        current_period_end=date.fromisoformat(summary["current_period_end"]),
        discount=_discount(discount) if discount else None)


def _discount(terms: dict) -> SimpleNamespace:
    return SimpleNamespace(duration=terms["duration"], percent_off=_int(terms.get("percent_off")),
                           amount_off_cents=_int(terms.get("amount_off_cents")))


def _paid_data(payment: dict, invoice: dict) -> dict:
    return {"invoice_id": invoice["invoice_id"], "amount_cents": int(payment["amount_cents"]),
            "method": payment["method"], "paid_at": _instant(payment["paid_at"]).isoformat(),
            "due_date": _iso(invoice["due_date"]), "total_cents": int(invoice["total_cents"]),
            "invoice_payment_method": invoice["payment_method"]}


def _overdue_fact(invoice: dict):
    return overdue_fact({"invoice_id": invoice["invoice_id"], "due_date": _iso(invoice["due_date"]),
                     "total_cents": int(invoice["total_cents"]), "payment_method": invoice["payment_method"]})


def _nonzero(counters: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in counters.items() if value}


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _instant(value) -> datetime:
    """The store keeps instants as UTC text (PynamoDB's UTCDateTimeAttribute format) or ISO 8601."""
    if isinstance(value, datetime):
        return value.astimezone(SAO_PAULO)
    text = str(value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    return parsed.astimezone(SAO_PAULO)


def _day_of(at: str) -> date:
    return _instant(at).date()


