"""NFS-e: what issuing one costs (and cancelling one), per NFS-e, through the real adapter.

Each invoice is paid through the routes (an account with billing data, a monthly subscription,
`POST /v1/_dev/gateway/pay`), which leaves its NFS-e pending on the work list; then the
issue-service-invoices job runs (`run_job`, what `POST /v1/_dev/jobs/issue-service-invoices` calls).
Each NFS-e the run handles is measured on its own (the issuer's `process`, as the run calls it):

- `calls_per_nfse`: DynamoDB calls by operation and their request units, target CALLS_PER_NFSE_TARGET
  (the item read and leased, the DPS number, the item written before the send, the issued item and its
  audit entry, the invoice and the account for the DPS, the invoice, the account and its owner for the
  e-mail, the item taken off the list);
- `sefin_requests_per_nfse`: HTTP requests to the SEFIN by method and path: exactly SEFIN_POSTS_PER_NFSE
  `POST /nfse` and nothing else on the happy path;
- `other_calls_per_nfse`: the authorised XML and the DANFSe put on S3, the domain event, the e-mail;
- the time of one NFS-e, split into the app's own work (`app_ms`: the DPS built and checked against the
  layout's XSD, its XMLDSig signature, the DANFSe rendered, and the rest: PynamoDB, the e-mail) and
  waiting (`wait_ms`: on the SEFIN, on AWS calls).

The SEFIN here is this process's embedded fake SEFIN (fake_sefin.py, the local stage's wiring) over
mutual TLS: its answer time (it checks the XSD and the signature, then generates and signs the NFS-e,
in a thread of this process) is what `wait_ms.sefin` shows, not the real SEFIN's latency, which this
benchmark cannot measure. bench/cost.py bills the wait with an assumed SEFIN latency per request.

Also measured: the job's fixed cost when nothing is pending (`empty_run_calls`: one Query per shard of
the work list), whether one NFS-e makes the same calls when the tables hold 5x as many NFS-e (no Scan),
and a refund's cancellation (one NFS-e cancelled by the job: the e101101 event at the SEFIN).

Run: .venv/bin/python -m bench.bench_service_invoices [--quick]   (or `make bench`)
"""
import re
import statistics
import time
from collections import Counter
from contextlib import contextmanager
from urllib.parse import urlparse

from bench import backend, call_counter
from bench.world import World, new_id, open_world, quiet_app, subscribed_account

JOB = "issue-service-invoices"
CALLS_PER_NFSE_TARGET = 12      # DynamoDB calls to issue one NFS-e (docs/service-invoices.md "Custo")
SEFIN_POSTS_PER_NFSE = 1        # exactly one `POST /nfse` per NFS-e issued, no other SEFIN request
EMPTY_RUN_CALLS_TARGET = 8      # a run with nothing pending: one Query per shard of the work list
CANCEL_CALLS_TARGET = 4         # cancelling one after a full refund: the item read and leased, cancelled
                                # with its audit entry (one transaction), taken off the list
GROWTH = 5                      # the large table holds this many times the small one's NFS-e
LAST: dict | None = None  # this run's result, for bench/cost.py


