"""Pix Automático: what one cycle charge costs, and what settling it costs.

Each account is a Promob-like customer who has authorised Pix Automático and whose bank approved it
(through the routes and the local payer's bank: the fake PSP over HTTP, as in the local stage). On the
issue day (D-7) the issue-invoices worker bills the renewal and, for these accounts, sends the cycle
charge (`PUT /cobr/{txid}`) in the same run. The same worker run for an identical account paying by
boleto is the baseline, so the figure is what Pix Automático adds to issuing an invoice:

- `charge_calls`: DynamoDB calls the cycle charge adds to issuing the invoice (the invoice and the
  recurrence read, the account's live items read again, one transaction recording the txid), target
  CHARGE_CALLS_TARGET; the run saves the boleto's nosso número counter (an UpdateItem), so the whole run
  (`issue_calls`) differs from a boleto account's by one less;
- `psp_calls_per_charge`: HTTP requests to the PSP per charge (the PUT; the OAuth token is fetched once
  per process and reused until it expires, so it is reported apart);
- `settle_calls`: DynamoDB calls to settle the charge's `CONCLUIDA` notification through
  `POST /v1/webhooks/pix`'s service, target SETTLE_CALLS_TARGET: the invoice found from the txid (a
  Query of the invoice lookup), the exactly-once settlement every gateway goes through (4: the receipt
  and the invoice in one BatchGetItem, the account's live items, one transaction, the receipt marked),
  and the charge's state mirrored on the invoice (a GetItem and a transaction); a replay of it is
  counted too (`duplicate_calls`).

No Scan anywhere. bench/cost.py prices a month of cycle charges and their webhooks from these figures.

Run: .venv/bin/python -m bench.bench_pix_automatico   (or `make bench`)
"""
import json
import statistics
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from bench import backend, call_counter
from bench.world import World, open_world, quiet_app, subscribed_account

CHARGE_CALLS_TARGET = 4
SETTLE_CALLS_TARGET = 7
LAST: dict | None = None  # this run's result, for bench/cost.py


def measure() -> dict:
    global LAST
    accounts = 3 if backend.quick() else 12
    with open_world() as world, quiet_app():
        start = world.now
        pix = [_account(world, "pix_automatico") for _ in range(accounts)]
        boleto = [_account(world, "boleto") for _ in range(accounts)]
        issue_day = _issue_day(world, pix[0])
        world.set_now(datetime.combine(issue_day, datetime.min.time(), start.tzinfo).replace(hour=6))
        pix_runs = [_issue(world, account_id, issue_day) for account_id, _ in pix]
        boleto_runs = [_issue(world, account_id, issue_day) for account_id, _ in boleto]
        settled = [_settle(world, account_id) for account_id, _ in pix]
        duplicate = _settle(world, pix[0][0], again=True)
    charge_calls = _extra(pix_runs, boleto_runs)
    psp = [run["psp"] for run in pix_runs]
    result = {
        "backend": backend.name(),
        "charges": sum(run["charged"] for run in pix_runs),
        "charge_calls": sum(n for n in charge_calls.values() if n > 0),
        "charge_calls_by_operation": charge_calls,
        "issue_calls": {"pix_automatico": sum(pix_runs[-1]["calls"].values()),
                        "boleto": sum(boleto_runs[-1]["calls"].values())},
        "charge_calls_target": CHARGE_CALLS_TARGET,
        "psp_calls_per_charge": max(sum(n for (method, path), n in calls.items() if path != "/oauth/token")
                                    for calls in psp),
        "psp_token_requests": sum(calls.get(("POST", "/oauth/token"), 0) for calls in psp),
        # The whole run's own time (no boleto PDF to render, a charge body and its HTTP request instead).
        "issue_app_ms": {"pix_automatico": round(statistics.median(r["app_ms"] for r in pix_runs), 2),
                         "boleto": round(statistics.median(r["app_ms"] for r in boleto_runs), 2)},
        "settle_calls": max(s["total"] for s in settled),
        "settle_calls_by_operation": settled[0]["calls"],
        "settle_other_calls": settled[0]["other"],
        "settle_app_ms": round(statistics.median(s["app_ms"] for s in settled), 2),
        "settle_calls_target": SETTLE_CALLS_TARGET,
        "duplicate_calls": duplicate["total"],
        "scans": sum(r["scans"] for r in pix_runs + boleto_runs) + sum(s["scans"] for s in settled),
    }
    result["failures"] = _failures(result, accounts)
    LAST = result
    return result


