"""The retention purge (PRODUCT.md §9): 90 days after cancellation nothing of the
account is left in any table or in the bucket, except anonymised invoices and payments and the
tombstone; a purge killed halfway and run again ends exactly where an uninterrupted one does.

Test code may Scan moto to look everywhere; chalicelib never does."""
import json
import re
import secrets
from collections import Counter
from contextlib import contextmanager
from datetime import date

import pytest

from chalicelib.adapters.events import RecordingPublisher
from chalicelib.store.ownership import owned_by
from chalicelib.store.raw import to_plain, to_wire
from chalicelib.store.base import BillingItem
from tests.support import VALID_BILLING_DATA

# Also runs on AWS DynamoDB Local (second pass of `make test`), see docs/reliability.md.
pytestmark = pytest.mark.ddblocal

CANCELLED_ON = date(2026, 1, 5)
PURGE_DAY = "2026-04-05T03:00:00-03:00"  # 90 days later, the job's hour
PERSONAL = ("Marcenaria Exemplo", "11222333000181", "Rua das Flores", "financeiro@exemplo.com.br",
            "@example.com", "Joana Pagadora", "4242")
EXTRA_ITEMS = 60  # items of a type the purge has never heard of, to spread deletes over batches


def at(client, instant: str) -> None:
    assert client.call("PUT", "/v1/_dev/clock", None, {"now": instant}).status_code == 200


