"""Revenue metrics (docs/metrics.md): what the event consumer costs per event, and what the finance
console's report costs to read.

- **Cost per event** (`calls_per_event`, `units_per_event`): each domain event metrics counts is
  handed to the consumer as the bus's rule delivers it (`chalicelib.jobs.metrics.consume`, the
  Lambda's body), and its DynamoDB calls and request units are counted, by event type: one
  transaction per fact (the marker and the ADDs on the day and month counters), two for a payment
  made after the due date (the invoice's becoming overdue is a fact of its own), and a redelivery
  stops at the marker (the transaction is refused by its condition: billed all the same). The
  consumer's own time (`app_ms`, without the calls) is reported for the cost model; the calls' time
  is not judged: moto copies the whole table in every transaction, so on moto it grows with the
  table, which DynamoDB's does not. Measured at two table sizes — aggregates and fact markers of a year of
  SMALL_SUBSCRIPTIONS, then of SUBSCRIPTIONS — the counts must be the same (no read of anything that
  grows with the vendor), within CALLS_PER_EVENT_TARGET, and no Scan.
- **The report** (`report_ms`, `report_calls`): `GET /v1/admin/metrics` for 12 months through the
  API (Chalice's test client, a `finance` token), total and one product, with a year of aggregates
  of SUBSCRIPTIONS subscriptions in the table. The aggregates are **seeded directly**, not replayed
  from events: the day and month items of every slice (each product and the total) for 365 days,
  with counters of the size a vendor of that many subscriptions produces (movements, counts,
  billed/collected/overdue by method, the recovery-days histogram), month items the sum of their
  days; plus the fact markers such a year leaves (the last 35 days' events and every invoice that
  fell overdue). The report's time does not depend on the counters' values, only on how many items
  it reads (12 months of one slice, plus the months before). Target: REPORT_CALLS_TARGET calls
  (the Query of the months, and the Query of the current month's days, which the range includes),
  median under REPORT_MS_TARGET ms: on DynamoDB Local the whole request; on moto the app's own time
  (`report_app_ms`, the request without its DynamoDB calls), because moto answers a Query by walking
  every item of the table, so its time grows with the table, which DynamoDB's does not.

bench/cost.py prices a month of consumer invocations from `calls_by_type` × the events a month.

Run: .venv/bin/python -m bench.bench_metrics [--quick] [--ddb-local]   (or `make bench`)
"""
import random
import statistics
import time
from datetime import date, datetime, timedelta

from bench import backend, call_counter
from bench.world import BENCH_NOW, World, new_id, open_world, quiet_app

CALLS_PER_EVENT_TARGET = 1          # one transaction per event (a late payment: LATE_PAYMENT_CALLS_TARGET)
LATE_PAYMENT_CALLS_TARGET = 2       # the payment, and the invoice's becoming overdue
# GET /v1/admin/metrics: one Query of the slice's month items, and one of the current month's day items
# (its `days`, docs/metrics.md) when the range includes the current month, as the 12 months asked here do.
REPORT_CALLS_TARGET = 2
REPORT_MS_TARGET = 150.0            # median, in-process (moto), 12 months at SUBSCRIPTIONS
SUBSCRIPTIONS = 10_000
SMALL_SUBSCRIPTIONS = 1_000
QUICK_SUBSCRIPTIONS, QUICK_SMALL = 400, 40
SUBSCRIPTIONS_PER_ACCOUNT = 2
MEAN_MRR_CENTS = 15_000             # R$ 150 a month per subscription (as bench/cost.py assumes)
OVERDUE_SHARE = 0.05                # invoices that fall overdue (as bench/cost.py assumes)
MARKER_DAYS = 35                    # a counted event's marker is kept this long (services/metrics/facts.py)
SAMPLES_PER_TYPE = {"small": 3, "large": 2}  # moto copies the whole table in every transaction: few at scale
REPORT_REPEATS = 15
LAST: dict | None = None  # this run's result, for bench/cost.py


