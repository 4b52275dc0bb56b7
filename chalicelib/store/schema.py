"""Physical schema of every DynamoDB table: the single source for the local stack, the tests and
the CloudFormation template (infra/), so the three never drift apart.

Access patterns are listed in docs/data-model.md.
"""
from chalicelib.settings import Settings

# Scheduled jobs spread one day's work over this many partitions of the `due` index.
DUE_SHARDS = 8


def table_definitions(settings: Settings) -> list[dict]:
    """CreateTable arguments (boto3 shape) plus the TTL attribute of each table."""
    billing = {
        "TableName": settings.billing_table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "due_pk", "due_sk")
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            _gsi("gsi1", "gsi1pk", "gsi1sk"),
            _gsi("gsi2", "gsi2pk", "gsi2sk"),
            _gsi("due", "due_pk", "due_sk"),
        ],
        "TimeToLive": "expires_at",
    }
    idempotency = {
        "TableName": settings.idempotency_table,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "TimeToLive": "expires_at",
    }
    return [billing, idempotency]


def _gsi(name: str, hash_key: str, range_key: str) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def create_tables(dynamodb_client, settings: Settings) -> None:
    """Create every table that does not exist yet (idempotent), and enable TTL."""
    existing = set(dynamodb_client.list_tables()["TableNames"])
    for definition in table_definitions(settings):
        definition = dict(definition)
        ttl_attribute = definition.pop("TimeToLive")
        if definition["TableName"] in existing:
            continue
        dynamodb_client.create_table(**definition)
        dynamodb_client.get_waiter("table_exists").wait(TableName=definition["TableName"])
        dynamodb_client.update_time_to_live(
            TableName=definition["TableName"],
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute},
        )
