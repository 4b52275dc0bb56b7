"""DynamoDB calls per API operation, for every route in the route table (`routing.ENDPOINTS`).

Each route is called in-process through Chalice's test client against an account seeded through the
API (members, subscriptions with their invoices, requests, a backup, usage) beside cloned
background accounts. Every AWS call is counted (bench/call_counter.py). A Scan anywhere fails the
benchmark; so does a route over its call budget (ROUTE_TARGETS).

Routes are discovered at run time: a new route is walked by itself. A route whose body or path
parameter the tables below do not know is reported "unmeasured", never skipped silently.

Run: .venv/bin/python -m bench.bench_routes [--quick] [--ddb-local]
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import backend

ACCOUNT = "/v1/accounts/{account_id}"
SUBSCRIPTION = ACCOUNT + "/subscriptions/{subscription_id}"
LICENSES = ACCOUNT + "/batches/{subscription_id}/licenses"
LICENSE = LICENSES + "/{license_id}"

@dataclass
class Raw:
    """A body sent as bytes, with the headers that authenticate it (webhooks)."""
    data: bytes
    headers: dict


def _stripe_event(world, n):
    from chalicelib.adapters.gateways.fake import stripe_payment_succeeded, stripe_signature_header

    data = stripe_payment_succeeded(world.ids["invoice_id"], world.ids["account_id"], 100)
    return Raw(data, {"Stripe-Signature": stripe_signature_header(data, world.services.settings.stripe_webhook_secret)})


def _asaas_event(world, n):
    from chalicelib.adapters.gateways.asaas import external_reference
    from chalicelib.adapters.gateways.fake import asaas_payment_received

    # As our Asaas charges carry it: externalReference names the account and the invoice.
    reference = external_reference(world.ids["account_id"], world.ids["invoice_id"])
    return Raw(asaas_payment_received(reference, 100, "PIX"),
               {"asaas-access-token": world.services.settings.asaas_webhook_token})


REFERENCE_RETURN = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cnab" / "CNAB240SANTANDER.RET"


def _bank_return(world, n):
    """A real bank's CNAB 240 return (the shared reference files, beside the repository)."""
    return Raw(REFERENCE_RETURN.read_bytes(), {"Content-Type": "application/octet-stream"})


def _email() -> str:
    from bench.world import letters_email

    return letters_email()


# Minimal valid bodies, by route. A callable gets (world, n) — n numbers the repeats, so bodies that
# create something stay unique.
ROUTE_BODIES = {
    "PUT /v1/_dev/clock": lambda world, n: {"now": world.now.isoformat()},
    "POST /v1/accounts": {"name": "Conta nova"},
    f"POST {ACCOUNT}/backups": lambda world, n: {"run_at": world.now.replace(minute=31 + n % 29).isoformat()},
    f"PUT {ACCOUNT}/billing-data": "VALID_BILLING_DATA",
    f"PUT {ACCOUNT}/billing-settings": {"due_day": 15},
    f"PUT {ACCOUNT}/card": "VALID_CARD",
    f"POST {ACCOUNT}/members": lambda world, n: {"email": _email(), "role": "member"},
    f"PATCH {ACCOUNT}/members/{{user_id}}": {"role": "finance"},
    f"POST {ACCOUNT}/requests": {"type": "nota_fiscal", "text": "Preciso da nota fiscal de novembro."},
    f"POST {ACCOUNT}/requests/{{request_id}}/messages": {"text": "Segue o CNPJ correto."},
    f"POST {ACCOUNT}/subscriptions": {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                                      "payment_method": "card"},
    f"POST {SUBSCRIPTION}/changes/preview": lambda world, n: {"quantity": 40 + n},
    f"POST {SUBSCRIPTION}/changes": lambda world, n: {"quantity": 4 + n},
    f"PUT {SUBSCRIPTION}/payment-method": {"payment_method": "card"},
    f"PUT {SUBSCRIPTION}/renewal": {"renewal_mode": "active_only"},
    "POST /v1/admin/accounts/{account_id}/credits": {"amount_cents": 1000, "reason": "Cortesia de benchmark"},
    "POST /v1/admin/requests/{request_id}/messages": {"text": "Nota emitida.", "close": False},
    "PUT /v1/internal/accounts/{account_id}/usage": {"storage_used_bytes": 5 * 2 ** 30},
    # Payments: R$ 1,00 at a time, so the invoice stays open for every repeat; each event is new.
    "POST /v1/_dev/gateway/pay": lambda world, n: {"invoice_id": world.ids["invoice_id"], "method": "card",
                                                   "amount_cents": 100},
    "POST /v1/webhooks/stripe": _stripe_event,
    "POST /v1/webhooks/asaas": _asaas_event,
    "POST /v1/admin/accounts/{account_id}/payments/{payment_id}/refund": {"reason": "Cobrança em duplicidade"},
    "POST /v1/admin/bank-returns": _bank_return,
    f"POST {SUBSCRIPTION}/cancel": {"reason": "Encerramos o uso do produto."},
    # Partner batch: each assign or substitute makes a new client account, owned by a new person.
    f"POST {LICENSE}/assign": lambda world, n: {"name": f"Cliente do parceiro {n}", "owner_email": _email()},
    f"POST {LICENSE}/substitute": lambda world, n: {"name": f"Cliente substituto {n}", "owner_email": _email()},
    f"POST {LICENSE}/cancel": {"reason": "O cliente encerrou o contrato com o escritório."},
}


