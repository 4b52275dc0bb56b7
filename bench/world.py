"""The world the benchmarks run in: the app's AWS resources on moto (or DynamoDB Local), the app's
own container with a fixed clock, Chalice's test client, and accounts made through the real API.

Large tables are filled by cloning: one template account is built through the API (so its items
have whatever shape the code of the day writes), read back, and copied N times with every id in it
replaced and its dated index keys moved, with BatchWriteItem (25 items a call) under a progress bar.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from bench import backend, call_counter

if "RENOVA_STAGE" not in os.environ:  # imported on its own: configure as `python -m bench` would
    backend.configure()
call_counter.install()  # idempotent; under pytest, this import (at collection) precedes every client

from chalicelib.adapters.clock import SAO_PAULO, FixedClock  # noqa: E402
from chalicelib.wiring import Container, _client, set_container  # noqa: E402

BACKGROUND_SHIFT_DAYS = 200
# Saturday 5 December 2026, 20:00 in São Paulo: inside the backup window, downloads allowed (weekend).
BENCH_NOW = datetime(2026, 12, 5, 20, 0, tzinfo=SAO_PAULO)
# Ids the app makes: prefix_hex (accounts: 20 random hex; services/ids.py: 11 hex of milliseconds
# then 12 random), gateway-style pi_fake_hex, and uuid4 (hex or dashed).
_ID = re.compile(r"\b([a-z]{2,8}(?:_[a-z]{2,8})?)_([0-9a-f]{16,40})\b|\b[0-9a-f]{32}\b"
                 r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# A dated, write-sharded index partition: KIND#yyyy-mm-dd#shard (store/due.py).
_DATED_SHARD = re.compile(r"^(.*)#(\d{4}-\d{2}-\d{2})#(\d+)$")


class BenchContainer(Container):
    """The app's container in its production shape, so calls are counted as AWS would bill them:
    a fixed clock (the local stage's settable clock reads the store on every `now()`), e-mails sent
    through SES without the local outbox copy, and DynamoDB alone on DynamoDB Local when asked."""

    def boto3_client(self, service: str):
        endpoint = self.settings.aws_endpoint_url if service == "dynamodb" else None
        return _client(service, self.settings.aws_region, endpoint)

    @cached_property
    def mailer(self):
        from chalicelib.adapters.email import SesMailer

        return SesMailer(self.boto3_client("ses"), self.settings.email_sender)


class Api:
    """Chalice's test client speaking JSON; answers are (status, data)."""

    def __init__(self, http, settings):
        self.http = http
        self.settings = settings

    def token(self, user_id: str, email: str | None = None, groups=()) -> str:
        import jwt

        now = int(time.time())
        claims = {"sub": user_id, "email": email or letters_email(), "groups": list(groups),
                  "iat": now, "exp": now + 24 * 3600}
        return jwt.encode(claims, self.settings.auth_dev_secret, algorithm="HS256")

    def call(self, method: str, path: str, token: str | None = None, body=None, headers=None, raw: bytes | None = None):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        kwargs = {"headers": all_headers}
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        response = self.http.request(method, path, **kwargs)
        data = json.loads(response.body) if response.body else None
        return response.status_code, data

    def ok(self, method: str, path: str, token: str | None = None, body=None, headers=None):
        status, data = self.call(method, path, token, body, headers)
        if status >= 300:
            raise RuntimeError(f"seeding {method} {path} answered {status}: {data}")
        return data


@dataclass
class World:
    services: BenchContainer
    api: Api
    clock: FixedClock
    ids: dict = field(default_factory=dict)      # path parameter -> a real value
    tokens: dict = field(default_factory=dict)   # role -> bearer token
    template: "Template | None" = None           # the typical account, read back

    def set_now(self, instant: datetime) -> None:
        self.clock.set(instant)

    @property
    def now(self) -> datetime:
        return self.clock.now()


@contextmanager
def open_world(now: datetime = BENCH_NOW):
    """Fresh, empty tables and resources; the container installed as the app's."""
    from chalice.test import Client
    from moto import mock_aws

    from chalicelib.settings import get_settings, reset_settings
    from scripts.provision import provision

    with backend.endpoint_environment(), mock_aws():
        reset_settings()
        settings = get_settings()
        clock = FixedClock(now)
        services = BenchContainer(settings, clock=clock)
        if backend.ddb_local():
            _drop_tables(services)
        provision(services)
        _index_keys_to_counter(settings)
        set_container(services)
        from bench.call_counter import check_counted

        check_counted(services)
        import app as app_module

        try:
            with Client(app_module.app) as client:
                yield World(services=services, api=Api(client.http, settings), clock=clock)
        finally:
            set_container(None)
            if backend.ddb_local():
                _drop_tables(services)


def _drop_tables(services) -> None:
    from chalicelib.store.schema import table_definitions

    dynamodb = services.boto3_client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for definition in table_definitions(services.settings):
        if definition["TableName"] in existing:
            dynamodb.delete_table(TableName=definition["TableName"])
            dynamodb.get_waiter("table_not_exists").wait(TableName=definition["TableName"])


def _index_keys_to_counter(settings) -> None:
    from bench import call_counter
    from chalicelib.store.schema import table_definitions

    for definition in table_definitions(settings):
        keys = {key["AttributeName"] for index in definition.get("GlobalSecondaryIndexes", [])
                for key in index["KeySchema"]}
        call_counter.INDEX_KEYS[definition["TableName"]] = frozenset(keys)


# --- accounts through the API -------------------------------------------------------------------

def new_id(prefix: str, instant: datetime | None = None) -> str:
    from chalicelib.services.ids import sortable_id

    return sortable_id(prefix, instant or datetime.now(SAO_PAULO))


def letters_email() -> str:
    """A unique address without digits: a long digit run would look like a card number, which the
    API refuses on sight."""
    return "membro." + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(12)) + "@bench.example"


