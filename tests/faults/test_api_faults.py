"""DynamoDB throttling and transaction conflicts injected under the routes that exist today
(account creation, member invitation, billing data): the request either succeeds after retries with
backoff, or answers 429/409 in the error shape — and in both cases nothing is written twice and
nothing is half-written (no account without its owner, no change without its audit entry).

Runs on moto in the fast pass and on AWS DynamoDB Local in the second pass (marker `ddblocal`): the
faults are injected in botocore, in front of either backend (tests/faults/injection.py)."""
from dataclasses import dataclass
from typing import Callable

import pytest

from chalicelib.store import base
from tests.faults.injection import (
    ALWAYS, INTERNAL_SERVER_ERROR, TRANSACTION_IN_PROGRESS, TRANSACTION_THROTTLED, DynamoFaults, Rule, fail,
    throttle, transaction_conflict,
)
from tests.faults.tables import billing_items, dump_tables
from tests.support import VALID_BILLING_DATA, make_token

pytestmark = pytest.mark.ddblocal

OWNER = "fault-owner"


@pytest.fixture(autouse=True)
def app_backoff(monkeypatch):
    """The app's own backoff between transaction attempts, recorded instead of slept."""
    sleeps = []
    monkeypatch.setattr(base, "_sleep", sleeps.append)
    return sleeps


@dataclass
class Scenario:
    name: str
    prepare: Callable  # (client) -> context dict
    send: Callable     # (client, context) -> response
    success: int


def _account(client):
    account_id, token = client.create_account(OWNER)
    return {"account_id": account_id, "token": token}


SCENARIOS = [
    Scenario("create account", lambda client: {"token": make_token(OWNER)},
             lambda client, ctx: client.call("POST", "/v1/accounts", ctx["token"], {"name": "Conta sob falhas"}),
             201),
    Scenario("invite member", _account,
             lambda client, ctx: client.call("POST", f"/v1/accounts/{ctx['account_id']}/members", ctx["token"],
                                             {"email": "convidada@example.com", "role": "finance"}),
             201),
    Scenario("billing data", _account,
             lambda client, ctx: client.call("PUT", f"/v1/accounts/{ctx['account_id']}/billing-data",
                                             ctx["token"], VALID_BILLING_DATA),
             200),
]
SCENARIO_IDS = [s.name for s in SCENARIOS]

# (id, rule factory, operation whose attempts are counted, who backs off)
RECOVERABLE = [
    ("2x ProvisionedThroughputExceeded on the transaction",
     lambda: throttle("TransactWriteItems", times=2), "TransactWriteItems", "botocore"),
    ("3x ThrottlingException on the transaction",
     lambda: throttle("TransactWriteItems", times=3, code="ThrottlingException"), "TransactWriteItems", "botocore"),
    ("2x RequestLimitExceeded on the first read",
     lambda: throttle("GetItem", "Query", times=2, code="RequestLimitExceeded"), None, "botocore"),
    ("1x TransactionInProgress", lambda: fail(TRANSACTION_IN_PROGRESS, "TransactWriteItems"),
     "TransactWriteItems", "botocore"),
    ("1x InternalServerError", lambda: fail(INTERNAL_SERVER_ERROR, "TransactWriteItems"),
     "TransactWriteItems", "botocore"),
    ("2x TransactionConflict", lambda: transaction_conflict(times=2), "TransactWriteItems", "app"),
    ("1x transaction cancelled for ThrottlingError",
     lambda: fail(TRANSACTION_THROTTLED, "TransactWriteItems"), "TransactWriteItems", "app"),
]

# (id, rule factory, status, code)
EXHAUSTED = [
    ("transaction always throttled", lambda: throttle("TransactWriteItems", times=ALWAYS), 429, "too_many_requests"),
    ("every call throttled", lambda: throttle(times=ALWAYS, code="ThrottlingException"), 429, "too_many_requests"),
    ("transaction always in conflict", lambda: transaction_conflict(times=ALWAYS), 409, "transaction_conflict"),
    ("transaction always cancelled for ThrottlingError",
     lambda: fail(TRANSACTION_THROTTLED, "TransactWriteItems", times=ALWAYS), 429, "too_many_requests"),
]