def _batch_route(licenses: str | None = None):
    """The partner batch's routes act on the partner's account (prepare's `_partner_batch`), with its
    owner's token. `licenses` names the list of license ids the route takes one per repeat, so a
    repeat never finds its license already assigned, transferred or cancelled by the one before."""
    def params(world, n):
        partner = world.ids["partner"]
        ids = {"account_id": partner["account_id"], "subscription_id": partner["batch_id"]}
        if licenses:
            pool = partner["licenses"][licenses]
            ids["license_id"] = pool[0] if licenses == "substitute" else pool[n] if n < len(pool) else None
        return ids, "partner"
    return params


# Routes whose path parameters (and token) are not the walk's account's: (world, n) -> (ids, token role).
ROUTE_PARAMS = {
    f"GET {LICENSES}": _batch_route(),
    f"POST {LICENSE}/assign": _batch_route("assign"),        # a free license each repeat
    f"POST {LICENSE}/substitute": _batch_route("substitute"),  # the same assigned license, a new client each time
    f"POST {LICENSE}/transfer": _batch_route("transfer"),    # an assigned license each repeat
    f"POST {LICENSE}/cancel": _batch_route("cancel"),        # an assigned license each repeat
}

# DynamoDB call budgets of single routes, from the product's requirements.
ROUTE_TARGETS = {
    f"GET {SUBSCRIPTION}": 2,          # Meu Plano, one item-collection query (+ catalog in memory)
    f"POST {SUBSCRIPTION}/changes": 4,  # a plan change
    "POST /v1/webhooks/stripe": 4,      # settling one webhook: dedupe, read, one transaction
    "POST /v1/webhooks/asaas": 4,
}

# Software licenses (docs/licensing.md): the program's calls on the keys of the walk's Promob Studio
# subscription (2 seats, 2 machines per key). The first key's machine is activated, then checked in,
# repeat after repeat; on the second key each repeat frees a machine its body builder activated.
def _license_keys(world) -> list[dict]:
    if "license_keys" not in world.ids:
        path = f"/v1/accounts/{world.ids['account_id']}/licenses"
        world.ids["license_keys"] = world.api.ok("GET", path, world.tokens["owner"])["items"]
    return world.ids["license_keys"]


def _license_call(key_index: int, fingerprint: str, activate_first: bool = False, with_key: bool = True):
    def body(world, n):
        key = _license_keys(world)[key_index]["key"]
        machine = fingerprint.format(n=n)
        if activate_first:
            world.api.ok("POST", "/v1/licenses/activate", None,
                         {"license_key": key, "fingerprint": machine, "machine_name": f"Bench {n}"})
        return {"license_key": key, "fingerprint": machine} if with_key else {"fingerprint": machine}
    return body


