"""The world the benchmarks run in: the app's AWS resources on moto (or DynamoDB Local), the app's
own container with a fixed clock, Chalice's test client, and accounts made through the real API.

Large tables are filled by cloning: one template account is built through the API (so its items
have whatever shape the code of the day writes), read back, and copied N times with every id in it
replaced and its dated index keys moved, with BatchWriteItem (25 items a call) under a progress bar.
"""
from __future__ import annotations

import itertools
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
SHOW_PROGRESS = True  # seeding's progress bar on a terminal; off in the second of two seeding processes
_CLONE_NUMBERS = itertools.count(10_000_000)  # Template.numbered: every clone of the process its own
# Saturday 5 December 2026, 20:00 in São Paulo: inside the backup window, downloads allowed (weekend).
BENCH_NOW = datetime(2026, 12, 5, 20, 0, tzinfo=SAO_PAULO)
# Ids the app makes: prefix_hex (accounts: 20 random hex; services/shared/ids.py: 11 hex of milliseconds
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
        _fresh_clients()  # after the settings: it imports store.base, whose models take their host from them
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


def _fresh_clients() -> None:
    """Forget the AWS clients made before the call counter was installed (under pytest, by tests
    that ran before a benchmark's: the container's cached boto3 clients, PynamoDB's connections),
    so every client this world uses is made now, with the counter's handlers (check_counted)."""
    from pynamodb.models import Model

    from chalicelib.store import base
    from chalicelib.wiring import _client

    call_counter.install()
    _client.cache_clear()
    base.connection.cache_clear()
    pending = [Model]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if "_connection" in vars(model):
            model._connection = None


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
    from chalicelib.services.shared.ids import sortable_id

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
                 work_keys: set = frozenset(), numbered: dict[str, str] | None = None):
        self.template = template
        self.work_keys = work_keys
        self.numbered = numbered or {}  # token -> its replacement's format, from the clone's number `n`
        tokens = set(tokens) | set(self.numbered)
        # Longest first, so an id is never replaced inside a longer one; account ids first when a
        # shard is traced back to the id it was computed from (the app shards by account).
        self.tokens = sorted(tokens, key=lambda t: (not t.startswith("acc_"), -len(t), t))
        self.pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))) if tokens else None
        self.index_keys = index_keys
        self.shard_sources = {}  # (table, item number, attribute) -> the id its shard comes from

    def mapping(self, number: int = 0) -> dict[str, str]:
        """A clone's replacement of every token: fresh ids, and its numbered tokens for `number`."""
        mapping = {token: _fresh(token) for token in self.tokens if token not in self.numbered}
        mapping.update({token: form.format(n=number) for token, form in self.numbered.items()})
        return mapping

    def items(self, shift_days: int = 0, number: int = 0, mapping: dict | None = None):
        mapping = mapping or self.mapping(number)
        for table, items in self.template.items():
            for position, item in enumerate(items):
                copy = _replace(item, self.pattern, mapping) if self.pattern else dict(item)
                for key in self.index_keys.get(table, ()):
                    value = self.dated(table, position, key, item, mapping, shift_days)
                    if value is not None:
                        copy[key] = {"S": value}
                yield table, copy

    def partitions(self, mapping: dict) -> set[tuple[str, str]]:
        """(table, pk) of every partition a clone made with `mapping` owns: those whose key names one
        of its ids (not a partition shared by every account, such as a counter's)."""
        return {(table, _replace(item["pk"]["S"], self.pattern, mapping))
                for table, items in self.template.items() for item in items
                if self.pattern and self.pattern.search(item["pk"]["S"])}

    def dated(self, table: str, position: int, key: str, item: dict, mapping: dict, shift_days: int) -> str | None:
        """The clone's value of a dated, sharded index key (None when `key` is not one in `item`)."""
        from chalicelib.store.due import shard_of

        match = _DATED_SHARD.match(item.get(key, {}).get("S") or "")
        if not match:
            return None
        source = self._shard_source(table, position, key, item, int(match.group(3)))
        own = (table, item["pk"]["S"], item.get("sk", {}).get("S"), key) in self.work_keys
        day = date.fromisoformat(match.group(2)) + timedelta(days=0 if own else shift_days)
        shard = shard_of(mapping[source]) if source else int(match.group(3))
        prefix = _replace(match.group(1), self.pattern, mapping) if self.pattern else match.group(1)
        return f"{prefix}#{day.isoformat()}#{shard}"

    def compiled(self, attributes: dict[str, set[str]]) -> list[tuple]:
        """The template's items as format strings, for SQLiteSeeder: per item (table, position,
        the item's compact DynamoDB JSON, {attribute in `attributes[table]`: its string value},
        [(placeholder, dated key)]), every token a {tN} placeholder and every dated key's value a
        {dN} one. `format_map` then makes a clone's JSON and keys without walking the item."""
        names = {token: f"t{n}" for n, token in enumerate(self.tokens)}

        def placeholders(text: str) -> str:
            text = text.replace("{", "{{").replace("}", "}}")
            return self.pattern.sub(lambda m: "{" + names[m.group(0)] + "}", text) if self.pattern else text

        compiled = []
        for table, items in self.template.items():
            for position, item in enumerate(items):
                text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
                dated = []
                for key in sorted(self.index_keys.get(table, ())):
                    raw = (item.get(key) or {}).get("S") or ""
                    if not _DATED_SHARD.match(raw):
                        continue
                    fragment = json.dumps({key: {"S": raw}}, separators=(",", ":"), ensure_ascii=False)[1:-1]
                    if text.count(fragment) != 1 or json.dumps(raw)[1:-1] != raw:
                        raise SeedFormatError(f"cannot compile the dated key {key} of {item['pk']['S']}")
                    name = f"d{len(dated)}"
                    text = text.replace(fragment, fragment[:-len(raw) - 3] + f'"\x00{name}\x00"}}')
                    dated.append((name, key))
                text = placeholders(text)
                for name, _ in dated:
                    text = text.replace(f"\x00{name}\x00", "{" + name + "}")
                values = {}
                for attribute in attributes.get(table, ()):
                    raw = (item.get(attribute) or {}).get("S")
                    if raw is None:
                        continue
                    own = next((name for name, key in dated if key == attribute), None)
                    values[attribute] = "{" + own + "}" if own else placeholders(raw)
                compiled.append((table, position, text, values, dated))
        return compiled, names

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
    numbered: dict = field(default_factory=dict)  # Cloner: tokens each clone numbers anew (nossos números)

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
    return Template(before, tokens, work_keys, boleto_numbers(before))


