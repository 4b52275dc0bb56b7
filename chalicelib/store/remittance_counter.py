"""The remittance file sequence (NSA, número sequencial do arquivo): one more for every file sent to
the bank, per agreement, from an atomic counter (UpdateItem ADD: no two files share a number).

Item: pk = COUNTER#REMITTANCE#{bank}#{agreement}, sk = COUNTER, value (N) = last number used."""
from chalicelib.store.counters import COUNTER_SK


def next_remittance_sequence(client, table_name: str, bank: str, agreement: str) -> int:
    response = client.update_item(
        TableName=table_name,
        Key={"pk": {"S": f"COUNTER#REMITTANCE#{bank}#{agreement}"}, "sk": {"S": COUNTER_SK}},
        UpdateExpression="ADD #value :one", ExpressionAttributeNames={"#value": "value"},
        ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
    return int(response["Attributes"]["value"]["N"])
