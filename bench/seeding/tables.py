"""The items of the benchmark's tables, read, written and deleted in bulk (seeding only: outside any
counted block)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.world import World


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


def _mentions(item: dict, tokens: set[str]) -> bool:
    text = json.dumps(item)
    return any(token in text for token in tokens)


def index_keys(settings) -> dict[str, set[str]]:
    from chalicelib.store.schema import table_definitions

    return {d["TableName"]: {k["AttributeName"] for i in d.get("GlobalSecondaryIndexes", []) for k in i["KeySchema"]
                             if k["KeyType"] == "HASH"}
            for d in table_definitions(settings)}


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


def remove_items(world: World, items_by_table: dict[str, list[dict]]) -> None:
    from chalicelib.store.schema import table_definitions

    dynamodb = world.services.boto3_client("dynamodb")
    for definition in table_definitions(world.services.settings):
        table = definition["TableName"]
        names = [key["AttributeName"] for key in definition["KeySchema"]]
        requests = [{"DeleteRequest": {"Key": {n: item[n] for n in names}}} for item in items_by_table.get(table, [])]
        for start in range(0, len(requests), 25):
            _flush(dynamodb, {table: requests[start:start + 25]})


def _flush(dynamodb, requests: dict) -> None:
    while requests:
        requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or None


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
