"""Test environment: the local stage against moto's in-process AWS, one fresh world per test.

With RENOVA_TEST_BACKEND=ddblocal (the second pass of `make test`, tests marked `ddblocal`) DynamoDB
is AWS's DynamoDB Local instead, started when first needed (tests/ddblocal.py); the rest stays on moto.
The `aws` fixture installs its container (set_container), which binds the PynamoDB models to it."""
import json
import os

from tests import arena

arena.install()  # CPython 3.11's data-stack thrashing otherwise costs a third of the run (tests/arena)

os.environ.update({
    "RENOVA_STAGE": "local",
    "AWS_DEFAULT_REGION": "sa-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
})
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402

from tests import ddblocal, examples  # noqa: E402,F401  (examples loads the hypothesis profile)
from tests.support import auth, body, make_token  # noqa: E402


def pytest_unconfigure(config):
    ddblocal.unconfigure()


@pytest.fixture
def aws():
    with mock_aws():
        from chalicelib.settings import get_settings
        from chalicelib.wiring import Container, set_container
        from scripts.provision import provision

        settings = get_settings()
        services = ddblocal.container(settings) if ddblocal.ACTIVE else Container(settings)
        provision(services)
        if ddblocal.ACTIVE:
            ddblocal.empty_tables(services.boto3_client("dynamodb"), settings)
        set_container(services)
        yield services
        set_container(None)


@pytest.fixture
def client(aws):
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app) as test_client:
        yield ApiClient(test_client.http)


class ApiClient:
    """Thin wrapper over Chalice's test client that speaks JSON and carries a token."""

    def __init__(self, http):
        self.http = http

    def call(self, method: str, path: str, token: str | None = None, json_body=None, headers=None,
             raw: bytes | str | None = None):
        all_headers = auth(token) if token else {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        payload = raw if raw is not None else (body(json_body) if json_body is not None else None)
        kwargs = {"headers": all_headers}
        if payload is not None:
            kwargs["body"] = payload
        response = self.http.request(method, path, **kwargs)
        content_type = {k.lower(): v for k, v in (response.headers or {}).items()}.get("content-type", "")
        if not response.body:
            response.data = None
        elif "json" in content_type:
            response.data = json.loads(response.body)
        else:  # a text answer (the metrics' CSV): its text
            response.data = response.body.decode("utf-8")
        return response

    def create_account(self, user: str, name: str = "Conta de teste") -> tuple[str, str]:
        token = make_token(user)
        response = self.call("POST", "/v1/accounts", token, {"name": name})
        assert response.status_code == 201, response.data
        return response.data["id"], token
