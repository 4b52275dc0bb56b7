"""What a month of Renova costs on AWS (on demand, sa-east-1) for 10,000 subscriptions, beside what a
billing SaaS charging 0.7% of the billed volume would take for the same subscriptions.

Every AWS figure is derived from what the other benchmarks counted and timed:
 - DynamoDB request units: per route and per job item, the counted calls of each operation times
   that operation's measured units per call (bench/call_counter.py); storage from the bytes of a
   typical account's items;
 - Lambda: invocations, and duration from the measured in-process time of the app's own work
   (handler time minus the time inside AWS calls), scaled to the Lambda's CPU share, plus an assumed
   in-region latency per counted AWS call; cold starts from the measured cold import of `app`;
 - API Gateway requests, SES e-mails, S3 writes, EventBridge events: counted calls times usage;
 - S3 storage: the measured size of a rendered boleto PDF times the invoices kept, and of an NFS-e's
   authorised XML and DANFSe PDF (bench/bench_service_invoices.py) times the NFS-e kept.
What is assumed is named below: prices (with their date and region) and usage rates. A route or
job the usage table names but no benchmark has measured yet is listed as unmeasured, and its cost
is left out, never guessed.

Run: .venv/bin/python -m bench.cost [--quick] [--ddb-local]   (reuses this run's or the latest
bench/results JSON figures of the route and job benchmarks; runs them when there are none)
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from bench import backend

RESULTS = Path(__file__).resolve().parent / "results"

# --- prices: USD, on-demand list prices, region sa-east-1 (South America, São Paulo) ------------------
# Taken by hand from the AWS pricing pages (this benchmark cannot reach AWS's price list), as they
# stood on PRICES_AS_OF; free tiers are ignored. Re-check them in the AWS Pricing Calculator before
# quoting a figure to a customer.
PRICES_AS_OF = "2025-10"
REGION = "sa-east-1"
DYNAMODB_WRITE_PER_MILLION = 0.9375   # per million write request units (since the 2024-11-01 on-demand cut)
DYNAMODB_READ_PER_MILLION = 0.1875    # per million read request units (idem)
DYNAMODB_STORAGE_GB_MONTH = 0.375     # Standard table class, per GB-month
LAMBDA_GB_SECOND = 0.0000166667       # x86, first pricing tier
LAMBDA_PER_MILLION_REQUESTS = 0.20
APIGW_REST_PER_MILLION = 4.55         # REST API, first 333 million requests a month
S3_STANDARD_GB_MONTH = 0.0405
S3_PUT_PER_THOUSAND = 0.007           # PUT, COPY, POST, LIST requests
SES_PER_THOUSAND_EMAILS = 0.10
EVENTBRIDGE_PER_MILLION_EVENTS = 1.00  # custom events put on a bus; also counted for schedule triggers
SQS_PER_MILLION_REQUESTS = 0.40       # standard queue

# --- the comparison -----------------------------------------------------------------------------
SUBSCRIPTIONS = 10_000
SUBSCRIPTION_PRICE_BRL = 150.00       # a month, per subscription
SAAS_FEE = 0.007                      # 0.7% of the billed volume
BRL_PER_USD = 5.40                    # exchange rate assumed, October 2025

# --- usage rates (assumptions: change them here, the figures follow) ------------------------------
SUBSCRIPTIONS_PER_ACCOUNT = 2         # invoices are consolidated per account
ACCOUNTS = SUBSCRIPTIONS // SUBSCRIPTIONS_PER_ACCOUNT
INVOICES_PER_ACCOUNT_MONTH = 1.0      # every subscription monthly: one consolidated invoice a month
PAYMENTS_PER_INVOICE = 1.0            # one gateway webhook per invoice
CARD_SHARE = 0.5                      # accounts paying by card (charged by the charge-cards job)
PIX_AUTOMATICO_SHARE = 0.2            # accounts paying by Pix Automático (a cycle charge and its webhook)
OVERDUE_SHARE = 0.05                  # invoices paid late (check-overdue, reminders)
PORTAL_VISITS_PER_ACCOUNT_MONTH = 2.0
PLAN_CHANGES_PER_SUBSCRIPTION_MONTH = 0.05  # each preceded by one preview
USAGE_REPORTS_PER_ACCOUNT_MONTH = 30.0      # the vendor's product reports storage once a day
BACKUPS_PER_ACCOUNT_MONTH = 0.2
FINANCE_REQUESTS_PER_ACCOUNT_MONTH = 0.1    # each with one customer message and one finance reply
ACCOUNT_CHURN_MONTH = 0.01                  # accounts cancelled, purged 90 days later
NEW_ACCOUNTS_MONTH = 0.01
PDF_RETENTION_MONTHS = 60                   # boletos kept five years (tax records): the steady state

ACCOUNT = "/v1/accounts/{account_id}"
SUBSCRIPTION = ACCOUNT + "/subscriptions/{subscription_id}"
VISITS = ACCOUNTS * PORTAL_VISITS_PER_ACCOUNT_MONTH
CHANGES = SUBSCRIPTIONS * PLAN_CHANGES_PER_SUBSCRIPTION_MONTH
INVOICES = ACCOUNTS * INVOICES_PER_ACCOUNT_MONTH
REQUESTS = ACCOUNTS * FINANCE_REQUESTS_PER_ACCOUNT_MONTH
# Route -> requests a month. A portal visit opens the account, the subscription list and one Meu Plano.
ROUTE_USAGE = {
    f"GET {ACCOUNT}": VISITS,
    f"GET {ACCOUNT}/subscriptions": VISITS,
    f"GET {SUBSCRIPTION}": VISITS,
    "GET /v1/catalog": VISITS / 2,
    f"GET {ACCOUNT}/invoices": VISITS,
    f"POST {SUBSCRIPTION}/changes/preview": CHANGES,
    f"POST {SUBSCRIPTION}/changes": CHANGES,
    "PUT /v1/internal/accounts/{account_id}/usage": ACCOUNTS * USAGE_REPORTS_PER_ACCOUNT_MONTH,
    f"POST {ACCOUNT}/backups": ACCOUNTS * BACKUPS_PER_ACCOUNT_MONTH,
    f"GET {ACCOUNT}/backups/{{backup_id}}/download": ACCOUNTS * BACKUPS_PER_ACCOUNT_MONTH,
    f"POST {ACCOUNT}/requests": REQUESTS,
    f"POST {ACCOUNT}/requests/{{request_id}}/messages": REQUESTS,
    "POST /v1/admin/requests/{request_id}/messages": REQUESTS,
    "POST /v1/accounts": ACCOUNTS * NEW_ACCOUNTS_MONTH,
    f"POST {ACCOUNT}/subscriptions": ACCOUNTS * NEW_ACCOUNTS_MONTH * SUBSCRIPTIONS_PER_ACCOUNT,
    "POST /v1/webhooks/stripe": INVOICES * CARD_SHARE * PAYMENTS_PER_INVOICE,
    "POST /v1/webhooks/asaas": INVOICES * (1 - CARD_SHARE - PIX_AUTOMATICO_SHARE) * PAYMENTS_PER_INVOICE,
}
PIX_CYCLE_CHARGES = INVOICES * PIX_AUTOMATICO_SHARE  # each settled by one `POST /v1/webhooks/pix`
SERVICE_INVOICES = INVOICES * PAYMENTS_PER_INVOICE  # one NFS-e per paid invoice, issued by the worker Lambda
SERVICE_INVOICE_JOB_RUNS = 24 * 30                 # issue-service-invoices runs hourly (what the worker missed)
NFSE_RETENTION_MONTHS = 60                         # NFS-e XML and DANFSe kept five years (tax records)
# Assumed, not measured: the real SEFIN Nacional's answer time per request (it generates the NFS-e while
# the request waits). The benchmark's SEFIN is the local fake in-process; the Lambda is billed this wait.
SEFIN_REQUEST_MS = 2000
# Domain events the metrics consumer Lambda counts a month (one invocation each), by the kind
# bench/bench_metrics.py measured.
METRICS_EVENTS = {
    "invoice.issued": INVOICES,
    "invoice.paid (on time)": INVOICES * PAYMENTS_PER_INVOICE * (1 - OVERDUE_SHARE),
    "invoice.paid (late)": INVOICES * PAYMENTS_PER_INVOICE * OVERDUE_SHARE,
    "invoice.overdue": INVOICES * OVERDUE_SHARE,
    "subscription.changed (new)": ACCOUNTS * NEW_ACCOUNTS_MONTH * SUBSCRIPTIONS_PER_ACCOUNT,
    "subscription.changed (expansion)": CHANGES,
    "subscription.cancelled": ACCOUNTS * ACCOUNT_CHURN_MONTH * SUBSCRIPTIONS_PER_ACCOUNT,
}
# Job -> (runs a month, items of work a month).
JOB_USAGE = {
    "issue-invoices": (30, INVOICES),
    "charge-cards": (30, INVOICES * CARD_SHARE),
    "check-overdue": (30, INVOICES * OVERDUE_SHARE),
    "send-reminders": (30, INVOICES * (1 - CARD_SHARE - PIX_AUTOMATICO_SHARE)),  # one per boleto invoice
    "run-backups": (9 * 30, ACCOUNTS * BACKUPS_PER_ACCOUNT_MONTH),  # hourly, 19:00 to 03:00
    "purge-accounts": (30, ACCOUNTS * ACCOUNT_CHURN_MONTH),
}
SQS_REQUESTS_PER_WORK_ITEM = 3  # planner -> queue -> worker: send, receive, delete

# --- Lambda duration model ----------------------------------------------------------------------
LAMBDA_MEMORY_MB = 1024
LAMBDA_MB_PER_VCPU = 1769       # AWS: a function with 1,769 MB has the equivalent of one vCPU
# One core of the measuring machine counts as one vCPU; less memory gets a share of it.
CPU_FACTOR = max(1.0, LAMBDA_MB_PER_VCPU / LAMBDA_MEMORY_MB)
AWS_CALL_MS = {"dynamodb": 6, "ses": 40, "s3": 25, "events": 20, "sqs": 15}  # assumed in-region latency
COLD_START_SHARE = 0.05         # invocations that start a new environment (INIT is billed since 2025-08)

# A rule an operation's units follow when a count names an operation never measured (a test, a
# hand-edited result): the smallest bill of one call.
MIN_UNITS = {"GetItem": (0.5, 0), "Query": (0.5, 0), "Scan": (0.5, 0), "BatchGetItem": (0.5, 0),
             "TransactGetItems": (2, 0), "PutItem": (0, 1), "UpdateItem": (0, 1), "DeleteItem": (0, 1),
             "BatchWriteItem": (0, 1), "TransactWriteItems": (0, 2)}


def ddb_units(calls: dict, units_per_call: dict) -> tuple[float, float]:
    """(read units, write units) of a set of counted calls: each operation's count times its
    measured units per call."""
    read = write = 0.0
    for op, count in calls.items():
        per_call = units_per_call.get(op)
        r, w = (per_call["rru"], per_call["wru"]) if per_call else MIN_UNITS.get(op, (0, 0))
        read += count * r
        write += count * w
    return read, write


def lambda_ms(app_ms: float, calls: dict, other_calls: dict) -> float:
    """Billed milliseconds of one invocation: the app's own work on the Lambda's CPU share, plus
    the latency of each AWS call it makes."""
    waiting = sum(calls.values()) * AWS_CALL_MS["dynamodb"]
    waiting += sum(n * AWS_CALL_MS.get(service, 20) for service, ops in other_calls.items() for n in ops.values())
    return app_ms * CPU_FACTOR + waiting


class Bill:
    def __init__(self):
        self.rru = self.wru = 0.0
        self.invocations = self.api_requests = self.gb_seconds = 0.0
        self.emails = self.s3_puts = self.events = self.sqs_requests = 0.0
        self.lines: list[dict] = []   # what each route and job adds
        self.unmeasured: list[str] = []

    def add(self, name: str, volume: float, calls: dict, units_per_call: dict, other_calls: dict,
            app_ms: float, api: bool) -> None:
        read, write = ddb_units(calls, units_per_call)
        ms = lambda_ms(app_ms, calls, other_calls)
        self.rru += volume * read
        self.wru += volume * write
        self.invocations += volume
        self.api_requests += volume if api else 0
        self.gb_seconds += volume * ms / 1000 * LAMBDA_MEMORY_MB / 1024
        self.emails += volume * sum(other_calls.get("ses", {}).values())
        self.s3_puts += volume * sum(n for op, n in other_calls.get("s3", {}).items() if op.startswith("Put"))
        self.events += volume * other_calls.get("events", {}).get("PutEvents", 0)
        self.lines.append({"name": name, "volume": round(volume, 1), "rru": round(volume * read),
                           "wru": round(volume * write), "lambda_ms": round(ms, 1)})


def monthly_cost(routes: dict, jobs: dict, pdf_bytes: int, init_ms: float, bytes_per_account: int,
                 pix: dict | None = None, metrics: dict | None = None,
                 service_invoices: dict | None = None) -> dict:
    """The month's AWS bill, per service, from the route, job and Pix Automático benchmarks' results."""
    bill = Bill()
    _add_pix_automatico(bill, pix)
    _add_metrics_consumer(bill, metrics)
    nfse_gb = _add_service_invoices(bill, service_invoices)
    measured_routes = {r["route"]: r for r in routes.get("detail", []) if not r.get("unmeasured")}
    for route, volume in ROUTE_USAGE.items():
        found = measured_routes.get(route)
        if found is None:
            bill.unmeasured.append(f"route {route} ({volume:,.0f} requests a month): "
                                   + ("not in the route table yet" if route not in _all_routes(routes) else "unmeasured"))
            continue
        bill.add(route, volume, found.get("calls", {}), found.get("units_per_call", {}),
                 found.get("other_calls", {}), found.get("app_ms", 0.0), api=True)
    job_detail = jobs.get("detail", {})
    for job, (runs, items) in JOB_USAGE.items():
        found = job_detail.get(job, {}).get("small")
        if found is None:
            bill.unmeasured.append(f"job {job} ({items:,.0f} items a month): not registered yet")
            continue
        bill.add(f"{job} runs", runs, found["empty_run_calls"], found.get("empty_run_units_per_call", {}),
                 found.get("empty_run_other_calls", {}), found.get("empty_run_app_ms", 0.0), api=False)
        bill.events += runs  # the schedule's trigger
        if "per_item_calls" not in found:
            bill.unmeasured.append(f"job {job} ({items:,.0f} items a month): no work recipe, per-item cost unmeasured")
            continue
        bill.add(f"{job} items", items, found["per_item_calls"], found.get("work_units_per_call", {}),
                 found.get("per_item_other_calls", {}), found.get("per_item_app_ms", 0.0), api=False)
        bill.sqs_requests += items * SQS_REQUESTS_PER_WORK_ITEM
    cold_starts = bill.invocations * COLD_START_SHARE
    bill.gb_seconds += cold_starts * init_ms * CPU_FACTOR / 1000 * LAMBDA_MEMORY_MB / 1024
    pdf_gb = INVOICES * PDF_RETENTION_MONTHS * pdf_bytes / 1024 ** 3
    table_gb = ACCOUNTS * bytes_per_account / 1024 ** 3
    usd = {
        "dynamodb requests": bill.rru / 1e6 * DYNAMODB_READ_PER_MILLION + bill.wru / 1e6 * DYNAMODB_WRITE_PER_MILLION,
        "dynamodb storage": table_gb * DYNAMODB_STORAGE_GB_MONTH,
        "lambda": bill.gb_seconds * LAMBDA_GB_SECOND + bill.invocations / 1e6 * LAMBDA_PER_MILLION_REQUESTS,
        "api gateway": bill.api_requests / 1e6 * APIGW_REST_PER_MILLION,
        "s3 (boleto PDFs kept 5 years, writes)": pdf_gb * S3_STANDARD_GB_MONTH + bill.s3_puts / 1e3 * S3_PUT_PER_THOUSAND,
        "s3 (NFS-e XML and DANFSe kept 5 years)": nfse_gb * S3_STANDARD_GB_MONTH,
        "ses": bill.emails / 1e3 * SES_PER_THOUSAND_EMAILS,
        "eventbridge": bill.events / 1e6 * EVENTBRIDGE_PER_MILLION_EVENTS,
        "sqs": bill.sqs_requests / 1e6 * SQS_PER_MILLION_REQUESTS,
    }
    total = sum(usd.values())
    fee_brl = SUBSCRIPTIONS * SUBSCRIPTION_PRICE_BRL * SAAS_FEE
    fee_usd = fee_brl / BRL_PER_USD
    return {
        "usd_per_month": round(total, 2),
        "brl_per_month": round(total * BRL_PER_USD, 2),
        "saas_fee_brl_per_month": round(fee_brl, 2),
        "saas_fee_to_aws_ratio": round(fee_usd / total, 1) if total else None,
        "by_service_usd": {k: round(v, 4) for k, v in usd.items()},
        "usage": {"read_units": round(bill.rru), "write_units": round(bill.wru),
                  "lambda_invocations": round(bill.invocations), "lambda_gb_seconds": round(bill.gb_seconds, 1),
                  "api_requests": round(bill.api_requests), "emails": round(bill.emails),
                  "s3_puts": round(bill.s3_puts), "events": round(bill.events), "pdf_gb": round(pdf_gb, 2),
                  "table_gb": round(table_gb, 3), "nfse_gb": round(nfse_gb, 2)},
        "lines": bill.lines,
        "unmeasured": bill.unmeasured,
    }


def _add_pix_automatico(bill: Bill, pix: dict | None) -> None:
    """The cycle charges the issue-invoices worker sends (what they add to issuing an invoice) and the
    PSP's notifications that settle them (bench/bench_pix_automatico.py). The PSP's own fee is the
    vendor's contract with its bank, not AWS, and stays out."""
    if pix is None:
        bill.unmeasured.append(f"Pix Automático ({PIX_CYCLE_CHARGES:,.0f} cycle charges a month): unmeasured")
        return
    added = {op: n for op, n in pix["charge_calls_by_operation"].items() if n > 0}
    bill.add("pix automático cycle charges", PIX_CYCLE_CHARGES, added, {}, {}, 0.0, api=False)
    bill.add("POST /v1/webhooks/pix", PIX_CYCLE_CHARGES, pix["settle_calls_by_operation"], {},
             pix.get("settle_other_calls", {}), pix.get("settle_app_ms", 0.0), api=True)