def measure() -> dict:
    global LAST
    large, small = (QUICK_SUBSCRIPTIONS, QUICK_SMALL) if backend.quick() else (SUBSCRIPTIONS, SMALL_SUBSCRIPTIONS)
    with open_world() as world, quiet_app():
        products = [product.id for product in world.services.catalog.products]
        seeded_small = _seed(world, products, small)
        at_small = _per_event(world, products, SAMPLES_PER_TYPE["small"])
        seeded_large = _seed(world, products, large, markers_from=small)
        at_large = _per_event(world, products, SAMPLES_PER_TYPE["large"])
        report = _report(world, products[0])
    calls_by_type = {kind: figures["calls"] for kind, figures in at_large.items()}
    result = {
        "backend": backend.name(),
        "subscriptions": large,
        "calls_per_event": max(sum(calls.values()) for kind, calls in calls_by_type.items()
                               if kind != "invoice.paid (late)"),
        "calls_per_event_target": CALLS_PER_EVENT_TARGET,
        "late_payment_calls": sum(calls_by_type["invoice.paid (late)"].values()),
        "calls_by_type": {kind: sum(calls.values()) for kind, calls in calls_by_type.items()},
        "same_at_both_sizes": _comparable(at_small) == _comparable(at_large),
        "report_ms": report["total_ms"],
        "report_product_ms": report["product_ms"],
        "report_app_ms": report["total_app_ms"],
        "report_product_app_ms": report["product_app_ms"],
        "report_ms_target": REPORT_MS_TARGET,
        "report_calls": report["calls"],
        "report_calls_target": REPORT_CALLS_TARGET,
        "scans": sum(f["scans"] for f in (*at_small.values(), *at_large.values())) + report["scans"],
        "detail": {
            "seeded": {"small": seeded_small, "large": seeded_large},
            "by_type": at_large,
            "by_type_small": at_small,
            "report": report,
        },
    }
    result["failures"] = _failures(result)
    LAST = result
    print(_table(result))
    return result


def _failures(result: dict) -> list[str]:
    failures = []
    if result["calls_per_event"] > CALLS_PER_EVENT_TARGET:
        failures.append(f"an event took {result['calls_per_event']} DynamoDB calls (target {CALLS_PER_EVENT_TARGET})")
    if result["late_payment_calls"] > LATE_PAYMENT_CALLS_TARGET:
        failures.append(f"a late payment took {result['late_payment_calls']} DynamoDB calls "
                        f"(target {LATE_PAYMENT_CALLS_TARGET})")
    if not result["same_at_both_sizes"]:
        failures.append("the calls or units per event differ between the two table sizes")
    if result["report_calls"] > REPORT_CALLS_TARGET:
        failures.append(f"GET /v1/admin/metrics took {result['report_calls']} DynamoDB calls "
                        f"(target {REPORT_CALLS_TARGET})")
    judged = ("report_ms", "report_product_ms") if backend.ddb_local() else ("report_app_ms", "report_product_app_ms")
    slowest = max(result[name] for name in judged)
    if slowest > REPORT_MS_TARGET:
        failures.append(f"GET /v1/admin/metrics took {slowest} ms ({judged[0]}; target {REPORT_MS_TARGET})")
    if result["scans"]:
        failures.append("a Scan ran")
    return failures


# --- the cost of one event ----------------------------------------------------------------------

def _per_event(world: World, products: list[str], samples_per_type: int) -> dict[str, dict]:
    """Each type's events delivered to the consumer: calls (the largest sample), units, app time."""
    from chalicelib.jobs.metrics import consume

    found = {}
    for kind, make in _events(products).items():
        samples = []
        for _ in range(samples_per_type):
            event = make()
            with call_counter.counting() as calls:
                started = time.perf_counter()
                outcome = consume(event)
                seconds = time.perf_counter() - started
            expected = 0 if kind == "redelivery" else (2 if kind == "invoice.paid (late)" else 1)
            if outcome.get("counted") != expected:
                raise RuntimeError(f"{kind}: the consumer answered {outcome}, expected {expected} facts counted")
            samples.append({"calls": calls.dynamodb(), "units": calls.units(), "scans": len(calls.scans),
                            "app_ms": (seconds - calls.aws_ms / 1000) * 1000, "seconds": seconds})
        worst = max(samples, key=lambda s: sum(s["calls"].values()))
        found[kind] = {"calls": worst["calls"], "units": worst["units"],
                       "scans": sum(s["scans"] for s in samples),
                       "app_ms": round(statistics.median(s["app_ms"] for s in samples), 3),
                       "seconds": round(statistics.median(s["seconds"] for s in samples), 3)}
    return found


def _comparable(per_type: dict) -> dict:
    return {kind: (figures["calls"], figures["units"]) for kind, figures in per_type.items()}