VALID_BILLING_DATA = {
    "legal_name": "Marcenaria Exemplo Ltda",
    "document": "11.222.333/0001-81",
    "address": {"street": "Rua das Flores", "number": "100", "complement": "Sala 2",
                "district": "Centro", "city": "Bento Gonçalves", "state": "RS", "cep": "95700-000"},
    "state_registration": "1234567890",
    "billing_emails": ["financeiro@exemplo.com.br"],
}
VALID_CARD = {"gateway_token": "tok_visa_bench", "brand": "visa", "last4": "4242", "exp_month": 12,
              "exp_year": 2031}
ROLES = ("admin", "finance", "member")


def seed_account(world: World, *, members: int = 3, subscriptions: int = 2, requests: int = 2,
                 backups: int = 1) -> dict:
    """An account with what a customer of a few months has: billing data, a card, members,
    subscriptions (and their invoices), requests with replies, a backup, usage. Returns its ids."""
    api, owner_id = world.api, new_id("usr")
    owner = api.token(owner_id)
    account_id = api.ok("POST", "/v1/accounts", owner, {"name": "Conta de benchmark"})["id"]
    base = f"/v1/accounts/{account_id}"
    api.ok("PUT", f"{base}/billing-data", owner, VALID_BILLING_DATA)
    api.ok("PUT", f"{base}/billing-settings", owner, {"due_day": 15})
    api.ok("PUT", f"{base}/card", owner, VALID_CARD)
    ids = {"account_id": account_id, "owner_id": owner_id, "user_id": None}
    tokens = {"owner": owner}
    for n in range(members):
        role = ROLES[n % len(ROLES)]
        user_id = new_id("usr")
        email = letters_email()
        api.ok("POST", f"{base}/members", owner, {"email": email, "role": role})
        token = api.token(user_id, email)
        api.ok("GET", base, token)  # the first sign-in binds the invitation to the user
        tokens.setdefault(role, token)
        if role != "admin" and ids["user_id"] is None:
            ids["user_id"] = user_id  # the member the PATCH route changes (never the owner)
    products = (("operand-pro", "monthly", 3), ("conecta-app", "annual", 1), ("promob-cats-mandatory", "monthly", 2))
    for n in range(subscriptions):
        product, periodicity, quantity = products[n % len(products)]
        body = {"product_id": product, "periodicity": periodicity, "quantity": quantity, "payment_method": "card"}
        ids.setdefault("subscription_id", api.ok("POST", f"{base}/subscriptions", owner, body)["id"])
    for n in range(requests):
        request_id = api.ok("POST", f"{base}/requests", owner, {"type": "other", "text": f"Pedido {n}"})["id"]
        api.ok("POST", f"{base}/requests/{request_id}/messages", owner, {"text": "Mais detalhes."})
        ids.setdefault("request_id", request_id)
    for _ in range(backups):
        run_at = world.now.replace(minute=30).isoformat()
        ids.setdefault("backup_id", api.ok("POST", f"{base}/backups", owner, {"run_at": run_at})["id"])
    internal = {"X-Internal-Token": world.services.settings.internal_api_token}
    api.ok("PUT", f"/v1/internal/accounts/{account_id}/usage", None, {"storage_used_bytes": 3 * 2 ** 30}, internal)
    ids["user_id"] = ids["user_id"] or owner_id
    return {"ids": ids, "tokens": tokens}