ROUTE_BODIES.update({
    "POST /v1/licenses/activate": lambda world, n: {**_license_call(0, "bench-machine")(world, n),
                                                    "machine_name": "Estação de benchmark"},
    "POST /v1/licenses/validate": _license_call(0, "bench-machine"),
    "POST /v1/licenses/deactivate": _license_call(1, "bench-off-{n}", activate_first=True),
    f"POST {ACCOUNT}/licenses/{{license_id}}/deactivate": _license_call(1, "bench-portal-{n}", activate_first=True,
                                                                        with_key=False),
})
ROUTE_PARAMS[f"POST {ACCOUNT}/licenses/{{license_id}}/deactivate"] = (
    lambda world, n: ({"license_id": _license_keys(world)[1]["id"]}, "owner"))
ROUTE_TARGETS.update({"POST /v1/licenses/activate": 3, "POST /v1/licenses/validate": 3})


# Pix Automático: the PSP's notification and the local payer's bank act on a recurrence made at the
# (fake) PSP for each repeat; the store does not know it, so each is one lookup ("unmatched").
def _pix_recurrence(world, n):
    rec = world.services.pix_psp.create_recurrence({
        "vinculo": {"contrato": f"bench-{n}", "devedor": {"cpf": "12345678909", "nome": "Bench"}},
        "calendario": {"dataInicial": "2027-01-01", "periodicidade": "MENSAL"},
        "valor": {"valorRec": "10.00"}, "politicaRetentativa": "PERMITE_3R_7D"})
    return {"rec_id": rec["idRec"]}, "owner"


def _pix_notification(world, n):
    import json as _json

    rec_id = _pix_recurrence(world, n)[0]["rec_id"]
    return Raw(_json.dumps({"recs": [{"idRec": rec_id, "status": "APROVADA"}]}).encode(),
               {"X-Webhook-Token": world.services.settings.pix_webhook_token, "Content-Type": "application/json"})


ROUTE_BODIES["POST /v1/webhooks/pix"] = _pix_notification
ROUTE_PARAMS.update({"POST /v1/_dev/pix-automatico/{rec_id}/approve": _pix_recurrence,
                     "POST /v1/_dev/pix-automatico/{rec_id}/reject": _pix_recurrence})


# Coupons (docs/promotions.md): the finance team creates a new code each repeat and deletes one made
# for that repeat (deleting an inactive coupon writes nothing). A subscription takes one coupon at a
# time, so each apply repeat acts on a new subscription of an account of its own (its owner's token),
# which keeps the walk's account as the other routes measure it.
COUPONS = "/v1/admin/coupons"
COUPON_TO_APPLY = "BENCH-APPLY"


def _new_coupon(world, code: str) -> str:
    world.api.ok("POST", COUPONS, world.tokens["finance_staff"],
                 {"code": code, "percent_off": 10, "duration": "repeating", "duration_months": 3})
    return code


def _coupon_to_delete(world, n):
    return {"code": _new_coupon(world, f"BENCH-DELETE-{n}")}, "owner"


def _subscription_for_coupon(world, n):
    """A new subscription, on an account made once for these repeats, and the coupon it takes."""
    from bench import world as w

    api = world.api
    if "coupon_account_id" not in world.ids:
        owner = api.token(w.new_id("usr"))
        account_id = api.ok("POST", "/v1/accounts", owner, {"name": "Conta com cupom"})["id"]
        base = f"/v1/accounts/{account_id}"
        api.ok("PUT", f"{base}/billing-data", owner, w.VALID_BILLING_DATA)
        api.ok("PUT", f"{base}/billing-settings", owner, {"due_day": 15})
        api.ok("PUT", f"{base}/card", owner, w.VALID_CARD)
        _new_coupon(world, COUPON_TO_APPLY)
        world.tokens["coupon_owner"], world.ids["coupon_account_id"] = owner, account_id
    account_id = world.ids["coupon_account_id"]
    subscription = api.ok("POST", f"/v1/accounts/{account_id}/subscriptions", world.tokens["coupon_owner"],
                          {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 1,
                           "payment_method": "card"})
    return {"account_id": account_id, "subscription_id": subscription["id"]}, "coupon_owner"