def _add_metrics_consumer(bill: Bill, metrics: dict | None) -> None:
    """The metrics consumer: each event of METRICS_EVENTS is one invocation, its calls and request
    units as bench/bench_metrics.py counted them for that kind of event."""
    if metrics is None:
        bill.unmeasured.append(f"metrics consumer ({sum(METRICS_EVENTS.values()):,.0f} events a month): unmeasured")
        return
    by_type = metrics["detail"]["by_type"]
    for kind, volume in METRICS_EVENTS.items():
        figures = by_type[kind]
        calls = sum(figures["calls"].values())
        per_call = {op: {"rru": figures["units"]["read"] / calls, "wru": figures["units"]["write"] / calls}
                    for op in figures["calls"]}
        bill.add(f"metrics consumer: {kind}", volume, figures["calls"], per_call, {}, figures["app_ms"], api=False)


def _add_service_invoices(bill: Bill, nfse: dict | None) -> float:
    """One NFS-e per paid invoice, issued by the worker Lambda from the work item the payment sends
    (SQS), at the calls, AWS calls and own time bench/bench_service_invoices.py measured per NFS-e,
    plus each SEFIN request's assumed wait (SEFIN_REQUEST_MS: the benchmark's SEFIN is the local fake);
    the hourly job's runs at its measured cost with nothing pending. Returns the GB the XML and DANFSe
    of NFSE_RETENTION_MONTHS of NFS-e keep in S3."""
    if nfse is None:
        bill.unmeasured.append(f"NFS-e ({SERVICE_INVOICES:,.0f} issued a month): unmeasured")
        return 0.0
    detail = nfse["detail"]
    bill.add("issue-service-invoices runs", SERVICE_INVOICE_JOB_RUNS, nfse["empty_run_calls"],
             detail.get("empty_run_units_per_call", {}), {}, detail.get("empty_run_app_ms", 0.0), api=False)
    bill.events += SERVICE_INVOICE_JOB_RUNS  # the schedule's trigger
    bill.add("NFS-e issued", SERVICE_INVOICES, nfse["calls_by_operation"], detail.get("units_per_call", {}),
             nfse["other_calls_per_nfse"], nfse["app_ms"], api=False)
    waiting = sum(nfse["sefin_requests_per_nfse"].values()) * SEFIN_REQUEST_MS
    bill.gb_seconds += SERVICE_INVOICES * waiting / 1000 * LAMBDA_MEMORY_MB / 1024
    bill.lines[-1]["lambda_ms"] = round(bill.lines[-1]["lambda_ms"] + waiting, 1)
    bill.sqs_requests += SERVICE_INVOICES * SQS_REQUESTS_PER_WORK_ITEM
    return SERVICE_INVOICES * NFSE_RETENTION_MONTHS * (detail["xml_bytes"] + detail["pdf_bytes"]) / 1024 ** 3


