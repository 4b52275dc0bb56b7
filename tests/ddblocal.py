"""The DynamoDB Local test backend (RENOVA_TEST_BACKEND=ddblocal), used by tests/conftest.py.

AWS DynamoDB Local starts on a free 127.0.0.1 port when first needed (or the one in
RENOVA_DDBLOCAL_ENDPOINT is used, e.g. from `make ddblocal-start`) and is stopped when pytest ends.
Nothing goes through the environment: `settings()` is the tests' settings with DynamoDB Local's
endpoint, and installing a `container()` built on them (set_container) binds the PynamoDB models
there, so the backend can change at any point of a process, in any import order
(tests/integration/test_backend_binding.py moves one process from moto to DynamoDB Local and back).
DynamoDB goes there; S3, SQS, SES and EventBridge stay on moto's in-process mock (DynamoDB Local has
none of them). Every test starts from empty tables.
"""
import os

BACKEND = os.environ.get("RENOVA_TEST_BACKEND", "moto")
ACTIVE = BACKEND == "ddblocal"

_server = None
_endpoint: str | None = None


def available() -> bool:
    """Whether DynamoDB Local can be reached or started here (a running one, or the jar and java)."""
    if os.environ.get("RENOVA_DDBLOCAL_ENDPOINT"):
        return True
    from scripts.ddb_local import DynamoDBLocalError, installed, java_executable

    try:
        java_executable()
    except DynamoDBLocalError:
        return False
    return installed()


def endpoint() -> str:
    """DynamoDB Local's endpoint, started on first use (once per pytest process)."""
    global _server, _endpoint
    if _endpoint is None:
        address = os.environ.get("RENOVA_DDBLOCAL_ENDPOINT")
        if not address:
            from scripts.ddb_local import start

            _server = start()
            address = _server.endpoint
        if not address.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"DynamoDB Local must be reached on 127.0.0.1, not {address}")
        _endpoint = address
    return _endpoint


def unconfigure() -> None:
    global _server, _endpoint
    if _server is not None:
        _server.stop()
        _server = None
    _endpoint = None


def settings(base=None):
    """`base` (the environment's settings by default) with DynamoDB on DynamoDB Local."""
    from chalicelib.settings import get_settings

    return (base or get_settings()).model_copy(update={"aws_endpoint_url": endpoint()})


def container(base=None, clock=None):
    """A container whose DynamoDB is DynamoDB Local (not installed: `set_container` binds it)."""
    return container_class()(settings(base), clock=clock)


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