ROUTE_BODIES.update({
    f"POST {COUPONS}": lambda world, n: {"code": f"BENCH-NEW-{n}", "percent_off": 15, "duration": "once"},
    f"POST {SUBSCRIPTION}/coupon": {"code": COUPON_TO_APPLY},
})
ROUTE_PARAMS.update({f"DELETE {COUPONS}/{{code}}": _coupon_to_delete,
                     f"POST {SUBSCRIPTION}/coupon": _subscription_for_coupon})

# Reads first, deletions and cancellations last, so a route never finds its data removed by another.
_METHOD_ORDER = {"GET": 0, "PUT": 1, "PATCH": 1, "POST": 2, "DELETE": 3}


# Routes that end or take away what they act on: a license transferred out of the batch is, like a
# cancellation, as final as a deletion.
_FINAL_SUFFIXES = ("/cancel", "/transfer")


def _order(spec) -> tuple:
    last = spec.method == "DELETE" or spec.path.endswith(_FINAL_SUFFIXES)
    return (3 if last else _METHOD_ORDER.get(spec.method, 9), spec.path)


def route_id(spec) -> str:
    return f"{spec.method} {spec.path}"


@dataclass
class RouteResult:
    route: str
    access: str
    statuses: list[int] = field(default_factory=list)
    calls: dict = field(default_factory=dict)      # DynamoDB operation -> calls (the costliest repeat)
    units_per_call: dict = field(default_factory=dict)  # DynamoDB operation -> {"rru", "wru"} of one call
    dynamodb_calls: int = 0
    other_calls: dict = field(default_factory=dict)  # e.g. {"ses": {"SendEmail": 1}}
    rru: float = 0.0
    wru: float = 0.0
    scans: int = 0
    ms: float = 0.0      # median wall time of the handler, in-process (backend included)
    app_ms: float = 0.0  # the same without the time inside AWS calls: the app's own work
    unmeasured: str | None = None
    target: int | None = None
    error: str | None = None  # the error code of the last answer that was not 2xx

    @property
    def status(self) -> str:
        return "/".join(str(s) for s in sorted(set(self.statuses))) or "-"

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, {}, [])}
        data["status"] = self.status
        return data


def walk(world, specs, repeats: int = 3) -> list[RouteResult]:
    from bench.call_counter import counting

    results = []
    for spec in sorted(specs, key=_order):
        rid = route_id(spec)
        result = RouteResult(route=rid, access=spec.access.value, target=ROUTE_TARGETS.get(rid))
        results.append(result)
        timings, app_timings, heaviest = [], [], None
        for n in range(repeats):
            request = _request(world, spec, n)
            if isinstance(request, str):
                result.unmeasured = request
                break
            path, token, headers = request
            try:
                body = _body(world, spec, n)
            except Exception as exc:  # noqa: BLE001 — a body builder that no longer fits the code
                result.unmeasured = f"body builder failed: {type(exc).__name__}: {exc}"
                break
            raw = body if isinstance(body, Raw) else None
            with counting() as log:
                started = time.perf_counter()
                status, data = world.api.call(spec.method, path, token, None if raw else body,
                                              {**headers, **(raw.headers if raw else {})}, raw=raw.data if raw else None)
                elapsed = (time.perf_counter() - started) * 1000
            timings.append(elapsed)
            app_timings.append(max(elapsed - log.aws_ms, 0.0))
            result.statuses.append(status)
            if status >= 300:
                result.error = ((data or {}).get("error") or {}).get("code") or str(status)
            if heaviest is None or log.total() > heaviest.total():
                heaviest = log
        if heaviest is None:
            continue
        result.calls = heaviest.dynamodb()
        result.units_per_call = heaviest.units_per_call()
        result.dynamodb_calls = heaviest.total()
        result.other_calls = {svc: heaviest.service(svc) for svc in ("ses", "s3", "events", "sqs")
                              if heaviest.service(svc)}
        result.rru, result.wru = round(heaviest.read_units, 2), round(heaviest.write_units, 2)
        result.scans = len(heaviest.scans)
        result.ms = round(statistics.median(timings), 1)
        result.app_ms = round(statistics.median(app_timings), 1)
    return results


