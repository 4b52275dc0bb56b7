"""The DynamoDB Local test backend (RENOVA_TEST_BACKEND=ddblocal), used by tests/conftest.py.

PynamoDB fixes each model's host when chalicelib.store.base is imported, so the backend is chosen
per pytest process: `pytest_configure` starts AWS DynamoDB Local on a free 127.0.0.1 port (or uses
the one in RENOVA_DDBLOCAL_ENDPOINT, e.g. from `make ddblocal-start`) and sets AWS_ENDPOINT_URL
before any test module imports chalicelib. DynamoDB goes there; S3, SQS, SES and EventBridge stay on
moto's in-process mock (DynamoDB Local has none of them). Every test starts from empty tables.
"""
import os

BACKEND = os.environ.get("RENOVA_TEST_BACKEND", "moto")
ACTIVE = BACKEND == "ddblocal"

_server = None


def configure() -> None:
    """Start DynamoDB Local (once per pytest process) and point the app's settings at it."""
    global _server
    endpoint = os.environ.get("RENOVA_DDBLOCAL_ENDPOINT")
    if not endpoint:
        from scripts.ddb_local import start

        _server = start()
        endpoint = _server.endpoint
    if not endpoint.startswith("http://127.0.0.1:"):
        raise RuntimeError(f"DynamoDB Local must be reached on 127.0.0.1, not {endpoint}")
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    # botocore would send every client without an explicit endpoint to AWS_ENDPOINT_URL; the
    # non-DynamoDB clients must reach moto's mock (the AWS host names it intercepts) instead.
    os.environ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"


def unconfigure() -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def endpoint() -> str:
    return os.environ["AWS_ENDPOINT_URL"]


def container_class():
    from chalicelib.wiring import Container, _client

    class DynamoDBLocalContainer(Container):
        """DynamoDB on DynamoDB Local; every other AWS service on moto's in-process mock."""

        def boto3_client(self, service: str):
            endpoint_url = self.settings.aws_endpoint_url if service == "dynamodb" else None
            return _client(service, self.settings.aws_region, endpoint_url)

    return DynamoDBLocalContainer


def empty_tables(dynamodb, settings) -> None:
    """Delete every item of the app's tables (test code only: a Scan is fine here, never in chalicelib)."""
    from chalicelib.store.schema import table_definitions

    for definition in table_definitions(settings):
        table = definition["TableName"]
        keys = [key["AttributeName"] for key in definition["KeySchema"]]
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        paginator = dynamodb.get_paginator("scan")
        pages = paginator.paginate(TableName=table, ProjectionExpression=", ".join(names),
                                   ExpressionAttributeNames=names, ConsistentRead=True)
        for page in pages:
            items = page["Items"]
            for start in range(0, len(items), 25):
                requests = [{"DeleteRequest": {"Key": key}} for key in items[start:start + 25]]
                pending = {table: requests}
                while pending:
                    pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
