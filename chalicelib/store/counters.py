"""Nosso número allocation: one atomic counter per (bank, agreement) in the billing table.

DynamoDB's UpdateItem with ``ADD`` increments and returns the new value in one request, so two
concurrent callers can never receive the same number (no read-then-write). The client and table
name are injected (a boto3 low-level DynamoDB client), so the store layer can wire the configured
connection and tests can point at moto.

Item: pk = COUNTER#NOSSO#{bank}#{agreement}, sk = COUNTER, value (N) = last number handed out.
"""
from typing import Any

COUNTER_SK = "COUNTER"


class NossoNumeroExhausted(Exception):
    """The agreement's range is used up: the bank must grant a new convênio or range."""


def counter_key(bank: str, agreement: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"COUNTER#NOSSO#{bank}#{agreement}"}, "sk": {"S": COUNTER_SK}}


def allocate_nosso_numero(
    client: Any, table_name: str, bank: str, agreement: str, *, max_value: int | None = None
) -> int:
    """The next nosso número (1, 2, 3…) of this bank and agreement, never handed out twice.

    With ``max_value`` (the largest number the bank's layout holds), allocation stops there and
    raises NossoNumeroExhausted instead of overflowing into a number the bank would reject."""
    return allocate_nosso_numeros(client, table_name, bank, agreement, 1, max_value=max_value)[0]


def allocate_nosso_numeros(
    client: Any, table_name: str, bank: str, agreement: str, count: int, *, max_value: int | None = None
) -> list[int]:
    """``count`` consecutive numbers reserved in one request (for issuing a batch of boletos)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if max_value is not None and count > max_value:
        raise NossoNumeroExhausted(f"cannot reserve {count} numbers under {max_value}")
    request: dict[str, Any] = {
        "TableName": table_name,
        "Key": counter_key(bank, agreement),
        "UpdateExpression": "ADD #value :count",
        "ExpressionAttributeNames": {"#value": "value"},
        "ExpressionAttributeValues": {":count": {"N": str(count)}},
        "ReturnValues": "UPDATED_NEW",
    }
    if max_value is not None:
        # The counter may grow only while the whole block still fits under max_value.
        request["ConditionExpression"] = "attribute_not_exists(#value) OR #value <= :last_start"
        request["ExpressionAttributeValues"][":last_start"] = {"N": str(max_value - count)}
    try:
        response = client.update_item(**request)
    except client.exceptions.ConditionalCheckFailedException as error:
        raise NossoNumeroExhausted(f"nosso número range of {bank}/{agreement} is exhausted") from error
    last = int(response["Attributes"]["value"]["N"])
    return list(range(last - count + 1, last + 1))


def current_nosso_numero(client: Any, table_name: str, bank: str, agreement: str) -> int:
    """The last number handed out (0 when none was), read consistently."""
    item = client.get_item(TableName=table_name, Key=counter_key(bank, agreement), ConsistentRead=True).get("Item")
    return int(item["value"]["N"]) if item else 0