def _request(world, spec, n: int = 0):
    """(path, token, headers) for a route's repeat n, or why it cannot be called."""
    from chalicelib.api.access import Access

    ids, role = world.ids, "owner"
    if route_id(spec) in ROUTE_PARAMS:
        try:
            own, role = ROUTE_PARAMS[route_id(spec)](world, n)
        except Exception as exc:  # noqa: BLE001 — prepare could not make what the route acts on
            return f"path parameters: {type(exc).__name__}: {exc}"
        ids = {**ids, **own}
    missing = [p for p in spec.path_params if not ids.get(p)]
    if missing:
        return f"no value for path parameter {', '.join(missing)}" + (f" (repeat {n + 1})" if n else "")
    if spec.body is not None and route_id(spec) not in ROUTE_BODIES:
        return "no body in bench_routes.ROUTE_BODIES"
    if spec.raw_body and route_id(spec) not in ROUTE_BODIES:
        return "raw body (webhook, file): no body in bench_routes.ROUTE_BODIES"
    path = spec.path
    for name in spec.path_params:
        path = path.replace("{" + name + "}", ids[name])
    headers = {}
    token = None
    if spec.access is Access.INTERNAL:
        headers["X-Internal-Token"] = world.services.settings.internal_api_token
    elif spec.access is Access.FINANCE_STAFF:
        token = world.tokens["finance_staff"]
    elif spec.access not in (Access.PUBLIC, Access.WEBHOOK, Access.DEV):
        token = world.tokens[role]
    return path, token, headers


def _body(world, spec, n: int):
    from bench import world as world_module

    if route_id(spec) not in ROUTE_BODIES:
        return None
    body = ROUTE_BODIES[route_id(spec)]
    if isinstance(body, str):  # a shared constant of bench/world.py
        return getattr(world_module, body)
    return body(world, n) if callable(body) else body


def prepare(world, background: int, repeats: int = 5) -> None:
    """The account the walk uses, a partner's batch of licenses, and `background` cloned accounts
    around them."""
    from bench import world as w
    from bench.seeding.clones import clone_accounts
    from chalicelib.jobs.registry import available_jobs, run_job

    seeded = w.seed_account(world, members=4, subscriptions=3, requests=3, backups=2)
    world.ids.update(seeded["ids"])
    world.tokens.update(seeded["tokens"])
    world.tokens["finance_staff"] = world.api.token(w.new_id("usr"), groups=["finance"])
    _invoice_and_payment(world)
    jobs = available_jobs()
    world.ids["job"] = jobs[0] if jobs else None
    for job in jobs:  # as the schedules would have: routes then find what jobs leave (a ready backup ...)
        run_job(job, world.services, world.now.date())
    _partner_batch(world, repeats)
    if background:
        clone_accounts(world, background, label="background accounts")


def _invoice_and_payment(world) -> None:
    """An open invoice for the invoice routes, and a payment (another invoice paid through the fake
    gateway's signed webhook) for the refund route. Best effort: what cannot be made leaves its
    routes reported unmeasured, with the reason."""
    base = f"/v1/accounts/{world.ids['account_id']}"
    status, page = world.api.call("GET", f"{base}/invoices?status=open", world.tokens["owner"])
    invoices = [item["id"] for item in (page or {}).get("items", [])] if status == 200 else []
    if invoices:
        world.ids["invoice_id"] = invoices[0]
    if len(invoices) > 1:
        status, paid = world.api.call("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": invoices[1], "method": "card"})
        if status < 300:
            world.ids["payment_id"] = (paid or {}).get("payment_id")