def boleto_numbers(items_by_table: dict[str, list[dict]]) -> dict[str, str]:
    """A boleto's nosso número is unique in the table (its lookup item, NOSSO#<bank>:<number>, is
    created only if absent), and it is a bank's sequence, not an id the Cloner would replace: so
    each clone numbers its boletos anew, from 10,000,000 up (Cloner `numbered`), in the key and in
    the printed form ("109/00000001-6": wallet, number, check digit — the check digit and the
    barcode are kept from the template; nothing the jobs read checks them)."""
    numbered = {}
    for items in items_by_table.values():
        for item in items:
            pk, printed = item.get("pk", {}).get("S", ""), item.get("nosso_numero", {}).get("S")
            if not pk.startswith("NOSSO#") or not printed or ":" not in pk:
                continue
            bank = pk[len("NOSSO#"):].split(":", 1)[0]
            wallet, _, rest = printed.rpartition("/")
            digits, dash, check = rest.partition("-")
            numbered[pk[len("NOSSO#"):]] = f"{bank}:{{n}}"
            numbered[printed] = f"{wallet}{'/' if wallet else ''}{{n:0{len(digits)}d}}{dash}{check}"
    return numbered


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


def clone_accounts(world: World, count: int, label: str, source: Template | None = None, rows: bool = True,
                   partitions: set | None = None) -> dict:
    """`count` copies of an account (the typical one unless given) with fresh ids. Their dated index
    keys move 200 to 560 days ahead, past every job's window of measured days (bench_jobs), so no
    background account is due on them; the keys a work recipe set keep their day. `rows=False`:
    through BatchWriteItem even on DynamoDB Local's file (see write_accounts). `partitions`, when
    given, receives every (table, pk) the clones own (for `remove_partitions`). Returns what
    seeding took."""
    source = source or template(world)
    items = source.items
    keys = index_keys(world.services.settings)
    cloner = Cloner(items, source.tokens, keys, source.work_keys, source.numbered)
    per_account = source.per_account
    clones = ((BACKGROUND_SHIFT_DAYS + n % 360, next(_CLONE_NUMBERS), None) for n in range(count))
    if partitions is not None:
        clones = _noting_partitions(cloner, clones, partitions)
    started = time.perf_counter()
    rate, how = write_accounts(world, cloner, clones, count, per_account, label, rows)
    return {"accounts": count, "items": count * per_account, "items_per_account": per_account,
            "bytes_per_account": stored_bytes(items, keys), "written_by": how,
            "seconds": round(time.perf_counter() - started, 1), "items_per_second": round(rate)}


