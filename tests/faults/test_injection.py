"""The fault injector itself: a faulted call never reaches the backend, botocore parses the fault as
DynamoDB's own answer, other services and unmatched calls pass untouched, and `crash_after` kills
the caller after exactly n writes."""
import pytest
from botocore.exceptions import ClientError

from tests.faults.injection import (
    ALWAYS, TRANSACTION_CONFLICT, DynamoFaults, SimulatedCrash, crash_after, fail, throttle,
)

pytestmark = pytest.mark.ddblocal


def _put(aws, pk: str):
    aws.boto3_client("dynamodb").put_item(TableName=aws.settings.billing_table,
                                          Item={"pk": {"S": pk}, "sk": {"S": "X"}, "type": {"S": "probe"}})


def _exists(aws, pk: str) -> bool:
    item = aws.boto3_client("dynamodb").get_item(TableName=aws.settings.billing_table,
                                                 Key={"pk": {"S": pk}, "sk": {"S": "X"}}, ConsistentRead=True)
    return "Item" in item


def test_a_faulted_call_is_answered_by_the_fault_and_never_reaches_the_backend(aws):
    with DynamoFaults().add(throttle("PutItem", times=ALWAYS)) as faults:
        with pytest.raises(ClientError) as error:
            _put(aws, "PROBE#1")
    assert error.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert faults.attempts("PutItem") == faults.injected["PutItem"] > 1  # the client retried
    assert len(faults.backoff_sleeps) == faults.attempts("PutItem") - 1
    assert not _exists(aws, "PROBE#1")


def test_after_the_faults_the_call_goes_through_once(aws):
    with DynamoFaults().add(throttle("PutItem", times=2)) as faults:
        _put(aws, "PROBE#2")
    assert faults.attempts("PutItem") == 3 and faults.injected["PutItem"] == 2
    assert _exists(aws, "PROBE#2")


def test_a_cancelled_transaction_carries_one_reason_per_item(aws):
    table = aws.settings.billing_table
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"PROBE#{n}"}, "sk": {"S": "X"}}}} for n in (3, 4)]
    with DynamoFaults().add(fail(TRANSACTION_CONFLICT, "TransactWriteItems")):
        with pytest.raises(ClientError) as error:
            aws.boto3_client("dynamodb").transact_write_items(TransactItems=items)
    response = error.value.response
    assert response["Error"]["Code"] == "TransactionCanceledException"
    assert sorted(reason["Code"] for reason in response["CancellationReasons"]) == ["None", "TransactionConflict"]
    assert not _exists(aws, "PROBE#3") and not _exists(aws, "PROBE#4")


def test_other_operations_and_other_services_pass_untouched(aws):
    with DynamoFaults().add(throttle("DeleteItem", times=ALWAYS)) as faults:
        _put(aws, "PROBE#5")
        aws.boto3_client("s3").list_buckets()
    assert _exists(aws, "PROBE#5")
    assert faults.injected == {} and faults.calls["PutItem"] == 1 and "ListBuckets" not in faults.calls


def test_crash_after_kills_the_caller_at_the_next_write_and_the_app_cannot_catch_it(aws):
    with DynamoFaults().add(crash_after(2)):
        _put(aws, "PROBE#6")
        _put(aws, "PROBE#7")
        with pytest.raises(SimulatedCrash):
            try:
                _put(aws, "PROBE#8")
            except Exception:  # noqa: BLE001 — what the app's handlers catch: not a kill
                pytest.fail("a simulated crash must not be an Exception")
    assert [_exists(aws, f"PROBE#{n}") for n in (6, 7, 8)] == [True, True, False]