def _partner_batch(world, repeats: int) -> None:
    """A partner (another account, its own owner) with a paid Conta Azul Mais batch, through the API
    as a partner would: billing data, the batch on boleto, its first invoice paid, then clients on
    licenses. Assigned: one license the substitute route passes on again and again, and one per
    repeat for transfer and for cancel; free: one per repeat for assign. The batch keeps more than
    one license to the end (its last license cannot leave it)."""
    from bench import world as w

    api, owner = world.api, world.api.token(w.new_id("usr"))
    account_id = api.ok("POST", "/v1/accounts", owner, {"name": "Escritório Contábil Parceiro"})["id"]
    base = f"/v1/accounts/{account_id}"
    api.ok("PUT", f"{base}/billing-data", owner, w.VALID_BILLING_DATA)
    api.ok("PUT", f"{base}/billing-settings", owner, {"due_day": 15})
    assigned = 1 + 2 * repeats
    quantity = assigned + repeats + 2
    batch = api.ok("POST", f"{base}/subscriptions", owner, {"product_id": "conta-azul-mais", "periodicity": "monthly",
                                                            "quantity": quantity, "payment_method": "boleto"})
    api.ok("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": batch["invoice_id"], "method": "boleto"})
    licenses = f"{base}/batches/{batch['id']}/licenses"
    free = [item["id"] for item in api.ok("GET", f"{licenses}?limit=100", owner)["items"]
            if item["status"] == "available"]
    for number, license_id in enumerate(free[:assigned]):
        api.ok("POST", f"{licenses}/{license_id}/assign", owner,
               {"name": f"Cliente {number + 1} do parceiro", "owner_email": _email()})
    taken, rest = free[:assigned], free[assigned:]
    world.tokens["partner"] = owner
    world.ids["partner"] = {"account_id": account_id, "batch_id": batch["id"], "licenses": {
        "substitute": taken[:1], "transfer": taken[1:1 + repeats], "cancel": taken[1 + repeats:],
        "assign": rest[:repeats]}}


def measure(repeats: int | None = None, background: int | None = None, specs=None, verbose: bool = True) -> dict:
    from bench import world as w

    quick = backend.quick()
    repeats = repeats or (2 if quick else 5)
    background = (5 if quick else 20) if background is None else background
    with w.open_world() as world, w.quiet_app():
        if specs is None:
            from chalicelib.api.routing import ENDPOINTS

            specs = list(ENDPOINTS)
        prepare(world, background, repeats)
        results = walk(world, specs, repeats)
    return summarize(results, repeats, background, verbose)


LAST: dict | None = None  # the last result in this process (bench/cost.py reads it)


def summarize(results: list[RouteResult], repeats: int, background: int, verbose: bool = True) -> dict:
    global LAST
    measured = [r for r in results if r.unmeasured is None]
    failures = [f"Scan in {r.route}" for r in results if r.scans]
    failures += [f"{r.route}: {r.dynamodb_calls} DynamoDB calls > target {r.target}"
                 for r in measured if r.target is not None and r.dynamodb_calls > r.target]
    summary = {
        "backend": backend.name(),
        "routes": len(results),
        "measured": len(measured),
        "unmeasured": len(results) - len(measured),
        "scans": sum(r.scans for r in results),
        "max_dynamodb_calls": max((r.dynamodb_calls for r in measured), default=0),
        "answered_5xx": sum(1 for r in measured if any(s >= 500 for s in r.statuses)),
        "repeats": repeats,
        "background_accounts": background,
        "failures": failures,
        "detail": [r.as_dict() for r in results],
    }
    if verbose:
        print_table(results)
    LAST = summary
    return summary


def print_table(results: list[RouteResult]) -> None:
    width = max(len(r.route) for r in results)
    print(f"\n{'route':<{width}}  status  ddb  scan   RRU   WRU      ms  app ms  calls")
    for r in sorted(results, key=lambda r: (r.route.split(" ", 1)[1], r.route)):
        if r.unmeasured:
            print(f"{r.route:<{width}}  {'-':>6}  unmeasured: {r.unmeasured}")
            continue
        calls = " ".join(f"{op}={n}" for op, n in r.calls.items())
        flag = f"  ({r.error})" if r.error else ""
        if r.target is not None and r.dynamodb_calls > r.target:
            flag += f"  <-- over target {r.target}"
        print(f"{r.route:<{width}}  {r.status:>6}  {r.dynamodb_calls:>3}  {r.scans:>4}  {r.rru:>4}  {r.wru:>4}"
              f"  {r.ms:>6}  {r.app_ms:>6}  {calls}{flag}")
    print()


def main(argv=None) -> int:
    return backend.run_alone(measure, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
