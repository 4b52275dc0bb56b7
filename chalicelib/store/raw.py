"""Low-level access to the billing table for code that handles items of every type at once: the
backup export and the retention purge. Items are plain dicts (boto3's type (de)serializer: numbers
are Decimal); every call goes through one injected botocore client, so callers can count them."""
import time
from collections.abc import Iterator

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_BATCH = 25  # BatchWriteItem accepts at most 25 requests
_MAX_ATTEMPTS = 8
_deserializer = TypeDeserializer()
_serializer = TypeSerializer()


def to_plain(item: dict) -> dict:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def to_wire(item: dict) -> dict:
    return {name: _serializer.serialize(value) for name, value in item.items() if value is not None}


def key_of(item: dict) -> dict:
    return {"pk": item["pk"], "sk": item["sk"]}


class RawTable:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    def partition(self, pk: str) -> Iterator[list[dict]]:
        """Every item of a partition, one list per page (consistent reads: a resumed purge must see
        what the crashed run already deleted)."""
        yield from self._pages(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                               ExpressionAttributeValues={":pk": {"S": pk}})

    def index_partition(self, index: str, hash_name: str, value: str) -> Iterator[list[dict]]:
        yield from self._pages(IndexName=index, KeyConditionExpression=f"{hash_name} = :v",
                               ExpressionAttributeValues={":v": {"S": value}})

    def count(self, pk: str) -> int:
        total, start = 0, None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self.client.query(TableName=self.name, KeyConditionExpression="pk = :pk",
                                     ExpressionAttributeValues={":pk": {"S": pk}}, Select="COUNT",
                                     ConsistentRead=True, **kwargs)
            total += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return total

    def get(self, pk: str, sk: str) -> dict | None:
        item = self.client.get_item(TableName=self.name, Key=to_wire({"pk": pk, "sk": sk}),
                                    ConsistentRead=True).get("Item")
        return to_plain(item) if item else None

    def delete_keys(self, keys: list[dict]) -> None:
        self._batch_write([{"DeleteRequest": {"Key": to_wire(key)}} for key in keys])

    def put_items(self, items: list[dict]) -> None:
        self._batch_write([{"PutRequest": {"Item": to_wire(item)}} for item in items])

    def _pages(self, **query) -> Iterator[list[dict]]:
        start = None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self.client.query(TableName=self.name, **query, **kwargs)
            yield [to_plain(item) for item in page.get("Items", [])]
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _batch_write(self, requests: list[dict]) -> None:
        for first in range(0, len(requests), _BATCH):
            pending = requests[first:first + _BATCH]
            for attempt in range(_MAX_ATTEMPTS):
                answer = self.client.batch_write_item(RequestItems={self.name: pending})
                pending = answer.get("UnprocessedItems", {}).get(self.name, [])
                if not pending:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 2))  # throttled: back off, resend the rest
            else:
                raise RuntimeError(f"BatchWriteItem left {len(pending)} items unprocessed")