def _failures(result: dict, accounts: int) -> list[str]:
    failures = []
    if result["charges"] != accounts:
        failures.append(f"{result['charges']} cycle charges sent for {accounts} approved accounts")
    if result["charge_calls"] > CHARGE_CALLS_TARGET:
        failures.append(f"a cycle charge adds {result['charge_calls']} DynamoDB calls (target {CHARGE_CALLS_TARGET})")
    if result["psp_calls_per_charge"] != 1:
        failures.append(f"{result['psp_calls_per_charge']} PSP requests per cycle charge (expected the one PUT)")
    if result["settle_calls"] > SETTLE_CALLS_TARGET:
        failures.append(f"settling a cycle charge took {result['settle_calls']} DynamoDB calls "
                        f"(target {SETTLE_CALLS_TARGET})")
    if result["scans"]:
        failures.append("a Scan ran")
    return failures


def _account(world: World, method: str) -> tuple[str, str]:
    """An account with one paid monthly subscription renewing by `method` (Pix Automático approved)."""
    account = subscribed_account(world, paid=True)
    account_id, subscription_id = account["account_id"], account["subscription_id"]
    if method == "pix_automatico":
        rec_id = world.api.ok("POST", f"/v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico",
                              account["owner"])["rec_id"]
        world.api.ok("POST", f"/v1/_dev/pix-automatico/{rec_id}/approve")
    return account_id, subscription_id


def _issue_day(world: World, account: tuple[str, str]) -> date:
    account_id, subscription_id = account
    snapshot = world.services.billing_repository.snapshot(account_id)
    return snapshot.subscription(subscription_id).current_period_end - timedelta(days=7)


def _issue(world: World, account_id: str, day: date) -> dict:
    with call_counter.counting() as calls, _psp_requests() as psp:
        started = time.perf_counter()
        outcome = world.services.invoicing.issue_for_account(account_id, day)
        seconds = time.perf_counter() - started
    if not outcome.invoice_ids:
        raise RuntimeError(f"nothing issued for {account_id} on {day}")
    return {"calls": calls.dynamodb(), "psp": dict(psp), "scans": len(calls.scans),
            "charged": sum(c.outcome == "charged" for c in outcome.pix_charges),
            "app_ms": (seconds - calls.aws_ms / 1000) * 1000}


def _extra(pix_runs: list[dict], boleto_runs: list[dict]) -> dict:
    """DynamoDB calls by operation a Pix Automático account's run made beyond a boleto account's."""
    pix, boleto = pix_runs[-1]["calls"], boleto_runs[-1]["calls"]  # warm: the first run loads templates
    return {op: pix.get(op, 0) - boleto.get(op, 0) for op in sorted(set(pix) | set(boleto))
            if pix.get(op, 0) != boleto.get(op, 0)}


def _settle(world: World, account_id: str, again: bool = False) -> dict:
    """The payer's bank concludes the charge (the fake PSP's control, not counted); its notification
    is delivered to the webhook's service with the stage's token, as `POST /v1/webhooks/pix` does."""
    services = world.services
    if again:
        raw = _last_notification[account_id]
    else:
        [charged] = [summary for summary in services.billing_repository.snapshot(account_id).open_invoices
                     if summary.pix_charge_status]
        txid = services.invoice_reads.get(account_id, charged.invoice_id).pix_txid
        notification = services.pix_psp.fake_control("POST", f"/cobr/{txid}/pay")
        raw = json.dumps(notification).encode()
        _last_notification[account_id] = raw
    with call_counter.counting() as calls:
        started = time.perf_counter()
        [outcome] = services.pix_webhooks.receive(raw, services.settings.pix_webhook_token)
        seconds = time.perf_counter() - started
    expected = "duplicate" if again else "settled"
    if outcome.outcome != expected:
        raise RuntimeError(f"settling {account_id}: {outcome.outcome}, expected {expected}")
    return {"total": calls.total("dynamodb"), "calls": calls.dynamodb(), "scans": len(calls.scans),
            "other": {service: calls.service(service) for service in ("ses", "events", "s3")
                      if calls.service(service)},
            "app_ms": (seconds - calls.aws_ms / 1000) * 1000}


_last_notification: dict[str, bytes] = {}


@contextmanager
def _psp_requests():
    """Counts the HTTP requests the app sends through `requests` (only the PSP adapter uses it here),
    by (method, path)."""
    from collections import Counter
    from urllib.parse import urlparse

    import requests

    counts: Counter = Counter()
    original = requests.Session.request

    def request(self, method, url, *args, **kwargs):
        counts[(method.upper(), urlparse(url).path)] += 1
        return original(self, method, url, *args, **kwargs)

    requests.Session.request = request
    try:
        yield counts
    finally:
        requests.Session.request = original


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2, default=str))
