"""Settling one gateway webhook: DynamoDB calls counted (target ≤ 4: the receipt and the invoice in
one BatchGetItem, the account's live items, one transaction, and the receipt marked once its e-mail
and event are out) and the in-process latency, as a ratio to one raw `GetItem` against the same
endpoint (moto in-process, or DynamoDB Local with `--ddb-local`).

Each delivery is a real Stripe `payment_intent.succeeded` signed with the webhook secret and goes
through `WebhookService.receive_stripe` — what `POST /v1/webhooks/stripe` calls — so the figure
includes the signature check, the settlement, the domain event and the e-mail (moto's SES and
EventBridge). Asaas deliveries (the invoice found through gsi1) and duplicates are counted too.

Run: .venv/bin/python -m bench.bench_settlement   (or `make bench`)
"""
import statistics
import time

from bench import backend, call_counter
from bench.world import World, open_world, quiet_app, subscribed_account

CALL_TARGET = 4


def measure() -> dict:
    invoices = 10 if backend.quick() else 60
    with open_world() as world, quiet_app():  # the app's log lines stay out of the table
        seeded = [_open_invoice(world) for _ in range(invoices)]
        stripe = [_stripe_delivery(world, account_id, invoice_id) for account_id, invoice_id in seeded[::2]]
        asaas = [_asaas_delivery(world, account_id, invoice_id) for account_id, invoice_id in seeded[1::2]]
        webhooks = world.services.webhooks
        stripe_calls, stripe_ms = _run(lambda d: webhooks.receive_stripe(*d), stripe)
        asaas_calls, asaas_ms = _run(lambda d: webhooks.receive_asaas(*d), asaas)
        duplicate_calls, _ = _run(lambda d: webhooks.receive_stripe(*d), stripe[:3])
        get_item_ms = _raw_get_item_ms(world, seeded[0][0], repeat=len(stripe) * 5)
    per_webhook = max(stripe_calls["max"], asaas_calls["max"])
    failures = [f"{per_webhook} DynamoDB calls to settle one webhook (target {CALL_TARGET})"] \
        if per_webhook > CALL_TARGET else []
    return {
        "backend": backend.name(),
        "calls_per_webhook": per_webhook,
        "calls_target": CALL_TARGET,
        "stripe_calls": stripe_calls["by_operation"],
        "asaas_calls": asaas_calls["by_operation"],
        "duplicate_calls": duplicate_calls["max"],
        "settle_ms": round(statistics.median(stripe_ms), 2),
        "get_item_ms": round(get_item_ms, 3),
        "latency_ratio_to_get_item": round(statistics.median(stripe_ms) / get_item_ms, 1),
        "failures": failures,
        "detail": {"asaas_settle_ms": round(statistics.median(asaas_ms), 2), "webhooks": len(stripe) + len(asaas)},
    }


def _open_invoice(world: World) -> tuple[str, str]:
    account = subscribed_account(world, paid=False)
    return account["account_id"], account["invoice_id"]


def _stripe_delivery(world: World, account_id: str, invoice_id: str) -> tuple[bytes, str]:
    from chalicelib.adapters.gateways.fake import stripe_payment_succeeded, stripe_signature_header

    raw = stripe_payment_succeeded(invoice_id, account_id, 19_800)
    return raw, stripe_signature_header(raw, world.services.settings.stripe_webhook_secret)


def _asaas_delivery(world: World, account_id: str, invoice_id: str) -> tuple[bytes, str]:
    """As our Asaas charges carry it: `externalReference` names the account and the invoice."""
    from chalicelib.adapters.gateways.asaas import external_reference
    from chalicelib.adapters.gateways.fake import asaas_payment_received

    reference = external_reference(account_id, invoice_id)
    return asaas_payment_received(reference, 19_800, "PIX"), world.services.settings.asaas_webhook_token


def _run(deliver, deliveries) -> tuple[dict, list[float]]:
    """DynamoDB calls of each delivery (the largest, and by operation for the first) and its time."""
    counts, durations, first = [], [], None
    for delivery in deliveries:
        with call_counter.counting() as calls:
            started = time.perf_counter()
            outcome = deliver(delivery)
            durations.append((time.perf_counter() - started) * 1000)
        if outcome.outcome not in ("settled", "duplicate"):
            raise RuntimeError(f"unexpected outcome {outcome}")
        counts.append(calls.total("dynamodb"))
        first = first or calls.dynamodb()
    return {"max": max(counts), "by_operation": first}, durations


def _raw_get_item_ms(world: World, account_id: str, repeat: int) -> float:
    """One GetItem of the account item with the app's own client: the unit the ratio is in."""
    client = world.services.boto3_client("dynamodb")
    key = {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": "ACCOUNT"}}
    table = world.services.settings.billing_table
    client.get_item(TableName=table, Key=key)  # warm-up
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get_item(TableName=table, Key=key, ConsistentRead=True)
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