def measure() -> dict:
    global LAST
    # Kept small: on moto every TransactWriteItems deep-copies the table, and moto 5.2.5 keeps those
    # copies (memory and time grow with the square of the accounts: about 1 GB at 40 accounts).
    batch = 3 if backend.quick() else 10
    with open_world() as world, quiet_app():
        # Fresh tables number DPS from 1 again: the process's fake SEFIN forgets what an earlier world
        # sent it, or it would answer those numbers as already processed (E0014).
        world.services.service_invoice_authority.fake_control("POST", "/reset")
        small_paid = [_paid_invoice(world) for _ in range(batch)]
        small = _run(world)
        empty_small = _run(world)
        for _ in range(batch * (GROWTH - 2)):  # the large run's table: GROWTH x the small run's NFS-e
            _paid_invoice(world)
        _run(world)  # the history grows: issued NFS-e stay in the table, off the work list
        large_paid = [_paid_invoice(world) for _ in range(batch)]
        large = _run(world)
        empty_large = _run(world)
        sizes = _file_sizes(world, small_paid[0])
        cancelled = _cancel(world, large_paid[0])
    items = small["items"] + large["items"]
    issued = [item for item in items if item["outcome"] == "issued"]
    per_nfse = max(issued, key=lambda item: item["total"]) if issued else None
    result = {
        "backend": backend.name(),
        "issued": len(issued),
        "calls_per_nfse": per_nfse["total"] if per_nfse else None,
        "calls_per_nfse_target": CALLS_PER_NFSE_TARGET,
        "calls_by_operation": per_nfse["calls"] if per_nfse else {},
        "units_per_nfse": per_nfse["units"] if per_nfse else {},
        "sefin_requests_per_nfse": _max_requests(issued),
        "other_calls_per_nfse": per_nfse["other"] if per_nfse else {},
        "nfse_ms": _median(issued, "ms"),
        "app_ms": _median(issued, "app_ms"),
        "app_split_ms": {part: _median(issued, part) for part in ("dps_ms", "signature_ms", "danfse_ms", "rest_ms")},
        "wait_ms": {"sefin": _median(issued, "sefin_ms"), "aws": _median(issued, "aws_ms")},
        "empty_run_calls": empty_large["calls"],
        "same_calls_at_5x": _same_calls(small["items"], large["items"]),
        "cancel_calls": cancelled["total"],
        "cancel_calls_by_operation": cancelled["calls"],
        "cancel_sefin_requests": dict(cancelled["sefin"]),
        "cancel_other_calls": cancelled["other"],
        "cancel_app_ms": round(cancelled["app_ms"], 2),
        "scans": sum(run["scans"] for run in (small, empty_small, large, empty_large)) + cancelled["scans"],
        "detail": {
            "nfse_per_run": batch, "nfse_in_tables": {"small": batch, "large": batch * GROWTH},
            "units_per_call": per_nfse["units_per_call"] if per_nfse else {},
            "calls_at_each_size": {"small": _by_operation(small["items"]), "large": _by_operation(large["items"])},
            "empty_run_calls": {"small": empty_small["calls"], "large": empty_large["calls"]},
            "empty_run_units_per_call": empty_large["units_per_call"],
            "empty_run_app_ms": round(empty_large["app_ms"], 2),
            "run_fixed_calls": {"small": small["fixed_calls"], "large": large["fixed_calls"]},
            "xml_bytes": sizes["xml"], "pdf_bytes": sizes["pdf"],
            "first_nfse_ms": round(small["items"][0]["ms"], 1),  # this process's first: XSD compile, TLS, fonts
            "cancel_units_per_call": cancelled["units_per_call"],
            "cancel_wait_ms": {"sefin": round(cancelled["sefin_ms"], 2), "aws": round(cancelled["aws_ms"], 2)},
        },
    }
    result["failures"] = _failures(result, small, large, batch)
    LAST = result
    return result


def _failures(result: dict, small: dict, large: dict, batch: int) -> list[str]:
    failures = []
    for name, run in (("small", small), ("large", large)):
        outcomes = Counter(item["outcome"] for item in run["items"])
        if outcomes != Counter({"issued": batch}):
            failures.append(f"the {name} run handled {dict(outcomes)}, expected {batch} issued")
    if result["calls_per_nfse"] is None or result["calls_per_nfse"] > CALLS_PER_NFSE_TARGET:
        failures.append(f"one NFS-e took {result['calls_per_nfse']} DynamoDB calls (target {CALLS_PER_NFSE_TARGET})")
    if result["sefin_requests_per_nfse"] != {"POST /nfse": SEFIN_POSTS_PER_NFSE}:
        failures.append(f"SEFIN requests per NFS-e: {result['sefin_requests_per_nfse']} "
                        f"(expected exactly {SEFIN_POSTS_PER_NFSE} POST /nfse)")
    if sum(result["empty_run_calls"].values()) > EMPTY_RUN_CALLS_TARGET:
        failures.append(f"a run with nothing pending took {result['empty_run_calls']} "
                        f"(target {EMPTY_RUN_CALLS_TARGET} calls)")
    if not result["same_calls_at_5x"]:
        failures.append(f"one NFS-e's calls differ with {GROWTH}x the NFS-e in the table: "
                        f"{result['detail']['calls_at_each_size']}")
    if result["cancel_calls"] > CANCEL_CALLS_TARGET:
        failures.append(f"cancelling an NFS-e took {result['cancel_calls']} DynamoDB calls "
                        f"(target {CANCEL_CALLS_TARGET})")
    if result["cancel_sefin_requests"] != {"POST /nfse/{chaveAcesso}/eventos": 1}:
        failures.append(f"SEFIN requests to cancel an NFS-e: {result['cancel_sefin_requests']} "
                        "(expected the one cancellation event)")
    if result["scans"]:
        failures.append("a Scan ran")
    return failures