def _noting_partitions(cloner: Cloner, clones, partitions: set):
    """The clones unchanged, each with its mapping fixed now so the partitions it owns are known."""
    for shift, number, _ in clones:
        mapping = cloner.mapping(number)
        partitions.update(cloner.partitions(mapping))
        yield shift, number, mapping


def remove_partitions(world: World, partitions: set) -> int:
    """Delete every item of the given (table, pk) partitions, whatever wrote them since (a job's due
    accounts after its measured run: what the job made of them must not fall due on another job's
    measured days). Returns the items deleted."""
    from chalicelib.store.schema import table_definitions

    dynamodb = world.services.boto3_client("dynamodb")
    hash_keys = {d["TableName"]: d["KeySchema"][0]["AttributeName"] for d in table_definitions(world.services.settings)}
    found: dict[str, list[dict]] = {}
    for table, pk in sorted(partitions):
        pages = dynamodb.get_paginator("query").paginate(
            TableName=table, KeyConditionExpression="#pk = :pk", ConsistentRead=True,
            ExpressionAttributeNames={"#pk": hash_keys[table]}, ExpressionAttributeValues={":pk": {"S": pk}})
        found.setdefault(table, []).extend(item for page in pages for item in page["Items"])
    remove_items(world, found)
    return sum(len(items) for items in found.values())


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


def _progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # On stderr: stdout may be the app's log sink; `transient` leaves no bar behind in the table.
    console = Console(stderr=True)
    return Progress(*columns, console=console, transient=True, disable=not (SHOW_PROGRESS and console.is_terminal))


def write_accounts(world: World, cloner: Cloner, clones, count: int, per_account: int, label: str,
                   rows: bool = True) -> tuple[float, str]:
    """Write `count` clones ((shift in days, number, mapping or None: made here) each) under one
    progress bar; returns the items written per second and how they were written.

    Through BatchWriteItem, 25 items a call — except on DynamoDB Local running on an SQLite file
    (backend.ddb_local_db()): there the first clone goes through BatchWriteItem, the rows DynamoDB
    Local stored for it are read back and checked against `SQLiteSeeder`'s own encoding of the same
    items, and the other clones are written as rows straight into the file (several times faster:
    DynamoDB Local runs every write through one SQLite thread, and botocore's work per item goes).
    Should a check fail (a DynamoDB Local whose row format changed), BatchWriteItem does it all."""
    import sys

    total, started = count * per_account, time.perf_counter()
    path = backend.ddb_local_db()
    clones = iter(clones)
    with _progress() as progress:
        task = progress.add_task(label, total=total)
        how = "BatchWriteItem"
        # `rows=False` (a job's due accounts, written just before its measured run): through the API,
        # as rows written from outside make DynamoDB Local's SQLite connection drop its page cache.
        if path is not None and rows and count > 1:
            shift, number, mapping = next(clones)
            first = list(cloner.items(shift, number, mapping=mapping))
            write_items(world, first, progress, task)
            try:
                seeder = SQLiteSeeder(path, world.services.settings, first)
                seeder.write(cloner, clones, progress, task)
                how = "SQLite rows (first account through BatchWriteItem, checked)"
            except SeedFormatError as exc:
                print(f"seeding: {exc}; writing through BatchWriteItem instead", file=sys.stderr)
        items = (item for shift, number, mapping in clones for item in cloner.items(shift, number, mapping=mapping))
        write_items(world, items, progress, task)
    elapsed = time.perf_counter() - started
    return (total / elapsed if elapsed else 0.0), how


def write_items(world: World, items, progress, task) -> None:
    """BatchWriteItem 25 at a time, advancing the progress bar's task."""
    dynamodb = world.services.boto3_client("dynamodb")
    pending: dict[str, list] = {}
    count = 0
    for table, item in items:
        pending.setdefault(table, []).append({"PutRequest": {"Item": item}})
        count += 1
        if count == 25:
            _flush(dynamodb, pending)
            progress.advance(task, count)
            pending, count = {}, 0
    if pending:
        _flush(dynamodb, pending)
        progress.advance(task, count)