def _events(products: list[str]) -> dict:
    """A maker of a fresh envelope, as the bus delivers it, per event type metrics counts. Days fall
    inside the seeded year, so the counters they add to already exist."""
    from chalicelib.adapters.events import envelope

    today = BENCH_NOW.date()
    day = (today - timedelta(days=3)).isoformat()
    first, second = products[0], products[-1]

    def wire(kind, data):
        import json

        return json.loads(json.dumps(envelope(kind, new_id("acc"), data, time=BENCH_NOW,
                                              event_id=new_id("evt")), default=str))

    def mrr(before_product, before, after_product, after, returning=False):
        return {"effective_date": day, "before": {"product_id": before_product, "mrr_cents": before},
                "after": {"product_id": after_product, "mrr_cents": after}, "returning": returning,
                "account_products_before": [before_product] if before else [],
                "account_products_after": [after_product] if after else []}

    def invoice(**more):
        return {"invoice_id": new_id("inv"), "due_date": day, "total_cents": 29_800, "currency": "BRL",
                "payment_method": "boleto", **more}

    def paid(paid_on: date):
        return wire("invoice.paid", {"invoice_id": new_id("inv"), "payment_id": new_id("pay"), "amount_cents": 29_800,
                                     "currency": "BRL", "method": "pix", "paid_at": f"{paid_on}T10:00:00-03:00",
                                     "due_date": (today - timedelta(days=10)).isoformat(), "total_cents": 29_800,
                                     "invoice_payment_method": "boleto"})

    redelivered = {}

    def redelivery():
        if "event" not in redelivered:
            redelivered["event"] = wire("invoice.issued", invoice(nosso_numero=None, superseded_invoice_ids=[]))
            consume_once(redelivered["event"])
        return redelivered["event"]

    return {
        "subscription.changed (new)": lambda: wire("subscription.changed", {
            "subscription_id": new_id("sub"), "changes": ["created"], "mrr": mrr(None, 0, first, 9_900)}),
        "subscription.changed (expansion)": lambda: wire("subscription.changed", {
            "subscription_id": new_id("sub"), "changes": ["quantity"], "mrr": mrr(first, 9_900, first, 19_800)}),
        "subscription.changed (product switch)": lambda: wire("subscription.changed", {
            "subscription_id": new_id("sub"), "changes": ["product_id"], "mrr": mrr(first, 24_917, second, 9_900)}),
        "subscription.cancelled": lambda: wire("subscription.cancelled", {
            "subscription_id": new_id("sub"), "effective_date": day, "reason": "customer_request",
            "mrr": mrr(first, 9_900, first, 0)}),
        "subscription.reinstated": lambda: wire("subscription.reinstated", {
            "subscription_id": new_id("sub"), "mrr": mrr(first, 0, first, 9_900, returning=True)}),
        "license.seats_changed": lambda: wire("license.seats_changed", {
            "subscription_id": new_id("sub"), "quantity": 2, "previous_quantity": 3, "effective_date": day,
            "reason": "active_only_renewal", "mrr": mrr(first, 29_700, first, 19_800)}),
        "invoice.issued": lambda: wire("invoice.issued", invoice(nosso_numero=None, superseded_invoice_ids=[])),
        "invoice.paid (on time)": lambda: paid(today - timedelta(days=12)),
        "invoice.paid (late)": lambda: paid(today - timedelta(days=2)),
        "invoice.overdue": lambda: wire("invoice.overdue", invoice(open_cents=29_800)),
        "payment.refunded": lambda: wire("payment.refunded", {
            "payment_id": new_id("pay"), "invoice_id": new_id("inv"), "amount_cents": 9_900, "method": "card",
            "refunded_at": f"{day}T15:00:00-03:00"}),
        "redelivery": redelivery,
    }


def consume_once(event: dict) -> None:
    from chalicelib.jobs.metrics import consume

    consume(event)


# --- the report ---------------------------------------------------------------------------------

