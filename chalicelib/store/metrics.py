"""Revenue metrics aggregates (docs/metrics.md) in the billing table, apart from any account:

    pk METRICS#<slice>#<YYYY-MM>  sk DAY#<DD>       counters of one slice (a product, or * for all) and day
    pk METRICS#<slice>            sk MONTH#<YYYY-MM> the same counters summed per month (what the report reads)
    pk METRICS_FACT#<key>         sk FACT            a fact already counted (an event id, or an invoice's overdue)

A fact is counted by one transaction: the marker is created on condition that it does not exist, and
every counter it moves is an ADD on its day and month items — so a redelivered event, or the same one
delivered by two consumers at once, counts exactly once, and the cost of a fact is fixed (one
transaction of 1 + 2 × slices-days writes, at most 13). The report is one Query per slice: every
month up to the last one asked (the opening MRR is the sum of the months before). No Scan.

Every call goes through one injected botocore client (counted by the benchmarks)."""
import time
from dataclasses import dataclass
from datetime import date

from botocore.exceptions import ClientError

from chalicelib.store.raw import to_plain

FACT_SK = "FACT"
_ATTEMPTS = 5  # a transaction cancelled by a concurrent one on the same counters is sent again
_KEYS = frozenset({"pk", "sk", "type", "expires_at"})


@dataclass(frozen=True)
class Increment:
    """Counters to add to one slice on one day."""

    slice: str
    day: date
    counters: dict[str, int]


def month_pk(slice_: str) -> str:
    return f"METRICS#{slice_}"


def day_pk(slice_: str, month: str) -> str:
    return f"METRICS#{slice_}#{month}"


class MetricsRepository:
    def __init__(self, client, table_name: str):
        self._client = client
        self._table = table_name

    def count_once(self, fact_key: str, increments: list[Increment], expires_at: int | None = None) -> bool:
        """Add the increments and mark the fact counted, in one transaction; False when it was
        counted before (nothing written)."""
        marker = {"pk": {"S": f"METRICS_FACT#{fact_key}"}, "sk": {"S": FACT_SK}, "type": {"S": "metrics_fact"}}
        if expires_at is not None:
            marker["expires_at"] = {"N": str(expires_at)}
        items = [{"Put": {"TableName": self._table, "Item": marker,
                          "ConditionExpression": "attribute_not_exists(pk)"}}]
        for pk, sk, counters in _merged(increments):
            items.append({"Update": _update(self._table, pk, sk, counters)})
        for attempt in range(_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
                return True
            except ClientError as error:
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    return False
                if attempt + 1 == _ATTEMPTS or not set(reasons) & {"TransactionConflict", "ThrottlingError"}:
                    raise
                time.sleep(0.02 * 2 ** attempt)
        return False  # not reached

    def months(self, slice_: str, through: str) -> dict[str, dict[str, int]]:
        """Counters of every month of the slice up to `through` (YYYY-MM), by month."""
        found = {}
        for item in self._query(month_pk(slice_), "MONTH#0000-00", f"MONTH#{through}"):
            found[item["sk"][len("MONTH#"):]] = _counters(item)
        return found

    def days(self, slice_: str, month: str) -> dict[str, dict[str, int]]:
        """Counters of each day of one month of the slice, by day (YYYY-MM-DD)."""
        return {f"{month}-{item['sk'][len('DAY#'):]}": _counters(item)
                for item in self._query(day_pk(slice_, month), "DAY#00", "DAY#99")}

    def history(self, types: tuple[str, ...]):
        """Every item of these types in the table, page by page: the offline rebuild's one read of the
        stored history (a Scan: it costs one read of the whole table, docs/metrics.md). Never used by
        the incremental path or by any request."""
        names = {f":t{index}": {"S": name} for index, name in enumerate(types)}
        start = None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self._client.scan(TableName=self._table, FilterExpression=f"#type IN ({', '.join(names)})",
                                     ExpressionAttributeNames={"#type": "type"}, ExpressionAttributeValues=names,
                                     ConsistentRead=True, **kwargs)
            yield [to_plain(item) for item in page.get("Items", [])]
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _query(self, pk: str, low: str, high: str) -> list[dict]:
        items, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self._client.query(
                TableName=self._table, KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                ExpressionAttributeValues={":pk": {"S": pk}, ":low": {"S": low}, ":high": {"S": high}},
                ConsistentRead=True, **kwargs)
            items.extend(to_plain(item) for item in page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items


def item_keys(increment: Increment) -> list[tuple[str, str]]:
    """The day item and the month item an increment moves."""
    month = f"{increment.day:%Y-%m}"
    return [(day_pk(increment.slice, month), f"DAY#{increment.day:%d}"),
            (month_pk(increment.slice), f"MONTH#{month}")]


def _merged(increments: list[Increment]) -> list[tuple[str, str, dict[str, int]]]:
    """One update per item (a transaction may not touch an item twice), zero counters dropped."""
    merged: dict[tuple[str, str], dict[str, int]] = {}
    for increment in increments:
        for key in item_keys(increment):
            counters = merged.setdefault(key, {})
            for name, value in increment.counters.items():
                counters[name] = counters.get(name, 0) + value
    return [(pk, sk, {n: v for n, v in counters.items() if v}) for (pk, sk), counters in merged.items()
            if any(counters.values())]


def _update(table: str, pk: str, sk: str, counters: dict[str, int]) -> dict:
    names = {f"#c{index}": name for index, name in enumerate(sorted(counters))}
    values = {f":c{index}": {"N": str(counters[name])} for index, name in enumerate(sorted(counters))}
    return {"TableName": table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": "SET #type = :type ADD " + ", ".join(f"{n} {n.replace('#', ':')}" for n in names),
            "ExpressionAttributeNames": {**names, "#type": "type"},
            "ExpressionAttributeValues": {**values, ":type": {"S": "metrics"}}}


def _counters(item: dict) -> dict[str, int]:
    return {name: int(value) for name, value in item.items() if name not in _KEYS}