# --- large tables by cloning ----------------------------------------------------------------------

def snapshot(world: World, tokens: set[str]) -> dict[str, list[dict]]:
    """Every item (DynamoDB wire form) that mentions one of the template's ids, per table. Seeding
    only: a Scan is fine here, and it runs outside any counted block."""
    from chalicelib.store.schema import table_definitions

    dynamodb = world.services.boto3_client("dynamodb")
    result = {}
    for definition in table_definitions(world.services.settings):
        table = definition["TableName"]
        items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=table)
                 for item in page["Items"]]
        result[table] = [item for item in items if _mentions(item, tokens)]
    return result


def template_tokens(items_by_table: dict[str, list[dict]], account_id: str) -> set[str]:
    """The ids that belong to the template account: those in its own items' values."""
    found = set()
    for items in items_by_table.values():
        for item in items:
            if account_id in json.dumps(item):
                found.update(match.group(0) for match in _ID.finditer(json.dumps(item)))
    return found


def _mentions(item: dict, tokens: set[str]) -> bool:
    text = json.dumps(item)
    return any(token in text for token in tokens)


class Cloner:
    """Copies of a template's items with fresh ids. `shift_days` moves the date in every dated,
    sharded index key but the work keys (background accounts fall due later, never on the
    benchmark's days). The shard is computed again from the clone's own id, as the app computes it
    (store/due.py `shard_of`), so the copies spread over the day's partitions as real keys do and
    the job finds them where it expects them."""

    def __init__(self, template: dict[str, list[dict]], tokens: set[str], index_keys: dict[str, set[str]],
                 work_keys: set = frozenset()):
        self.template = template
        self.work_keys = work_keys
        # Longest first, so an id is never replaced inside a longer one; account ids first when a
        # shard is traced back to the id it was computed from (the app shards by account).
        self.tokens = sorted(tokens, key=lambda t: (not t.startswith("acc_"), -len(t), t))
        self.pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))) if tokens else None
        self.index_keys = index_keys
        self.shard_sources = {}  # (table, item number, attribute) -> the id its shard comes from

    def items(self, shift_days: int = 0):
        from chalicelib.store.due import shard_of

        mapping = {token: _fresh(token) for token in self.tokens}
        for table, items in self.template.items():
            for number, item in enumerate(items):
                copy = _replace(item, self.pattern, mapping) if self.pattern else dict(item)
                for key in self.index_keys.get(table, ()):
                    match = _DATED_SHARD.match(item.get(key, {}).get("S") or "")
                    if not match:
                        continue
                    source = self._shard_source(table, number, key, item, int(match.group(3)))
                    own = (table, item["pk"]["S"], item.get("sk", {}).get("S"), key) in self.work_keys
                    day = date.fromisoformat(match.group(2)) + timedelta(days=0 if own else shift_days)
                    shard = shard_of(mapping[source]) if source else int(match.group(3))
                    prefix = _replace(match.group(1), self.pattern, mapping) if self.pattern else match.group(1)
                    copy[key] = {"S": f"{prefix}#{day.isoformat()}#{shard}"}
                yield table, copy

    def _shard_source(self, table: str, number: int, key: str, item: dict, shard: int) -> str | None:
        from chalicelib.store.due import shard_of

        cache_key = (table, number, key)
        if cache_key not in self.shard_sources:
            text = json.dumps(item)
            self.shard_sources[cache_key] = next(
                (t for t in self.tokens if t in text and shard_of(t) == shard), None)
        return self.shard_sources[cache_key]


