"""Races on AWS DynamoDB Local: many threads hit the same keys at the same moment (a barrier releases
them together) and the store's conditional writes, atomic counters and version checks must let
exactly the right number through. moto is not thread-safe, so these run only in the DynamoDB Local
pass of `make test` (RENOVA_TEST_BACKEND=ddblocal) and are skipped on moto."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from types import SimpleNamespace

import boto3
import pytest
from botocore.config import Config

from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.services.invoicing.orders import Line, invoice_items, with_account_credit
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import InviteItem, MemberItem, invite_sk, member_sk
from chalicelib.store.audit import AuditItem, audit_pk
from chalicelib.store.base import BaseMeta, account_pk
from chalicelib.store.counters import (
    NossoNumeroExhausted,
    allocate_nosso_numero,
    counter_key,
    current_nosso_numero,
)
from chalicelib.store.invoices import INVOICE_COUNTER_SK, InvoiceCounterItem, InvoiceItem
from tests import ddblocal

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto is not thread-safe: runs in the DynamoDB Local pass"),
]


class FixedClock:
    def now(self):
        return datetime(2025, 3, 10, 12, 0, tzinfo=timezone.utc)


CLOCK = FixedClock()


def race(count: int, action):
    """Run action(i) for i in range(count) on `count` threads released together; return
    [("ok", result) | ("error", exception)] in order."""
    barrier = threading.Barrier(count)

    def run(i):
        barrier.wait(timeout=30)
        try:
            return "ok", action(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            return "error", exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def dynamodb(aws):
    """A DynamoDB Local client with a connection per thread (botocore clients are thread-safe)."""
    return boto3.client(
        "dynamodb", endpoint_url=aws.settings.aws_endpoint_url, region_name=aws.settings.aws_region,
        config=Config(max_pool_connections=64),
    )


def new_account(aws, owner: str = "alice"):
    return aws.accounts.create(SimpleNamespace(user_id=owner, email=f"{owner}@example.com"), "Conta")


def audit_actions(account_id: str) -> list[str]:
    return sorted(item.action for item in AuditItem.query(audit_pk(account_id), consistent_read=True))


def transaction_refusals(conflict: Conflict) -> set[str]:
    """The DynamoDB cancellation reasons behind a Conflict raised by the account repository."""
    return {reason.code for reason in conflict.__cause__.cancellation_reasons if reason is not None}


def test_this_pass_really_runs_on_dynamodb_local_on_loopback(aws):
    from scripts.ddb_local import listening_addresses

    endpoint = ddblocal.endpoint()
    assert endpoint.startswith("http://127.0.0.1:")
    assert BaseMeta.host == aws.settings.aws_endpoint_url == endpoint
    dynamodb = aws.boto3_client("dynamodb")
    assert dynamodb.meta.endpoint_url == endpoint
    answer = dynamodb.list_tables()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["server"].startswith("Jetty")  # not moto's mock
    assert aws.settings.billing_table in answer["TableNames"]
    # What PynamoDB writes lands in DynamoDB Local too.
    account = new_account(aws)
    key = {"pk": {"S": account.pk}, "sk": {"S": account.sk}}
    assert dynamodb.get_item(TableName=aws.settings.billing_table, Key=key)["Item"]["name"] == {"S": "Conta"}
    if ddblocal._server is not None and ddblocal._server.loopback_only:
        assert listening_addresses(ddblocal._server.port) == {"127.0.0.1"}


def test_control_the_race_is_real_a_read_then_write_counter_repeats_numbers(aws, dynamodb):
    """The harness really overlaps requests: the same race on a naive get-then-put counter loses
    updates, which is what the atomic ADD of chalicelib.store.counters prevents."""
    table, key = aws.settings.billing_table, counter_key("999", "naive")

    def naive_allocation(_):
        item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        number = int(item["value"]["N"]) + 1 if item else 1
        dynamodb.put_item(TableName=table, Item={**key, "value": {"N": str(number)}})
        return number

    numbers = [value for status, value in race(50, naive_allocation) if status == "ok"]
    assert len(numbers) == 50 and len(set(numbers)) < 50


def test_50_concurrent_nosso_numero_allocations_get_50_distinct_numbers(aws, dynamodb):
    table = aws.settings.billing_table
    outcomes = race(50, lambda _: allocate_nosso_numero(dynamodb, table, "341", "0057-12345"))

    numbers = [value for status, value in outcomes if status == "ok"]
    assert [o for o in outcomes if o[0] == "error"] == []
    assert sorted(numbers) == list(range(1, 51))  # distinct, and no gap either
    assert current_nosso_numero(dynamodb, table, "341", "0057-12345") == 50


def test_concurrent_allocations_stop_exactly_at_the_bank_range_limit(aws, dynamodb):
    table = aws.settings.billing_table
    outcomes = race(50, lambda _: allocate_nosso_numero(dynamodb, table, "033", "0282033", max_value=20))

    numbers = sorted(value for status, value in outcomes if status == "ok")
    refused = [value for status, value in outcomes if status == "error"]
    assert numbers == list(range(1, 21))
    assert len(refused) == 30 and all(isinstance(e, NossoNumeroExhausted) for e in refused)
    assert current_nosso_numero(dynamodb, table, "033", "0282033") == 20


@pytest.mark.parametrize("writers", [2, 8])
def test_concurrent_saves_of_one_account_version_let_exactly_one_through(aws, writers):
    repo = aws.account_repository
    account_id = new_account(aws).account_id
    copies = [repo.get(account_id) for _ in range(writers)]  # everyone read version 1
    assert {copy.version for copy in copies} == {1}

    def save(i):
        copy = copies[i]
        copy.name = f"Nome {i}"
        repo.save_with_audit(copy, audit_entry(CLOCK, account_id, actor=f"user{i}", action=f"renamed.{i}",
                                               target=account_id))
        return i

    outcomes = race(writers, save)

    winners = [value for status, value in outcomes if status == "ok"]
    losers = [value for status, value in outcomes if status == "error"]
    assert len(winners) == 1, outcomes
    assert all(isinstance(e, Conflict) and e.code == "concurrent_update" for e in losers), losers
    for conflict in losers:  # refused by the version condition, or by DynamoDB's conflict detection
        assert transaction_refusals(conflict) <= {"ConditionalCheckFailed", "TransactionConflict"}
    stored = repo.get(account_id)
    assert (stored.name, stored.version) == (f"Nome {winners[0]}", 2)
    assert audit_actions(account_id) == sorted(["account.created", f"renamed.{winners[0]}"])


def test_two_concurrent_invitations_of_one_e_mail_make_one_member(aws):
    repo = aws.account_repository
    account_id = new_account(aws).account_id

    def invite(i):
        member = MemberItem(pk=account_pk(account_id), sk=member_sk(f"inv_{i}"), account_id=account_id,
                            user_id=f"inv_{i}", email="bruno@example.com", role="finance", invited=True,
                            created_at=CLOCK.now(), gsi1sk=account_pk(account_id))
        repo.invite(member, audit_entry(CLOCK, account_id, actor="alice", action="member.invited",
                                        target=f"inv_{i}"))
        return f"inv_{i}"

    outcomes = race(2, invite)

    winners = [value for status, value in outcomes if status == "ok"]
    losers = [value for status, value in outcomes if status == "error"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict) and losers[0].code == "member_exists"
    invitation = InviteItem.get(account_pk(account_id), invite_sk("bruno@example.com"), consistent_read=True)
    assert invitation.member_user_id == winners[0]
    assert sorted(m.user_id for m in repo.list_members(account_id)) == sorted(["alice", winners[0]])
    assert audit_actions(account_id) == ["account.created", "member.invited"]


@pytest.mark.parametrize("writers", [2, 12])
def test_concurrent_invoices_of_one_account_get_consecutive_numbers_none_twice(aws, writers):
    """Every writer reads the account's counter, takes the next number and commits the invoice with the
    counter in one transaction; the losers of a round are refused whole and read again. In the end
    the numbers are 1..writers: none repeated, none skipped."""
    account_id = new_account(aws).account_id
    repository = aws.billing_repository
    refusals = []

    def create_invoice(i):
        for _ in range(writers):  # each round lets at least one writer through
            snapshot = repository.snapshot(account_id, consistent=True)
            order = with_account_credit([Line(f"Armazenamento adicional {i}", 1000 + i, "addon")], 0)
            invoice, related = invoice_items(account_id, order, origin="change", payment_method="boleto",
                                             now=CLOCK.now(), billed=[],
                                             number=snapshot.next_invoice_number(CLOCK.now().date()))
            writes = repository.writes()
            for item in (invoice, *related):
                writes.create(item)
            try:
                writes.commit()
                return invoice.number
            except ConcurrentUpdate as refused:
                refusals.append(refused)
        raise AssertionError(f"writer {i} never got through")

    outcomes = race(writers, create_invoice)

    assert [o for o in outcomes if o[0] == "error"] == []
    expected = [f"2025-{n:06d}" for n in range(1, writers + 1)]
    assert sorted(value for _, value in outcomes) == expected
    stored = InvoiceItem.query(account_pk(account_id), InvoiceItem.sk.startswith("~INV#"), consistent_read=True)
    assert sorted(invoice.number for invoice in stored) == expected
    assert InvoiceCounterItem.get(account_pk(account_id), INVOICE_COUNTER_SK, consistent_read=True).last == writers
    if writers > 2:
        assert refusals  # the race was real: some writers read a counter that moved before they committed
    for refused in refusals:
        assert transaction_refusals(refused) <= {"ConditionalCheckFailed", "TransactionConflict"}