def _all_routes(routes: dict) -> set[str]:
    return {r["route"] for r in routes.get("detail", [])}


# --- inputs -------------------------------------------------------------------------------------

def _latest(module_name: str) -> dict | None:
    """This run's result of a benchmark module, else the newest one in bench/results."""
    import importlib

    module = importlib.import_module(module_name)
    if getattr(module, "LAST", None):
        return module.LAST
    from bench.__main__ import BENCHMARKS

    title = next(t for t, m in BENCHMARKS if m == module_name)
    for path in sorted(RESULTS.glob("bench-*.json"), reverse=True):
        result = json.loads(path.read_text()).get(title)
        if result and result.get("detail"):
            return result
    return None


def pdf_size() -> int:
    from bench.bench_boleto import pdf

    return len(pdf(0))


def init_ms(runs: int = 3) -> float:
    from bench.cold_import import _import_seconds

    return statistics.median(_import_seconds("import app") for _ in range(runs)) * 1000


def measure(verbose: bool = True) -> dict:
    routes = _latest("bench.bench_routes")
    if routes is None:
        from bench import bench_routes

        routes = bench_routes.measure(verbose=False)
    jobs = _latest("bench.bench_jobs")
    if jobs is None:
        from bench import bench_jobs

        jobs = bench_jobs.measure(verbose=False)
    bytes_per_account = (jobs.get("seeding") or {}).get("bytes_per_account", 0)
    pix = _latest("bench.bench_pix_automatico")
    if pix is None:
        from bench import bench_pix_automatico

        pix = bench_pix_automatico.measure()
    metrics = _latest("bench.bench_metrics")
    if metrics is None:
        from bench import bench_metrics

        metrics = bench_metrics.measure()
    service_invoices = _latest("bench.bench_service_invoices")
    if service_invoices is None:
        from bench import bench_service_invoices

        service_invoices = bench_service_invoices.measure()
    result = monthly_cost(routes, jobs, pdf_size(), init_ms(), bytes_per_account, pix, metrics, service_invoices)
    summary = {"usd_per_month": result["usd_per_month"], "brl_per_month": result["brl_per_month"],
               "saas_fee_brl_per_month": result["saas_fee_brl_per_month"],
               "saas_fee_to_aws_ratio": result["saas_fee_to_aws_ratio"],
               "unmeasured": len(result["unmeasured"]), "prices": f"{REGION} {PRICES_AS_OF}", "detail": result}
    if verbose:
        print_bill(result)
    return summary


