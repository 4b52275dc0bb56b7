"""Every item of every app table, for before/after comparisons and greps (test code only: a Scan is
fine here, never in chalicelib). Works on moto and on DynamoDB Local alike, through the container's
DynamoDB client."""
from chalicelib.store.schema import table_definitions


def dump_tables(services) -> dict[str, list[dict]]:
    """{table name: items in DynamoDB's wire format, sorted by key}."""
    client = services.boto3_client("dynamodb")
    dump = {}
    for definition in table_definitions(services.settings):
        name = definition["TableName"]
        keys = [key["AttributeName"] for key in definition["KeySchema"]]
        items = []
        for page in client.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
            items.extend(page["Items"])
        dump[name] = sorted(items, key=lambda item: tuple(str(item.get(key)) for key in keys))
    return dump


def billing_items(services, item_type: str | None = None) -> list[dict]:
    """Billing-table items as plain values ({"pk": "...", ...}), optionally of one `type`."""
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer()
    items = [{key: plain.deserialize(value) for key, value in item.items()}
             for item in dump_tables(services)[services.settings.billing_table]]
    return [item for item in items if item_type is None or item.get("type") == item_type]
