"""One process, two DynamoDB backends. The PynamoDB models are bound to the installed container's
settings (set_container -> chalicelib.store.base.bind_models), not to the environment at import: this
module imported chalicelib's store at collection, before DynamoDB Local even started, and still moves
items, queries, index queries, batch reads and transactions from moto to DynamoDB Local and back."""
from types import SimpleNamespace

import pytest
from moto import mock_aws
from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactGet

from chalicelib.settings import get_settings
from chalicelib.store import base
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem
from chalicelib.wiring import Container, container, set_container
from tests import ddblocal

pytestmark = [
    pytest.mark.ddblocal,  # the same in both passes of `make test`: it picks its backends itself
    pytest.mark.skipif(not ddblocal.available(), reason="DynamoDB Local is not installed (make deps-ddblocal)"),
]


def create_account(services, owner: str):
    return services.accounts.create(SimpleNamespace(user_id=owner, email=f"{owner}@example.com"), "Conta")


def raw_item(services, account_id: str) -> dict | None:
    """The account's item as the container's own DynamoDB client sees it (not through PynamoDB)."""
    key = {"pk": {"S": base.account_pk(account_id)}, "sk": {"S": ACCOUNT_SK}}
    return services.boto3_client("dynamodb").get_item(
        TableName=services.settings.billing_table, Key=key, ConsistentRead=True).get("Item")


def transact_get(account_id: str) -> AccountItem:
    with TransactGet(connection=base.connection()) as tx:
        future = tx.get(AccountItem, base.account_pk(account_id), ACCOUNT_SK)
    return future.get()


def reads(services, account_id: str, owner: str) -> dict:
    """What each kind of PynamoDB call finds of the account on the backend bound now."""
    repository = services.account_repository
    account = repository.get(account_id)
    memberships, _ = repository.memberships_page(owner, 10, None)
    try:
        transacted = transact_get(account_id).account_id
    except DoesNotExist:
        transacted = None
    return {
        "get": account.account_id if account else None,
        "query": [member.user_id for member in repository.list_members(account_id)],
        "index": [member.account_id for member in memberships],
        "batch": sorted(repository.accounts_by_id([account_id])),
        "transact_get": transacted,
    }


def found(account_id: str, owner: str) -> dict:
    return {"get": account_id, "query": [owner], "index": [account_id], "batch": [account_id],
            "transact_get": account_id}


NOTHING = {"get": None, "query": [], "index": [], "batch": [], "transact_get": None}


def test_one_process_moves_from_moto_to_dynamodb_local_and_back():
    from scripts.provision import provision

    settings = get_settings()
    assert settings.aws_endpoint_url is None  # the environment names no endpoint: moto's mock
    try:
        with mock_aws():
            on_moto = Container(settings)
            provision(on_moto)
            set_container(on_moto)
            assert base.BaseMeta.host is None and AccountItem.Meta.host is None
            moto_account = create_account(on_moto, "alice").account_id  # a TransactWrite
            assert reads(on_moto, moto_account, "alice") == found(moto_account, "alice")
            assert on_moto.idempotency_repository.claim("key-moto", "h") is not None

            on_local = ddblocal.container(settings)
            provision(on_local)  # its tables on DynamoDB Local; S3, SQS, SES, EventBridge on moto
            ddblocal.empty_tables(on_local.boto3_client("dynamodb"), on_local.settings)
            set_container(on_local)
            assert container() is on_local
            assert AccountItem.Meta.host == base.BaseMeta.host == ddblocal.endpoint()
            assert reads(on_local, moto_account, "alice") == NOTHING
            assert on_local.idempotency_repository.get("key-moto") is None
            local_account = create_account(on_local, "bruno").account_id
            assert reads(on_local, local_account, "bruno") == found(local_account, "bruno")
            assert on_local.idempotency_repository.claim("key-local", "h") is not None
            # where the writes really landed, asked of each backend without PynamoDB
            assert raw_item(on_local, local_account)["account_id"] == {"S": local_account}
            assert raw_item(on_moto, local_account) is None
            assert raw_item(on_local, moto_account) is None

            set_container(on_moto)  # and back: the cached connections follow the binding
            assert base.BaseMeta.host is None
            assert reads(on_moto, moto_account, "alice") == found(moto_account, "alice")
            assert reads(on_moto, local_account, "bruno") == NOTHING
            assert on_moto.idempotency_repository.get("key-moto") is not None
            assert on_moto.idempotency_repository.get("key-local") is None
    finally:
        set_container(None)
        container()  # the default container rebinds the models to the environment's settings
        set_container(None)
    assert base.BaseMeta.host is None


def test_rebinding_to_the_same_settings_keeps_the_cached_connections(aws):
    """Installing a container on the same endpoint and tables drops no connection: a new one costs
    a botocore client (tens of milliseconds), and the tests install a container each."""
    create_account(aws, "carla")
    cached, transactions = AccountItem._connection, base.connection()
    assert cached is not None
    set_container(Container(aws.settings.model_copy()))
    assert AccountItem._connection is cached and base.connection() is transactions