# --- seeding through the routes -------------------------------------------------------------------

def _paid_invoice(world: World) -> dict:
    """An account whose first invoice is paid: its NFS-e pending on the work list."""
    return subscribed_account(world, paid=True)


# --- the job's runs ---------------------------------------------------------------------------

def _run(world: World) -> dict:
    """One run of the job, as its route runs it, with each NFS-e it handles measured on its own."""
    from chalicelib.jobs.registry import run_job

    services = world.services
    with _probe(world) as probe, _each_item(services.service_invoice_issuer, probe) as items, \
            call_counter.counting() as calls:
        started = time.perf_counter()
        summary = run_job(JOB, services, services.clock.today())
        seconds = time.perf_counter() - started
    if summary["processed"] != len(items):
        raise RuntimeError(f"the run processed {summary['processed']} NFS-e, {len(items)} measured")
    fixed = Counter(calls.dynamodb())
    for item in items:
        fixed.subtract(item["calls"])
    return {"items": items, "calls": calls.dynamodb(), "scans": len(calls.scans),
            "fixed_calls": {op: n for op, n in sorted(fixed.items()) if n},
            "units_per_call": calls.units_per_call(),
            "app_ms": (seconds - calls.aws_ms / 1000) * 1000 - sum(item["ms"] for item in items)}


@contextmanager
def _each_item(issuer, probe: "_Probe"):
    """The issuer's `process` (what the run calls for each NFS-e due) measured call by call."""
    items: list[dict] = []
    original = issuer.process

    def process(account_id: str, invoice_id: str) -> str:
        before = probe.snapshot()
        with call_counter.counting() as calls:
            started = time.perf_counter()
            outcome = original(account_id, invoice_id)
            seconds = time.perf_counter() - started
        items.append(_item(outcome, calls, probe.since(before), seconds))
        return outcome

    issuer.process = process
    try:
        yield items
    finally:
        del issuer.process


def _item(outcome: str, calls, probed: dict, seconds: float) -> dict:
    ms = seconds * 1000
    app_ms = ms - calls.aws_ms - probed["sefin_ms"]
    return {"outcome": outcome, "calls": calls.dynamodb(), "total": calls.total("dynamodb"),
            "units": calls.units(), "units_per_call": calls.units_per_call(), "scans": len(calls.scans),
            "other": {service: calls.service(service) for service in ("s3", "events", "ses", "sqs")
                      if calls.service(service)},
            "sefin": probed["requests"], "ms": ms, "aws_ms": calls.aws_ms, "sefin_ms": probed["sefin_ms"],
            "app_ms": app_ms, "dps_ms": probed["dps_ms"], "signature_ms": probed["signature_ms"],
            "danfse_ms": probed["danfse_ms"],
            "rest_ms": app_ms - probed["dps_ms"] - probed["signature_ms"] - probed["danfse_ms"]}


# --- a refund's cancellation ----------------------------------------------------------------------

def _cancel(world: World, paid: dict) -> dict:
    """The invoice's payment refunded in full by the finance team (the route); the next run cancels
    its NFS-e at the SEFIN (the e101101 event)."""
    api = world.api
    staff = api.token(new_id("usr"), groups=("finance",))
    account_id = paid["account_id"]
    [payment] = api.ok("GET", f"/v1/accounts/{account_id}/payments", paid["owner"])["items"]
    api.ok("POST", f"/v1/admin/accounts/{account_id}/payments/{payment['id']}/refund", staff,
           {"reason": "Cliente desistiu da compra"})
    run = _run(world)
    [item] = run["items"]
    if item["outcome"] != "cancelled":
        raise RuntimeError(f"the refund's run answered {item['outcome']}, expected cancelled")
    return {**item, "scans": run["scans"]}


# --- what the app waits on and works on ----------------------------------------------------------

