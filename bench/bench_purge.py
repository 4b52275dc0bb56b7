"""The retention purge costs what the purged account holds, not what the table holds.

One account with 1,000 items (900 in its partition — invoices, payments, members, requests... — and
100 audit entries) is purged by the `purge-accounts` job among N other accounts (their own items,
and purges scheduled on other days), for a small and a large N (200 and 1,000; 40 and 200 with
`--quick`). DynamoDB calls are counted with a botocore `before-call.dynamodb` hook; the two counts
must be equal, and no call may be a Scan.

Each size runs in a subprocess of its own, so the hook is installed before the app builds any
client (boto3's and PynamoDB's sessions alike) and every call is seen.

Run: .venv/bin/python -m bench.bench_purge   (or `make bench`, which runs every benchmark)
"""
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {False: (200, 1000), True: (40, 200)}  # other accounts, small and large; `--quick`: True
LIVE_ITEMS, AUDIT_ITEMS = 900, 100  # the purged account's 1,000 items
PURGE_DAY = "2026-04-05"


def measure() -> dict:
    small_size, large_size = SIZES[os.environ.get("BENCH_QUICK") == "1"]
    small, large = _run_child(small_size), _run_child(large_size)
    return {
        "account_items": LIVE_ITEMS + AUDIT_ITEMS,
        f"calls_{small_size}_accounts": small["calls"],
        f"calls_{large_size}_accounts": large["calls"],
        "by_operation": small["by_operation"],
        "scans": small["scans"] + large["scans"],
        "ratio": round(large["calls"] / small["calls"], 3),
        "target": 1.0,
    }


def _run_child(other_accounts: int) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.bench_purge", "--child", str(other_accounts)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the child process -----------------------------------------------------------------------
def _child(other_accounts: int) -> dict:
    calls = Counter()
    _install_counter(calls)
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from moto import mock_aws

    with mock_aws():
        from chalicelib.adapters.clock import FixedClock
        from chalicelib.settings import get_settings
        from chalicelib.wiring import Container, set_container
        from scripts.provision import provision

        purge_day = date.fromisoformat(PURGE_DAY)
        # A fixed clock: the local stage's settable clock would read the store on every now().
        clock = FixedClock(datetime(2026, 4, 5, 3, 0, tzinfo=ZoneInfo("America/Sao_Paulo")))
        services = Container(get_settings(), clock=clock)
        provision(services)
        set_container(services)
        _seed(services, other_accounts, purge_day)
        calls.clear()
        started = time.perf_counter()
        summary = services.purges.run_due(purge_day).as_dict()
        seconds = time.perf_counter() - started
    assert summary["purged"] == 1 and summary["failed"] == 0, summary
    return {"calls": sum(calls.values()), "by_operation": dict(sorted(calls.items())),
            "scans": calls.get("Scan", 0), "seconds": round(seconds, 2)}


def _install_counter(calls: Counter) -> None:
    """Count every DynamoDB call of every client created from now on (botocore copies its builtin
    handlers into each new session: boto3's and each of PynamoDB's)."""
    import botocore.handlers

    def count(model, **kwargs):
        calls[model.name] += 1

    botocore.handlers.BUILTIN_HANDLERS.append(("before-call.dynamodb", count))


def _seed(services, other_accounts: int, purge_day) -> None:
    from datetime import timedelta

    from chalicelib.store.ownership import owned_by

    table = services.raw_table
    victim = "acc_victim"
    items = [*_account_items(victim, LIVE_ITEMS, AUDIT_ITEMS)]
    lookup = f"NOSSO#001#{victim}"
    items.append({"pk": lookup, "sk": "NOSSO", "type": "nosso_numero_ref", "account_id": victim,
                  **owned_by(victim, lookup, "NOSSO")})
    for n in range(other_accounts):
        account_id = f"acc_other{n:05d}"
        items.extend(_account_items(account_id, 8, 4))
        if n % 2:  # half of them cancelled too, purged on other days
            items.append(_schedule(account_id, purge_day + timedelta(days=1 + n % 60)))
    items.append(_schedule(victim, purge_day))
    table.put_items(items)
    services.checkpoints.advance("purge-accounts", purge_day - timedelta(days=1))
    for n in range(5):
        services.files.put(f"backups/{victim}/bkp_{n}.zip", b"zip", "application/zip")


def _schedule(account_id: str, purge_on) -> dict:
    from chalicelib.store.due import due_pk

    return {"pk": f"RETENTION#{account_id}", "sk": "RETENTION", "type": "retention", "account_id": account_id,
            "cancelled_on": "2026-01-05", "purge_on": purge_on.isoformat(),
            "due_pk": due_pk("PURGE", purge_on, account_id), "due_sk": account_id}


def _account_items(account_id: str, live: int, audit: int):
    pk = f"ACCOUNT#{account_id}"
    yield {"pk": pk, "sk": "ACCOUNT", "type": "account", "account_id": account_id, "name": "Conta",
           "owner_user_id": "u0", "billing_data": {"legal_name": "Fulano Ltda", "document": "11222333000181"}}
    kinds = ("member", "invoice", "payment", "request_message")
    for n in range(live - 1):
        kind = kinds[n % len(kinds)]
        item = {"pk": pk, "sk": f"~{kind.upper()}#{n:05d}", "type": kind, "account_id": account_id,
                "created_at": "2026-01-05T10:00:00.000000+0000"}
        if kind == "invoice":
            item.update(invoice_id=f"inv_{n}", status="paid", issue_date="2026-01-05", total_cents=19800,
                        lines=[{"description": "Operand Pro", "amount_cents": 19800, "kind": "subscription"}])
        elif kind == "payment":
            item.update(payment_id=f"pay_{n}", amount_cents=19800, method="pix", paid_at="2026-01-06T10:00:00Z")
        else:
            item.update(email=f"pessoa{n}@example.com", text="Olá, tudo bem?")
        yield item
    for n in range(audit):
        yield {"pk": f"AUDIT#{account_id}", "sk": f"2026-01-05T10:00:{n % 60:02d}#{n:05d}", "type": "audit",
               "account_id": account_id, "audit_id": f"{n}", "at": "2026-01-05T10:00:00-03:00", "actor": "u0",
               "action": "account.updated", "target": account_id}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        os.environ.update({"RENOVA_STAGE": "local", "AWS_DEFAULT_REGION": "sa-east-1",
                           "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"})
        os.environ.pop("AWS_ENDPOINT_URL", None)
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        print(json.dumps(measure(), indent=2))