def print_bill(result: dict) -> None:
    print(f"\nAWS on demand, {REGION}, prices of {PRICES_AS_OF}: {SUBSCRIPTIONS:,} subscriptions "
          f"({ACCOUNTS:,} accounts), one month; Lambda {LAMBDA_MEMORY_MB} MB")
    for service, usd in result["by_service_usd"].items():
        print(f"  {service:<40} US$ {usd:>10.2f}")
    print(f"  {'total':<40} US$ {result['usd_per_month']:>10.2f}   (R$ {result['brl_per_month']:,.2f} "
          f"at R$ {BRL_PER_USD}/US$)")
    print(f"  billing SaaS at {SAAS_FEE:.1%} of R$ {SUBSCRIPTIONS * SUBSCRIPTION_PRICE_BRL:,.0f} billed: "
          f"R$ {result['saas_fee_brl_per_month']:,.2f} -> {result['saas_fee_to_aws_ratio']}x the AWS bill")
    usage = result["usage"]
    print(f"  usage: {usage['read_units']:,} RRU, {usage['write_units']:,} WRU, {usage['lambda_invocations']:,} "
          f"invocations, {usage['lambda_gb_seconds']:,} GB-s, {usage['emails']:,} e-mails, {usage['pdf_gb']} GB of PDFs")
    if result["unmeasured"]:
        print("  not in the total (unmeasured):")
        for line in result["unmeasured"]:
            print(f"    - {line}")
    print()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--ddb-local", action="store_true")
    args = parser.parse_args(argv)
    backend.configure(ddb_local=args.ddb_local, quick=args.quick)
    measure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