def _fresh(token: str) -> str:
    match = _ID.fullmatch(token)
    if match and match.group(1):
        digits = match.group(2)
        keep = digits[:11] if len(digits) == 23 else ""  # a sortable id keeps its time, so its order
        return f"{match.group(1)}_{keep}{secrets.token_hex(20)[:len(digits) - len(keep)]}"
    if "-" in token:
        return str(uuid.uuid4())
    return secrets.token_hex(len(token) // 2)


def _replace(value, pattern, mapping):
    if isinstance(value, str):
        return pattern.sub(lambda m: mapping[m.group(0)], value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, mapping) for v in value]
    return value


def index_keys(settings) -> dict[str, set[str]]:
    from chalicelib.store.schema import table_definitions

    return {d["TableName"]: {k["AttributeName"] for i in d.get("GlobalSecondaryIndexes", []) for k in i["KeySchema"]
                             if k["KeyType"] == "HASH"}
            for d in table_definitions(settings)}


@dataclass
class Template:
    """An account read back as items, ready to clone. `work_keys` names the dated index keys a job's
    work recipe set, (table, pk, sk, attribute): clones keep their date; every other dated key moves."""
    items: dict[str, list[dict]]
    tokens: set[str]
    work_keys: set = field(default_factory=set)

    @property
    def per_account(self) -> int:
        return sum(len(v) for v in self.items.values())


def account_template(world: World, account_id: str, recipe=None, work_day: date | None = None) -> Template:
    """Read an account made through the API back as a template, apply `recipe` (a job's work) and
    note the index keys it set, then remove the account: every account the benchmarks measure
    among is a clone, its unrelated dates moved off the benchmark's days."""
    tokens = template_tokens(snapshot(world, {account_id}), account_id)
    before = snapshot(world, tokens)
    work_keys = set()
    if recipe is not None:
        recipe()
        tokens = template_tokens(snapshot(world, {account_id}), account_id)
        after = snapshot(world, tokens)
        work_keys = _changed_index_keys(before, after, index_keys(world.services.settings), work_day)
        before = after
    remove_items(world, before)
    return Template(before, tokens, work_keys)


def _changed_index_keys(before, after, keys, work_day: date | None) -> set:
    """The dated index keys the recipe set for `work_day` (keys it set for other days, such as a
    first invoice's charge, move with the background)."""
    old = {(table, item["pk"]["S"], item.get("sk", {}).get("S")): item
           for table, items in before.items() for item in items}
    changed = set()
    for table, items in after.items():
        for item in items:
            key = (table, item["pk"]["S"], item.get("sk", {}).get("S"))
            for attribute in keys.get(table, ()):
                value = item.get(attribute)
                match = _DATED_SHARD.match((value or {}).get("S") or "")
                if not match or value == old.get(key, {}).get(attribute):
                    continue
                if work_day is None or match.group(2) == work_day.isoformat():
                    changed.add((*key, attribute))
    return changed