def seed_account(client, aws, user: str) -> tuple[str, str]:
    """An account with data of every kind the product keeps: billing data, members, a subscription
    with its invoice, a card, a payment, a request thread, a generated backup, an invoice PDF,
    e-mails in the outbox, a lookup item elsewhere in the table, and its audit trail."""
    account_id, owner = client.create_account(user, f"Conta {user}")
    path = f"/v1/accounts/{account_id}"
    assert client.call("PUT", f"{path}/billing-data", owner, VALID_BILLING_DATA).status_code == 200
    client.call("POST", f"{path}/members", owner, {"email": f"{user}-fin@example.com", "role": "finance"})
    subscribed = client.call("POST", f"{path}/subscriptions", owner, {
        "product_id": "operand-pro", "periodicity": "monthly", "quantity": 2, "payment_method": "boleto"})
    assert subscribed.status_code == 201, subscribed.data
    card = {"gateway_token": "pm_test_abc", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    assert client.call("PUT", f"{path}/card", owner, card).status_code == 200
    request_id = client.call("POST", f"{path}/requests", owner, {"type": "nota_fiscal", "text": "NF de janeiro"}).data["id"]
    client.call("POST", f"{path}/requests/{request_id}/messages", owner, {"text": "Alguma novidade?"})
    client.call("POST", f"{path}/backups", owner, {"run_at": "2026-01-05T20:00:00-03:00"})
    invoice_id = subscribed.data["invoice_id"]
    aws.files.put(f"invoices/{account_id}/{invoice_id}/1.pdf", b"%PDF boleto de Joana Pagadora", "application/pdf")
    table = aws.raw_table
    # A payment as the settlement issue will record it, with personal data beside the fiscal facts.
    table.put_items([{
        "pk": f"ACCOUNT#{account_id}", "sk": f"~PAY#pay_{user}", "type": "payment", "account_id": account_id,
        "payment_id": f"pay_{user}", "invoice_id": invoice_id, "amount_cents": 19800, "method": "card",
        "paid_at": "2026-01-06T10:00:00-03:00", "source": "gateway", "payer_name": "Joana Pagadora",
        "payer_email": f"joana@{user}.example.com", "card_last4": "4242",
    }])
    lookup_pk = f"NOSSO#001#{secrets.token_hex(4)}"  # keyed by something else than the account
    lookup = {"pk": lookup_pk, "sk": "NOSSO", "type": "nosso_numero_ref", "account_id": account_id,
              "invoice_id": invoice_id, **owned_by(account_id, lookup_pk, "NOSSO")}
    extras = [{"pk": f"ACCOUNT#{account_id}", "sk": f"~NOTE#{n:03d}", "type": "note", "account_id": account_id,
               "text": f"nota {n} de {user}@example.com"} for n in range(EXTRA_ITEMS)]
    table.put_items([lookup, *extras])
    return account_id, owner


def scan(aws, table: str) -> list[dict]:
    client, items, start = aws.boto3_client("dynamodb"), [], None
    while True:
        page = client.scan(TableName=table, **({"ExclusiveStartKey": start} if start else {}))
        items += [to_plain(item) for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def items_mentioning(aws, account_id: str) -> list[dict]:
    settings = aws.settings
    every = scan(aws, settings.billing_table) + scan(aws, settings.idempotency_table)
    return [item for item in every if account_id in json.dumps(item, default=str)]


def s3_keys(aws, account_id: str) -> list[str]:
    s3 = aws.boto3_client("s3")
    contents = s3.list_objects_v2(Bucket=aws.settings.files_bucket).get("Contents", [])
    return [obj["Key"] for obj in contents if account_id in obj["Key"]]


_BOLETO_FIELDS = {"barcode", "digitable_line", "nosso_numero", "pix_payload", "pdf_key"}


def _without_boleto_numbers(value):
    """Each boleto has its own nosso número (and so barcode, lines, Pix, PDF): masked, like ids."""
    if isinstance(value, dict):
        return {k: "<boleto>" if k in _BOLETO_FIELDS and v else _without_boleto_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_boleto_numbers(v) for v in value]
    return value


def normalised(items: list[dict], account_id: str) -> Counter:
    """Items with the account id, generated ids, boleto numbers and instants masked, to compare two purges."""
    def mask(item):
        text = json.dumps(_without_boleto_numbers(item), sort_keys=True, default=str).replace(account_id, "<acc>")
        text = re.sub(r"\b(inv|pay|sub|req|msg|bkp)_\w+", r"\1_*", text)
        return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?", "<instant>", text)
    return Counter(mask(item) for item in items)


@pytest.fixture
def world(client, aws):
    """A cancelled account (the victim), a bystander, both with the same kinds of data."""
    at(client, "2026-01-05T10:00:00-03:00")
    victim, victim_owner = seed_account(client, aws, "vitor")
    bystander, _ = seed_account(client, aws, "bia")
    at(client, "2026-01-05T20:00:00-03:00")
    assert client.call("POST", "/v1/_dev/jobs/run-backups").data["generated"] == 2
    aws.events = RecordingPublisher(aws.clock)
    aws.retention.schedule_purge(victim, CANCELLED_ON, actor="alice", reason="conta cancelada")
    return {"victim": victim, "owner": victim_owner, "bystander": bystander}


@contextmanager
def scans_counted(aws):
    """Every Scan sent by the app's botocore clients: boto3's and PynamoDB's."""
    scans = []
    clients = [aws.boto3_client("dynamodb"), BillingItem._get_connection().connection.client]

    def count_scan(**kwargs):
        scans.append(kwargs.get("params"))

    for dynamodb in clients:
        dynamodb.meta.events.register("before-call.dynamodb.Scan", count_scan)
    try:
        yield scans
    finally:
        for dynamodb in clients:
            dynamodb.meta.events.unregister("before-call.dynamodb.Scan", count_scan)


@pytest.fixture
def small_world(client, aws):
    """A cancelled account with a request thread only: for the job's bookkeeping."""
    at(client, "2026-01-05T10:00:00-03:00")
    account_id, owner = client.create_account("vitor")
    client.call("POST", f"/v1/accounts/{account_id}/requests", owner, {"type": "other", "text": "Oi"})
    aws.events = RecordingPublisher(aws.clock)
    aws.retention.schedule_purge(account_id, CANCELLED_ON)
    return {"victim": account_id, "owner": owner}


def purge_job(client) -> dict:
    response = client.call("POST", "/v1/_dev/jobs/purge-accounts")
    assert response.status_code == 200, response.data
    return response.data


def assert_fully_purged(aws, account_id: str) -> None:
    left = items_mentioning(aws, account_id)
    kinds = Counter((item["pk"].split("#")[0], item.get("record_type") or item["sk"]) for item in left)
    assert kinds == Counter({("TAX", "invoice"): 1, ("TAX", "payment"): 1, ("AUDIT", "TOMBSTONE"): 1}), kinds
    for item in left:
        text = json.dumps(item, default=str)
        assert not [word for word in PERSONAL if word in text], item
    assert s3_keys(aws, account_id) == []


def test_before_the_90_days_the_owner_still_logs_in_and_downloads_a_backup(client, aws, world):
    victim, owner = world["victim"], world["owner"]
    at(client, "2026-03-01T10:00:00-03:00")  # a Sunday, 55 days after cancellation
    assert purge_job(client)["purged"] == 0
    assert client.call("GET", f"/v1/accounts/{victim}", owner).status_code == 200
    backups = f"/v1/accounts/{victim}/backups"
    assert client.call("POST", backups, owner, {"run_at": "2026-03-01T20:00:00-03:00"}).status_code == 201
    at(client, "2026-03-01T20:00:00-03:00")
    assert client.call("POST", "/v1/_dev/jobs/run-backups").data["generated"] == 1
    newest = client.call("GET", backups, owner).data["items"][0]
    download = client.call("GET", f"{backups}/{newest['id']}/download", owner)
    assert download.status_code == 200, download.data
    assert aws.retention.scheduled_purge(victim) == date(2026, 4, 5)


def test_after_90_days_nothing_of_the_account_is_left_but_tax_records_and_the_tombstone(client, aws, world):
    victim, bystander = world["victim"], world["bystander"]
    bystander_before = normalised(items_mentioning(aws, bystander), bystander)
    bystander_files = s3_keys(aws, bystander)
    at(client, PURGE_DAY)
    with scans_counted(aws) as scans:
        summary = purge_job(client)
    assert (summary["purged"], summary["failed"]) == (1, 0)
    assert scans == []  # the job finds its work in the due index; the purge Queries the account's partitions

    assert_fully_purged(aws, victim)
    tax = {record.record_type: record for record in aws.retention_repository.tax_records(victim)}
    invoice, payment = tax["invoice"].data.as_dict(), tax["payment"].data.as_dict()
    assert invoice["total_cents"] == 19800 and invoice["lines"][0]["amount_cents"] == 19800
    assert (payment["amount_cents"], payment["method"]) == (19800, "card")
    assert tax["invoice"].kept_until == "2031-01-05" and tax["payment"].kept_until == "2031-01-06"
    tombstone = aws.audit_repository.list(victim, 10)[0][0]
    assert (tombstone.action, tombstone.actor) == ("account.purged", "job:purge-accounts")
    assert tombstone.after.as_dict()["purged_on"] == "2026-04-05"
    [event] = aws.events.published
    assert (event["type"], event["account_id"], event["data"]["purged_on"]) == ("account.purged", victim, "2026-04-05")
    assert event["data"]["tax_records_kept"] == 2

    # The bystander is untouched, and the victim's owner is now a stranger to the account.
    assert normalised(items_mentioning(aws, bystander), bystander) == bystander_before
    assert s3_keys(aws, bystander) == bystander_files
    assert client.call("GET", f"/v1/accounts/{victim}", world["owner"]).status_code == 404
    # Idempotent: the work item is gone, a second run and a direct call do nothing.
    assert purge_job(client)["purged"] == 0
    left = normalised(items_mentioning(aws, victim), victim)
    assert aws.purger.purge(victim, date(2026, 4, 6)) is None
    assert normalised(items_mentioning(aws, victim), victim) == left


class Crash(Exception):
    pass


def test_a_purge_killed_halfway_finishes_with_the_same_result_when_run_again(client, aws, world):
    victim = world["victim"]
    # A twin account, purged without interruption, is what the crashed purge must end up like.
    at(client, "2026-01-05T10:00:00-03:00")
    twin, _ = seed_account(client, aws, "vitor")
    at(client, "2026-01-05T21:00:00-03:00")
    client.call("POST", "/v1/_dev/jobs/run-backups")
    aws.retention.schedule_purge(twin, CANCELLED_ON, actor="alice", reason="conta cancelada")
    at(client, PURGE_DAY)
    assert aws.purger.purge(twin, date(2026, 4, 5)) is not None

    dynamodb = aws.boto3_client("dynamodb")
    calls = []

    def crash_on_fourth_batch(**kwargs):
        calls.append(1)
        if len(calls) == 4:  # tax copies and two pages of deletes are done, then the process dies
            raise Crash()

    dynamodb.meta.events.register("before-call.dynamodb.BatchWriteItem", crash_on_fourth_batch)
    try:
        with pytest.raises(Crash):
            aws.purger.purge(victim, date(2026, 4, 5))
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.BatchWriteItem", crash_on_fourth_batch)

    halfway = items_mentioning(aws, victim)
    assert any(item["pk"] == f"RETENTION#{victim}" for item in halfway)  # still scheduled: will resume
    assert any(item["pk"] == f"TAX#{victim}" for item in halfway)
    live = [item for item in halfway if item["pk"] == f"ACCOUNT#{victim}"]
    assert 0 < len(live) < EXTRA_ITEMS  # some deleted, some not
    assert aws.events.published == [] or all(e["account_id"] == twin for e in aws.events.published)

    summary = purge_job(client)  # the next run finds it in the due index and finishes
    assert (summary["purged"], summary["failed"]) == (1, 0)
    assert_fully_purged(aws, victim)
    assert normalised(items_mentioning(aws, victim), victim) == normalised(items_mentioning(aws, twin), twin)
    victim_events = [e for e in aws.events.published if e["account_id"] == victim]
    assert len(victim_events) == 1


def test_a_failing_purge_keeps_the_job_checkpoint_before_its_day(client, aws, small_world):
    victim = small_world["victim"]
    dynamodb = aws.boto3_client("dynamodb")

    def always_fail(**kwargs):
        raise Crash()

    at(client, PURGE_DAY)
    dynamodb.meta.events.register("before-call.dynamodb.BatchWriteItem", always_fail)
    try:
        summary = purge_job(client)
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.BatchWriteItem", always_fail)
    assert (summary["purged"], summary["failed"]) == (0, 1)
    assert aws.checkpoints.get("purge-accounts") is None or aws.checkpoints.get("purge-accounts") < date(2026, 4, 5)
    at(client, "2026-04-08T03:00:00-03:00")  # three days later: the job catches the missed purge up
    assert purge_job(client)["purged"] == 1
    assert [item["sk"] for item in items_mentioning(aws, victim)] == ["TOMBSTONE"]
    assert aws.checkpoints.get("purge-accounts") == date(2026, 4, 8)


def test_a_cancelled_purge_leaves_the_account_alone(client, aws, small_world):
    victim = small_world["victim"]
    assert aws.retention.cancel_purge(victim, actor="alice", reason="reativada")
    assert not aws.retention.cancel_purge(victim)
    at(client, PURGE_DAY)
    assert purge_job(client)["purged"] == 0
    assert client.call("GET", f"/v1/accounts/{victim}", small_world["owner"]).status_code == 200
    actions = [e.action for e in aws.audit_repository.list(victim, 3)[0]]
    assert actions[0] == "account.purge_cancelled"


def test_wire_round_trip_keeps_types():
    item = {"pk": "A", "sk": "B", "n": 5, "m": {"x": [1, "y"]}, "none": None}
    assert to_plain(to_wire(item)) == {"pk": "A", "sk": "B", "n": 5, "m": {"x": [1, "y"]}}


# --- the account's customer at the card gateway (saving a card created it) -----------------------

def gateway_customer_of(aws, account_id: str) -> str:
    return aws.billing_repository.snapshot(account_id).card.gateway_customer


def test_the_purge_deletes_the_account_customer_at_the_card_gateway_once(client, aws, world):
    victim, bystander = world["victim"], world["bystander"]
    customer = gateway_customer_of(aws, victim)
    assert customer and customer != gateway_customer_of(aws, bystander)
    at(client, PURGE_DAY)
    assert purge_job(client)["purged"] == 1
    assert aws.card_gateway.deleted_customers == [(customer, f"renova-delete-customer-{victim}")]
    assert_fully_purged(aws, victim)

    at(client, "2026-04-06T03:00:00-03:00")  # the next run, and a direct call: nothing is left to delete
    assert purge_job(client)["purged"] == 0
    assert aws.purger.purge(victim, date(2026, 4, 6)) is None
    assert len(aws.card_gateway.deleted_customers) == 1


def test_an_account_that_never_saved_a_card_is_purged_without_asking_the_gateway(client, aws, small_world):
    at(client, PURGE_DAY)
    assert purge_job(client)["purged"] == 1
    assert aws.card_gateway.deleted_customers == []


def test_a_gateway_that_does_not_answer_leaves_the_purge_to_the_next_run(client, aws, world):
    victim = world["victim"]
    customer = gateway_customer_of(aws, victim)
    aws.card_gateway.unavailable = 1
    at(client, PURGE_DAY)
    summary = purge_job(client)
    assert (summary["purged"], summary["failed"]) == (0, 1)
    left = items_mentioning(aws, victim)
    assert any(item["pk"] == f"RETENTION#{victim}" for item in left)  # still scheduled
    assert any(item["sk"] == "GATEWAY_CUSTOMER" for item in left)  # the customer's id is not lost
    assert not [item for item in left if item["sk"] == "TOMBSTONE"]
    assert aws.card_gateway.deleted_customers == [] and aws.events.published == []
    assert aws.checkpoints.get("purge-accounts") is None or aws.checkpoints.get("purge-accounts") < date(2026, 4, 5)

    at(client, "2026-04-06T03:00:00-03:00")  # the gateway answers again: the next run finishes
    summary = purge_job(client)
    assert (summary["purged"], summary["failed"]) == (1, 0)
    assert aws.card_gateway.deleted_customers == [(customer, f"renova-delete-customer-{victim}")]
    assert_fully_purged(aws, victim)
    assert [e["type"] for e in aws.events.published if e["account_id"] == victim] == ["account.purged"]
