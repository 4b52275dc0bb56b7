"""The world the benchmarks run in: the app's AWS resources on moto (or DynamoDB Local), the app's
own container with a fixed clock, Chalice's test client, and accounts made through the real API.

Large tables are filled by cloning such an account: bench/seeding/.
"""
from __future__ import annotations

import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from bench import backend, call_counter

if "RENOVA_STAGE" not in os.environ:  # imported on its own: configure as `python -m bench` would
    backend.configure()
call_counter.install()  # idempotent; under pytest, this import (at collection) precedes every client

from chalicelib.adapters.clock import SAO_PAULO, FixedClock  # noqa: E402
from chalicelib.wiring import Container, _client, set_container  # noqa: E402

if TYPE_CHECKING:
    from bench.seeding.templates import Template

# Saturday 5 December 2026, 20:00 in São Paulo: inside the backup window, downloads allowed (weekend).
BENCH_NOW = datetime(2026, 12, 5, 20, 0, tzinfo=SAO_PAULO)


class BenchContainer(Container):
    """The app's container in its production shape, so calls are counted as AWS would bill them:
    a fixed clock (the local stage's settable clock reads the store on every `now()`), e-mails sent
    through SES without the local outbox copy, events on the bus without the local stage's in-process
    delivery to the metrics consumer, and DynamoDB alone on DynamoDB Local when asked."""

    def boto3_client(self, service: str):
        endpoint = self.settings.aws_endpoint_url if service == "dynamodb" else None
        return _client(service, self.settings.aws_region, endpoint)

    @cached_property
    def mailer(self):
        from chalicelib.adapters.email import SesMailer

        return SesMailer(self.boto3_client("ses"), self.settings.email_sender)

    @cached_property
    def events(self):
        """The bus alone, as deployed: its rule delivers to the metrics consumer, a Lambda of its own
        (bench/bench_metrics.py counts it), not inside the request or job that published."""
        from chalicelib.adapters.events import EventBridgePublisher

        return EventBridgePublisher(self.boto3_client("events"), self.settings.event_bus, self.clock)


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
        content_type = {k.lower(): v for k, v in (response.headers or {}).items()}.get("content-type", "")
        if not response.body:
            data = None
        elif "json" in content_type:
            data = json.loads(response.body)
        else:  # a text answer (the metrics' CSV)
            data = response.body.decode("utf-8")
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


def subscribed_account(world: World, *, paid: bool) -> dict:
    """A customer as the benchmarks of one payment path start from: an account with billing data and a
    monthly Operand Pro subscription (2 licenses) by boleto, its first invoice paid by Pix (through the
    local gateway's webhook) when `paid`. Its `account_id`, `owner` token, `subscription_id`, `invoice_id`."""
    api = world.api
    owner = api.token(new_id("usr"))
    account_id = api.ok("POST", "/v1/accounts", owner, {"name": "Conta de benchmark"})["id"]
    api.ok("PUT", f"/v1/accounts/{account_id}/billing-data", owner, VALID_BILLING_DATA)
    subscribed = api.ok("POST", f"/v1/accounts/{account_id}/subscriptions", owner,
                        {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                         "payment_method": "boleto"})
    if paid:
        api.ok("POST", "/v1/_dev/gateway/pay", None, {"invoice_id": subscribed["invoice_id"], "method": "pix"})
    return {"account_id": account_id, "owner": owner, "subscription_id": subscribed["id"],
            "invoice_id": subscribed["invoice_id"]}


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
