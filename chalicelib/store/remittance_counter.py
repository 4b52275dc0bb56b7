"""The remittance file sequence (NSA, número sequencial do arquivo): one more for every file sent to
the bank, per agreement, and never a number skipped because a run died.

A run takes the next number together with the file's manifest (the boletos it holds) in one
conditional UpdateItem; the number stays *pending* until every boleto of the file is marked
remitted. A run that finds a pending file finishes it first — the same number, the same boletos —
so a crash anywhere between taking the number and marking the last boleto ends like one clean run.
While a file is pending no other number is handed out (two overlapping runs cannot both take one).

Item: pk = COUNTER#REMITTANCE#{bank}#{agreement}, sk = COUNTER; value (N) = last number taken;
pending (N), pending_day (S), pending_boletos (L of S: the boletos' lookup keys) while a file is open."""
from dataclasses import dataclass
from datetime import date

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.counters import COUNTER_SK


@dataclass(frozen=True)
class PendingFile:
    sequence: int
    day: date
    boleto_pks: list[str]


class RemittanceSequence:
    def __init__(self, client, table_name: str, bank: str, agreement: str):
        self._client = client
        self._table = table_name
        self._key = {"pk": {"S": f"COUNTER#REMITTANCE#{bank}#{agreement}"}, "sk": {"S": COUNTER_SK}}

    def pending(self) -> PendingFile | None:
        """The file a run took a number for and did not finish, if any (one consistent GetItem)."""
        item = self._client.get_item(TableName=self._table, Key=self._key, ConsistentRead=True).get("Item", {})
        if "pending" not in item:
            return None
        return PendingFile(int(item["pending"]["N"]), date.fromisoformat(item["pending_day"]["S"]),
                           [key["S"] for key in item.get("pending_boletos", {}).get("L", [])])

    def take(self, day: date, boleto_pks: list[str]) -> int:
        """The next number, held for this file's boletos until `release`."""
        try:
            response = self._client.update_item(
                TableName=self._table, Key=self._key,
                UpdateExpression="SET #value = if_not_exists(#value, :zero) + :one, "
                                 "#pending = if_not_exists(#value, :zero) + :one, #day = :day, #boletos = :boletos",
                ConditionExpression="attribute_not_exists(#pending)",
                ExpressionAttributeNames={"#value": "value", "#pending": "pending", "#day": "pending_day",
                                          "#boletos": "pending_boletos"},
                ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}, ":day": {"S": day.isoformat()},
                                           ":boletos": {"L": [{"S": pk} for pk in boleto_pks]}},
                ReturnValues="UPDATED_NEW")
        except self._client.exceptions.ConditionalCheckFailedException:
            raise ConcurrentUpdate("Outra remessa está sendo gerada agora; a próxima execução envia estes "
                                   "boletos.") from None
        return int(response["Attributes"]["value"]["N"])

    def release(self, sequence: int) -> None:
        """The file `sequence` is sent and all its boletos marked: the next run takes a new number."""
        try:
            self._client.update_item(
                TableName=self._table, Key=self._key,
                UpdateExpression="REMOVE #pending, #day, #boletos",
                ConditionExpression="#pending = :sequence",
                ExpressionAttributeNames={"#pending": "pending", "#day": "pending_day", "#boletos": "pending_boletos"},
                ExpressionAttributeValues={":sequence": {"N": str(sequence)}})
        except self._client.exceptions.ConditionalCheckFailedException:
            pass  # an overlapping run finished the same file first