class _Probe:
    """Accumulates, while installed, the HTTP requests sent to the SEFIN (by method and path, the
    access key and DPS id written as placeholders) and the time spent waiting on them, and the time
    of the app's own heavy steps: the DPS built and checked against the XSD, its signature (and a
    cancellation's), the DANFSe rendered."""

    def __init__(self, base_path: str):
        self.base_path = base_path
        self.requests: Counter = Counter()
        self.totals = {"sefin_ms": 0.0, "dps_ms": 0.0, "signature_ms": 0.0, "danfse_ms": 0.0}

    def path(self, url: str) -> str:
        path = urlparse(url).path
        if path.startswith(self.base_path):
            path = path[len(self.base_path):]
        path = re.sub(r"/\d{50}(?=/|$)", "/{chaveAcesso}", path)
        return re.sub(r"/DPS\d+(?=/|$)", "/{id}", path)

    def snapshot(self) -> dict:
        return {"requests": Counter(self.requests), **self.totals}

    def since(self, before: dict) -> dict:
        requests = Counter(self.requests)
        requests.subtract(before["requests"])
        return {"requests": {key: n for key, n in sorted(requests.items()) if n},
                **{name: total - before[name] for name, total in self.totals.items()}}


@contextmanager
def _probe(world: World):
    import requests

    from chalicelib.adapters.pdf import danfse_pdf
    from chalicelib.adapters.service_invoices import sefin

    authority = world.services.service_invoice_authority
    probe = _Probe(urlparse(authority.base_url).path.rstrip("/"))

    def timed(name: str, function):
        def call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                probe.totals[name] += (time.perf_counter() - started) * 1000
        return call

    originals = {"request": requests.Session.request, "sign": sefin.SefinNacional.sign,
                 "sign_dps": sefin.sign_dps, "sign_event_request": sefin.sign_event_request,
                 "render_danfse": danfse_pdf.render_danfse}
    send = timed("sefin_ms", originals["request"])

    def request(self, method, url, *args, **kwargs):
        probe.requests[f"{method.upper()} {probe.path(url)}"] += 1
        return send(self, method, url, *args, **kwargs)

    timed_signature = timed("signature_ms", originals["sign_dps"])

    def sign(self, dps):
        """The DPS built and validated (what is left of `sign` once its signature is taken out)."""
        started, signing_before = time.perf_counter(), probe.totals["signature_ms"]
        try:
            return originals["sign"](self, dps)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            probe.totals["dps_ms"] += elapsed - (probe.totals["signature_ms"] - signing_before)

    requests.Session.request = request
    sefin.SefinNacional.sign = sign
    sefin.sign_dps = timed_signature
    sefin.sign_event_request = timed("signature_ms", originals["sign_event_request"])
    danfse_pdf.render_danfse = timed("danfse_ms", originals["render_danfse"])
    try:
        yield probe
    finally:
        requests.Session.request = originals["request"]
        sefin.SefinNacional.sign = originals["sign"]
        sefin.sign_dps = originals["sign_dps"]
        sefin.sign_event_request = originals["sign_event_request"]
        danfse_pdf.render_danfse = originals["render_danfse"]


# --- figures ---------------------------------------------------------------------------------------

def _file_sizes(world: World, paid: dict) -> dict:
    """The bytes of one NFS-e's authorised XML and DANFSe in the bucket (read back, not counted)."""
    item = world.services.service_invoice_repository.get(paid["account_id"], paid["invoice_id"])
    files = world.services.files
    return {"xml": len(files.get(item.xml_key)), "pdf": len(files.get(item.pdf_key)) if item.pdf_key else 0}


def _median(items: list[dict], key: str) -> float | None:
    return round(statistics.median(item[key] for item in items), 2) if items else None


def _max_requests(items: list[dict]) -> dict:
    """Each SEFIN request's largest count in one NFS-e."""
    worst: dict[str, int] = {}
    for item in items:
        for request, n in item["sefin"].items():
            worst[request] = max(worst.get(request, 0), n)
    return dict(sorted(worst.items()))


def _by_operation(items: list[dict]) -> list[dict]:
    """The distinct DynamoDB calls by operation of the NFS-e of one run."""
    distinct: list[dict] = []
    for item in items:
        if item["calls"] not in distinct:
            distinct.append(item["calls"])
    return distinct


def _same_calls(small: list[dict], large: list[dict]) -> bool:
    return bool(small) and bool(large) and _by_operation(small) == _by_operation(large) and \
        len(_by_operation(small)) == 1


if __name__ == "__main__":
    raise SystemExit(backend.run_alone(measure, __doc__))