def _report(world: World, product: str) -> dict:
    api = world.api
    token = api.token(new_id("usr"), groups=["finance"])
    month = BENCH_NOW.strftime("%Y-%m")
    first = f"{BENCH_NOW.year - 1}-{BENCH_NOW.month + 1:02d}" if BENCH_NOW.month < 12 else f"{BENCH_NOW.year}-01"
    query = f"/v1/admin/metrics?from={first}&to={month}"
    timings = {}
    calls_seen, scans = {}, 0
    for name, path in (("total_ms", query), ("product_ms", f"{query}&product_id={product}")):
        status, data = api.call("GET", path, token)  # warm: the route's first call imports its modules
        if status != 200 or len(data["months"]) != 12:
            raise RuntimeError(f"GET {path}: {status} {data}")
        samples, own = [], []
        for _ in range(REPORT_REPEATS):
            with call_counter.counting() as calls:
                started = time.perf_counter()
                status, data = api.call("GET", path, token)
                samples.append((time.perf_counter() - started) * 1000)
            own.append(samples[-1] - calls.aws_ms)
            calls_seen = calls.dynamodb() if sum(calls.dynamodb().values()) >= sum(calls_seen.values()) else calls_seen
            scans += len(calls.scans)
        timings[name] = round(statistics.median(samples), 2)
        timings[name.replace("_ms", "_app_ms")] = round(statistics.median(own), 2)
        if name == "total_ms":
            months = data["months"]
            timings["units"] = calls.units()
    if not any(m["mrr_cents"] for m in months):
        raise RuntimeError("the report read no seeded month")
    return {**timings, "calls": sum(calls_seen.values()), "calls_by_operation": calls_seen, "scans": scans,
            "months": len(months), "last_mrr_cents": months[-1]["mrr_cents"]}


# --- seeding: a year of aggregates and fact markers, written directly ---------------------------

def _seed(world: World, products: list[str], subscriptions: int, markers_from: int = 0) -> dict:
    """The day and month items a year of `subscriptions` leaves in every slice (overwriting an
    earlier, smaller seed), and the fact markers up to that size (adding to `markers_from`'s)."""
    from chalicelib.store.metrics import day_pk, month_pk

    rng = random.Random(subscriptions)
    services = world.services
    table, client = services.settings.billing_table, services.boto3_client("dynamodb")
    today = BENCH_NOW.date()
    days = [today - timedelta(days=n) for n in range(364, -1, -1)]
    items, months_of = [], {}
    for slice_, share in (("*", 1.0), *((p, 1 / len(products)) for p in products)):
        per_month: dict[str, dict[str, int]] = {}
        for day in days:
            counters = _day_counters(rng, subscriptions * share, whole=slice_ == "*")
            month = f"{day:%Y-%m}"
            items.append(_item(day_pk(slice_, month), f"DAY#{day:%d}", counters))
            totals = per_month.setdefault(month, {})
            for name, value in counters.items():
                totals[name] = totals.get(name, 0) + value
        for month, counters in per_month.items():
            items.append(_item(month_pk(slice_), f"MONTH#{month}", counters))
        months_of[slice_] = len(per_month)
    markers = {name: count - _markers(markers_from)[name] for name, count in _markers(subscriptions).items()}
    expires = int((datetime.combine(today, datetime.min.time()) + timedelta(days=MARKER_DAYS)).timestamp())
    for n in range(markers["events"]):
        items.append({"pk": {"S": f"METRICS_FACT#{new_id('evt')}-{n}"}, "sk": {"S": "FACT"},
                      "type": {"S": "metrics_fact"}, "expires_at": {"N": str(expires)}})
    for n in range(markers["overdue"]):
        items.append({"pk": {"S": f"METRICS_FACT#invoice.overdue:{new_id('inv')}-{n}"}, "sk": {"S": "FACT"},
                      "type": {"S": "metrics_fact"}})
    started = time.perf_counter()
    for start in range(0, len(items), 25):
        _batch_write(client, table, items[start:start + 25])
    return {"subscriptions": subscriptions, "aggregate_items": len(items) - sum(markers.values()),
            "markers_added": markers, "seconds": round(time.perf_counter() - started, 1)}


def _markers(subscriptions: int) -> dict[str, int]:
    """Markers a year of that many subscriptions keeps: the events of the last 35 days (each
    account's invoice issued and paid a month, each subscription's changes now and then) and every
    invoice that fell overdue during the year (kept for good)."""
    accounts = subscriptions / SUBSCRIPTIONS_PER_ACCOUNT
    events_a_month = accounts * 2 + subscriptions * 0.07
    return {"events": round(events_a_month * MARKER_DAYS / 30), "overdue": round(accounts * 12 * OVERDUE_SHARE)}