def remove_items(world: World, items_by_table: dict[str, list[dict]]) -> None:
    from chalicelib.store.schema import table_definitions

    dynamodb = world.services.boto3_client("dynamodb")
    for definition in table_definitions(world.services.settings):
        table = definition["TableName"]
        names = [key["AttributeName"] for key in definition["KeySchema"]]
        requests = [{"DeleteRequest": {"Key": {n: item[n] for n in names}}} for item in items_by_table.get(table, [])]
        for start in range(0, len(requests), 25):
            _flush(dynamodb, {table: requests[start:start + 25]})


def template(world: World) -> Template:
    """A typical account built through the API, read back (made once per world)."""
    if world.template is None:
        seeded = seed_account(world, backups=0)  # a scheduled backup is a job's work, not background
        world.template = account_template(world, seeded["ids"]["account_id"])
    return world.template


def clone_accounts(world: World, count: int, label: str, source: Template | None = None) -> dict:
    """`count` copies of an account (the typical one unless given) with fresh ids. Their dated index
    keys move 200 to 560 days ahead, past every job's window of measured days (bench_jobs), so no
    background account is due on them; the keys a work recipe set keep their day. Returns what
    seeding took."""
    source = source or template(world)
    items = source.items
    keys = index_keys(world.services.settings)
    cloner = Cloner(items, source.tokens, keys, source.work_keys)
    per_account = source.per_account
    clones = (item for n in range(count) for item in cloner.items(shift_days=BACKGROUND_SHIFT_DAYS + n % 360))
    started = time.perf_counter()
    rate = write_items(world, clones, count * per_account, label)
    return {"accounts": count, "items": count * per_account, "items_per_account": per_account,
            "bytes_per_account": stored_bytes(items, keys),
            "seconds": round(time.perf_counter() - started, 1), "items_per_second": round(rate)}


def stored_bytes(items_by_table: dict[str, list[dict]], keys: dict[str, set[str]]) -> int:
    """What DynamoDB stores for these items: each item's size, once more per index it appears in
    (the indexes project every attribute), plus the 100 bytes of overhead per item and index entry."""
    from bench.call_counter import item_size

    total = 0
    for table, items in items_by_table.items():
        for item in items:
            copies = 1 + sum(1 for key in keys.get(table, ()) if key in item)
            total += copies * (item_size(item) + 100)
    return total


@contextmanager
def quiet_app():
    """The app's JSON log lines (written to stdout per request, as in Lambda) go to a sink, so the
    formatting cost stays in the measured time but the benchmark's table stays readable."""
    import contextlib
    import io
    import warnings

    class Sink(io.TextIOBase):
        written = 0

        def write(self, text):
            Sink.written += len(text)
            return len(text)

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*HMAC key.*")  # the local stage's dev secret
        warnings.filterwarnings("ignore", message=".*IAMAuthorizer.*")  # Chalice's local mode
        with contextlib.redirect_stdout(Sink()):
            yield


def write_items(world: World, items, total: int, label: str) -> float:
    """BatchWriteItem 25 at a time under a progress bar; returns the items written per second."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    dynamodb = world.services.boto3_client("dynamodb")
    pending: dict[str, list] = {}
    count, started = 0, time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # On stderr: stdout may be the app's log sink; `transient` leaves no bar behind in the table.
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(label, total=total)
        for table, item in items:
            pending.setdefault(table, []).append({"PutRequest": {"Item": item}})
            count += 1
            if sum(len(r) for r in pending.values()) == 25:
                _flush(dynamodb, pending)
                pending = {}
                progress.update(task, completed=count)
        if pending:
            _flush(dynamodb, pending)
        progress.update(task, completed=count)
    elapsed = time.perf_counter() - started
    return count / elapsed if elapsed else 0.0


def _flush(dynamodb, requests: dict) -> None:
    while requests:
        requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or None