def _flush(dynamodb, requests: dict) -> None:
    while requests:
        requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or None


class SeedFormatError(RuntimeError):
    pass


class SQLiteSeeder:
    """Items written as DynamoDB Local's own rows, straight into its SQLite file (DynamoDB Local
    2.x, `-sharedDb`): one SQLite table per DynamoDB table, a row per item with

      hashKey, rangeKey      the key values (strings: their UTF-8 bytes)
      hashValue, rangeValue  SHA-1 of the salt b"LocalDdb" + the key's bytes
                             (com.amazonaws.services.dynamodbv2.local.shared.access.LocalDBUtils)
      hashRangeValue         SHA-1 of the salt + hashValue + rangeValue
      itemSize               DynamoDB's size of the item
      ObjectJSON             the item in DynamoDB JSON
      indexKey_N             the global secondary indexes' key values (which column is which: the
                             SQLite index DynamoDB Local made for each, read from sqlite_master)

    Nothing is assumed blindly: the rows DynamoDB Local itself stored for `reference` (one account
    written through BatchWriteItem) must equal this encoding of the same items, column by column,
    or SeedFormatError is raised. itemSize is taken from those rows: a clone's item has the size of
    the reference's item in the same place (ids are replaced by ids of the same length; checked).
    The clones' rows are made from the template compiled to format strings (Cloner.compiled), also
    checked: one clone made both ways must come out the same."""

    SALT = b"LocalDdb"

    def __init__(self, path, settings, reference: list[tuple[str, dict]]):
        import sqlite3

        from bench.call_counter import item_size
        from chalicelib.store.schema import table_definitions

        self.db = sqlite3.connect(str(path), timeout=60, isolation_level=None)
        self.db.execute("PRAGMA cache_size = -262144")  # 256 MB for this connection's page cache
        self.db.execute("PRAGMA synchronous = OFF")  # this connection only; a scratch file
        self.layout = {}
        for definition in table_definitions(settings):
            table = definition["TableName"]
            keys = {k["KeyType"]: k["AttributeName"] for k in definition["KeySchema"]}
            columns = [row[1] for row in self.db.execute(f'PRAGMA table_info("{table}")')]
            index_columns = {}
            for index in definition.get("GlobalSecondaryIndexes", []):
                sql = self.db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                                      (f"{table}*{index['IndexName']}",)).fetchone()
                match = sql and re.search(r"\((indexKey_\d+), (indexKey_\d+)", sql[0])
                if not match:
                    raise SeedFormatError(f"no SQLite index for {table}.{index['IndexName']} in DynamoDB Local's file")
                names = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
                index_columns[match.group(1)] = names["HASH"]
                index_columns[match.group(2)] = names.get("RANGE")
            unknown = set(columns) - set(index_columns) - {"hashKey", "rangeKey", "hashValue", "rangeValue",
                                                           "hashRangeValue", "itemSize", "ObjectJSON"}
            if unknown:
                raise SeedFormatError(f"unknown columns in DynamoDB Local's {table}: {sorted(unknown)}")
            self.layout[table] = (keys["HASH"], keys.get("RANGE"), columns, index_columns)
        self.key_attributes = {table: {a for a in (h, r, *index.values()) if a}
                               for table, (h, r, _, index) in self.layout.items()}
        self.sizes = self._check(reference)
        self.reference_sizes = [item_size(item) for _, item in reference]

    def _hash(self, *parts: bytes) -> bytes:
        import hashlib

        digest = hashlib.sha1(self.SALT)
        for part in parts:
            digest.update(part)
        return digest.digest()

    @staticmethod
    def _key_bytes(item: dict, name: str) -> bytes:
        value = item.get(name)
        if not value or "S" not in value:
            raise SeedFormatError(f"key {name} is not a string: {value}")
        return value["S"].encode()

    def row(self, table: str, item: dict, size: int) -> tuple:
        _, _, _, index_columns = self.layout[table]
        keys = {name: value["S"] for name, value in item.items()
                if name in self.key_attributes[table] and "S" in value}
        for name in self.key_attributes[table]:
            if name in item and "S" not in item[name]:
                raise SeedFormatError(f"key {name} is not a string: {item[name]}")
        return self._row(table, keys, json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode(), size)

    def _row(self, table: str, keys: dict[str, str], object_json: bytes, size: int) -> tuple:
        hash_name, range_name, columns, index_columns = self.layout[table]
        hash_key = keys[hash_name].encode()
        hash_value = self._hash(hash_key)
        values = {"hashKey": hash_key, "hashValue": hash_value, "itemSize": size, "ObjectJSON": object_json}
        if range_name:
            range_key = keys[range_name].encode()
            range_value = self._hash(range_key)
            values.update(rangeKey=range_key, rangeValue=range_value,
                          hashRangeValue=self._hash(hash_value, range_value))
        for column, attribute in index_columns.items():
            value = keys.get(attribute) if attribute else None
            values[column] = value.encode() if value is not None else None
        return tuple(values.get(column) for column in columns)

    def _check(self, reference) -> list[int]:
        sizes = []
        for table, item in reference:
            hash_name, range_name, columns, _ = self.layout[table]
            where = " AND ".join(f"{c} = ?" for c in ("hashKey", "rangeKey")[:2 if range_name else 1])
            keys = [item[hash_name]["S"].encode()] + ([item[range_name]["S"].encode()] if range_name else [])
            stored = self.db.execute(f'SELECT * FROM "{table}" WHERE {where}', keys).fetchone()
            if stored is None:
                raise SeedFormatError(f"DynamoDB Local's row for {keys} not found in its SQLite file")
            size = stored[columns.index("itemSize")]
            mine = self.row(table, item, size)
            for column, theirs, ours in zip(columns, stored, mine):
                same = json.loads(theirs) == json.loads(ours) if column == "ObjectJSON" else theirs == ours
                if not same:
                    raise SeedFormatError(f"DynamoDB Local stores {table}.{column} as {theirs!r}, not {ours!r}")
            sizes.append(size)
        return sizes

    def write(self, cloner: Cloner, clones, progress, task, chunk: int = 20_000) -> None:
        """The clones' rows, made from the template compiled to format strings (Cloner.compiled);
        one clone is first made both ways and must come out the same as Cloner.items makes it."""
        from bench.call_counter import item_size

        compiled, names = cloner.compiled(self.key_attributes)
        shift, number = BACKGROUND_SHIFT_DAYS, next(_CLONE_NUMBERS)  # numbers as long as the clones'
        mapping = cloner.mapping(number)
        expected = list(cloner.items(shift, number, mapping=mapping))
        made = list(self._clone(cloner, compiled, names, shift, mapping))
        for (table, item), (made_table, keys, text, _) in zip(expected, made, strict=True):
            if table != made_table or json.loads(text) != item or any(item[a]["S"] != v for a, v in keys.items()):
                raise SeedFormatError(f"the compiled template makes another item than Cloner.items: {text[:200]}")
        if [item_size(item) for _, item in expected] != self.reference_sizes:
            raise SeedFormatError("a clone's items differ in size from the reference's (itemSize is copied)")
        inserts = {table: f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                   for table, (_, _, columns, _) in self.layout.items()}
        rows: dict[str, list] = {table: [] for table in self.layout}
        pending = 0
        for shift, number, mapping in clones:
            mapping = mapping or cloner.mapping(number)
            for table, keys, text, position in self._clone(cloner, compiled, names, shift, mapping):
                rows[table].append(self._row(table, keys, text.encode(), self.sizes[position]))
            pending += len(compiled)
            if pending >= chunk:
                self._insert(inserts, rows)
                progress.advance(task, pending)
                pending = 0
        self._insert(inserts, rows)
        progress.advance(task, pending)
        self.db.close()

    @staticmethod
    def _clone(cloner: Cloner, compiled, names, shift: int, mapping: dict):
        values = {names[token]: value for token, value in mapping.items()}
        for position, (table, _, text, keys, dated) in enumerate(compiled):
            item = None
            for name, key in dated:
                if item is None:
                    item = cloner.template[table][compiled[position][1]]
                values[name] = cloner.dated(table, compiled[position][1], key, item, mapping, shift)
            yield table, {a: form.format_map(values) for a, form in keys.items()}, text.format_map(values), position

    def _insert(self, inserts, rows) -> None:
        """One transaction per chunk: DynamoDB Local sees whole accounts only."""
        self.db.execute("BEGIN")
        for table, batch in rows.items():
            if batch:
                self.db.executemany(inserts[table], batch)
                batch.clear()
        self.db.execute("COMMIT")