def _day_counters(rng: random.Random, subscriptions: float, whole: bool) -> dict[str, int]:
    """One day of a vendor of that many subscriptions: about 1% new and 1% churned a month, a few
    plan changes, and (in the total) one invoice per account a month, 5% of them overdue."""
    def some(per_month: float) -> int:
        mean = per_month / 30
        return max(0, round(rng.gauss(mean, mean ** 0.5))) if mean > 0 else 0

    def mrr(count: int) -> int:
        return sum(rng.randint(MEAN_MRR_CENTS // 2, MEAN_MRR_CENTS * 3 // 2) for _ in range(count))

    new, churned, up, down = (some(subscriptions * r) for r in (0.012, 0.01, 0.03, 0.02))
    counters = {"mrr_new": mrr(new), "mrr_churn": -mrr(churned), "mrr_expansion": mrr(up) // 3,
                "mrr_contraction": -(mrr(down) // 4), "mrr_reactivation": mrr(some(subscriptions * 0.001)),
                "subscriptions": new - churned, "accounts": (new - churned) // SUBSCRIPTIONS_PER_ACCOUNT,
                "accounts_churned": churned // SUBSCRIPTIONS_PER_ACCOUNT}
    if not whole:
        return {name: value for name, value in counters.items() if value}
    invoices = some(subscriptions / SUBSCRIPTIONS_PER_ACCOUNT)
    overdue = some(subscriptions / SUBSCRIPTIONS_PER_ACCOUNT * OVERDUE_SHARE)
    recovered = round(overdue * 0.7)
    for method, share in (("boleto", 0.3), ("card", 0.5), ("pix", 0.05), ("pix_automatico", 0.15)):
        billed = round(invoices * share)
        counters[f"billed__{method}"] = billed * 2 * MEAN_MRR_CENTS
        counters[f"collected__{method}"] = round(billed * 0.98) * 2 * MEAN_MRR_CENTS
        counters[f"refunded__{method}"] = rng.randint(0, 2) * MEAN_MRR_CENTS
        counters[f"overdue_invoices__{method}"] = round(overdue * share)
        counters[f"recovered_invoices__{method}"] = round(recovered * share)
        counters[f"recovered_cents__{method}"] = round(recovered * share) * 2 * MEAN_MRR_CENTS
    for name in ("billed", "collected", "refunded", "overdue_invoices", "recovered_invoices", "recovered_cents"):
        counters[name] = sum(counters[f"{name}__{m}"] for m in ("boleto", "card", "pix", "pix_automatico"))
    counters["overdue_cents"] = overdue * 2 * MEAN_MRR_CENTS
    for _ in range(recovered):
        days = f"days_{min(int(rng.expovariate(1 / 8)) + 1, 60)}"
        counters[days] = counters.get(days, 0) + 1
    return {name: value for name, value in counters.items() if value}


def _item(pk: str, sk: str, counters: dict[str, int]) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "type": {"S": "metrics"},
            **{name: {"N": str(value)} for name, value in counters.items()}}


def _batch_write(client, table: str, items: list[dict]) -> None:
    pending = [{"PutRequest": {"Item": item}} for item in items]
    while pending:
        answer = client.batch_write_item(RequestItems={table: pending})
        pending = answer.get("UnprocessedItems", {}).get(table, [])


def _table(result: dict) -> str:
    lines = [f"\nmetrics consumer: DynamoDB calls per event delivered ({result['subscriptions']:,} subscriptions' "
             f"year in the table; the same at {result['detail']['seeded']['small']['subscriptions']:,}: "
             f"{result['same_at_both_sizes']})"]
    for kind, figures in result["detail"]["by_type"].items():
        calls = ", ".join(f"{op} {n}" for op, n in figures["calls"].items()) or "none"
        lines.append(f"  {kind:<40} {calls:<26} RRU {figures['units']['read']:<5} WRU {figures['units']['write']:<5} "
                     f"app {figures['app_ms']} ms")
    report = result["detail"]["report"]
    lines.append(f"GET /v1/admin/metrics, 12 months: {result['report_ms']} ms, {result['report_app_ms']} ms of the app's own "
                 f"(product: {result['report_product_ms']} ms, {result['report_product_app_ms']} ms), "
                 f"{report['calls_by_operation']}, units {report.get('units')}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.exit(backend.run_alone(measure, __doc__))