def state(aws) -> dict:
    """What must hold whatever happens: the whole tables, and their invariants checked."""
    accounts = billing_items(aws, "account")
    members = billing_items(aws, "member")
    owners = {(m["account_id"]) for m in members if m["role"] == "owner"}
    assert {a["account_id"] for a in accounts} == owners, "an account without its owner, or the reverse"
    invites = billing_items(aws, "invite")
    pending = {(m["account_id"], m["user_id"]) for m in members if m["invited"]}
    assert {(i["account_id"], i["member_user_id"]) for i in invites} == pending, "an invitation half-written"
    return dump_tables(aws)


def changes(before: dict, after: dict) -> dict[str, list]:
    added = {}
    for table, items in after.items():
        new = [item for item in items if item not in before[table]]
        if new:
            added[table] = new
    return added


def item_types(added: dict, aws) -> list[str]:
    return sorted(item["type"]["S"] for item in added.get(aws.settings.billing_table, []))


EXPECTED_WRITES = {  # the item types one clean request adds (an update replaces its item: counted once)
    "create account": ["account", "audit", "member"],
    "invite member": ["audit", "invite", "member", "outbox"],  # outbox: the local stage keeps sent e-mails
    "billing data": ["account", "audit"],
}


def clean_run(client, aws, scenario) -> list[str]:
    ctx = scenario.prepare(client)
    before = state(aws)
    response = scenario.send(client, ctx)
    assert response.status_code == scenario.success, response.data
    return item_types(changes(before, state(aws)), aws)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_a_clean_request_writes_what_the_fault_runs_compare_with(client, aws, scenario):
    assert clean_run(client, aws, scenario) == EXPECTED_WRITES[scenario.name]


@pytest.mark.parametrize("fault_id, rule, operation, backoff", RECOVERABLE, ids=[r[0] for r in RECOVERABLE])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_transient_faults_are_retried_with_backoff_and_the_request_succeeds_once(
        client, aws, app_backoff, scenario, fault_id, rule, operation, backoff):
    ctx = scenario.prepare(client)
    before = state(aws)
    injected: Rule = rule()
    with DynamoFaults().add(injected) as faults:
        response = scenario.send(client, ctx)
    assert response.status_code == scenario.success, (fault_id, response.data)
    assert injected.fired == injected.times or injected.fired > 0
    if operation is not None:
        assert faults.attempts(operation) == faults.injected[operation] + 1  # every fault, then one success
    sleeps = faults.backoff_sleeps if backoff == "botocore" else app_backoff
    assert len(sleeps) == injected.fired and all(seconds >= 0 for seconds in sleeps) and sum(sleeps) > 0
    assert item_types(changes(before, state(aws)), aws) == EXPECTED_WRITES[scenario.name]


@pytest.mark.parametrize("fault_id, rule, status, code", EXHAUSTED, ids=[e[0] for e in EXHAUSTED])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=SCENARIO_IDS)
def test_when_dynamodb_stays_busy_the_answer_is_429_or_409_and_nothing_is_written(
        client, aws, scenario, fault_id, rule, status, code):
    ctx = scenario.prepare(client)
    before = state(aws)
    with DynamoFaults().add(rule()) as faults:
        response = scenario.send(client, ctx)
    assert response.status_code == status, (fault_id, response.status_code, response.data)
    assert set(response.data["error"]) == {"code", "message", "details"}
    assert response.data["error"]["code"] == code
    if status == 429:  # how long to wait, for a client that reads headers only
        assert response.headers["Retry-After"] == "1"
    assert sum(faults.injected.values()) >= 2  # it was retried before giving up
    assert changes(before, state(aws)) == {}
    # And the same request, once DynamoDB recovers, goes through once.
    response = scenario.send(client, ctx)
    assert response.status_code == scenario.success, response.data
    assert item_types(changes(before, state(aws)), aws) == EXPECTED_WRITES[scenario.name]
