"""Nosso número allocation against a DynamoDB endpoint (moto's server on 127.0.0.1): concurrent
callers never receive the same number."""
import socket
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from moto.server import ThreadedMotoServer

from chalicelib.store.counters import (
    NossoNumeroExhausted,
    allocate_nosso_numero,
    allocate_nosso_numeros,
    current_nosso_numero,
)

TABLE = "renova-test-counters"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def new_client(endpoint: str):
    """A client per thread (a boto3 session is not thread-safe), with dummy credentials."""
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )


@pytest.fixture
def client(endpoint):
    dynamodb = new_client(endpoint)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


def test_first_numbers_and_item_shape(client):
    assert current_nosso_numero(client, TABLE, "341", "0057-12345") == 0
    assert [allocate_nosso_numero(client, TABLE, "341", "0057-12345") for _ in range(3)] == [1, 2, 3]

    item = client.get_item(TableName=TABLE, Key={"pk": {"S": "COUNTER#NOSSO#341#0057-12345"}, "sk": {"S": "COUNTER"}})
    assert item["Item"]["value"] == {"N": "3"}
    assert current_nosso_numero(client, TABLE, "341", "0057-12345") == 3


def test_counters_are_per_bank_and_agreement(client):
    allocate_nosso_numero(client, TABLE, "001", "1234567")
    allocate_nosso_numero(client, TABLE, "001", "1234567")

    assert allocate_nosso_numero(client, TABLE, "001", "7654321") == 1
    assert allocate_nosso_numero(client, TABLE, "237", "1234567") == 1
    assert allocate_nosso_numero(client, TABLE, "001", "1234567") == 3


def test_concurrent_allocation_never_repeats(client, endpoint):
    threads, per_thread = 10, 5

    def allocate_several(_: int) -> list[int]:
        own_client = new_client(endpoint)
        return [allocate_nosso_numero(own_client, TABLE, "104", "005507") for _ in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        numbers = [n for batch in pool.map(allocate_several, range(threads)) for n in batch]

    assert len(numbers) == threads * per_thread
    assert sorted(numbers) == list(range(1, threads * per_thread + 1))  # no duplicate, no gap


def test_blocks_and_the_bank_range_limit(client):
    assert allocate_nosso_numeros(client, TABLE, "033", "0282033", 4, max_value=10) == [1, 2, 3, 4]
    assert allocate_nosso_numeros(client, TABLE, "033", "0282033", 6, max_value=10) == [5, 6, 7, 8, 9, 10]

    with pytest.raises(NossoNumeroExhausted):
        allocate_nosso_numero(client, TABLE, "033", "0282033", max_value=10)
    assert current_nosso_numero(client, TABLE, "033", "0282033") == 10  # the refused call changed nothing
