"""TTL as AWS implements it: DynamoDB Local's background sweeper deletes items whose `expires_at`
(epoch seconds) has passed, and leaves the others. moto never expires anything, so this runs only in
the DynamoDB Local pass. AWS itself deletes expired items within days, not seconds: until then
they are still returned, so reads that care must compare `expires_at` with the clock themselves."""
import time

import pytest

from tests import ddblocal

pytestmark = [
    pytest.mark.ddblocal,
    pytest.mark.skipif(not ddblocal.ACTIVE, reason="moto never expires TTL items: runs in the DynamoDB Local pass"),
]

SWEEP_TIMEOUT = 45  # seconds; DynamoDB Local 1.25 sweeps about every 10 s


def test_expired_items_are_deleted_by_ttl_and_live_ones_stay(aws):
    dynamodb = aws.boto3_client("dynamodb")
    table = aws.settings.idempotency_table
    now = int(time.time())
    items = {
        "expired": {"pk": {"S": "IDEMPOTENCY#expired"}, "expires_at": {"N": str(now - 60)}},
        "live": {"pk": {"S": "IDEMPOTENCY#live"}, "expires_at": {"N": str(now + 3600)}},
        "forever": {"pk": {"S": "IDEMPOTENCY#forever"}},
    }
    for item in items.values():
        dynamodb.put_item(TableName=table, Item=item)

    def present(name: str) -> bool:
        key = {"pk": items[name]["pk"]}
        return "Item" in dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True)

    deadline = time.monotonic() + SWEEP_TIMEOUT
    while present("expired") and time.monotonic() < deadline:
        time.sleep(0.5)

    assert not present("expired"), f"TTL did not delete an expired item within {SWEEP_TIMEOUT}s"
    assert present("live") and present("forever")
