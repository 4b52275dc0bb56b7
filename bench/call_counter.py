"""Counts the AWS API calls a piece of code makes, per service and operation, through botocore's
event system, and estimates the DynamoDB request units each call is billed on demand.

    install()                      # once, before the app builds its first AWS client
    with counting() as calls:
        ...                        # anything: a route through Chalice's test client, a job
    calls.dynamodb()               # {"GetItem": 1, "Query": 2, ...}
    calls.units()                  # {"read": 1.5, "write": 4.0}

Why `BUILTIN_HANDLERS`: PynamoDB 6.1 does not use boto3. Each `Connection` builds its client from a
botocore session of its own (`botocore.session.get_session()`, one per thread, see
pynamodb/connection/base.py), and `store.base.transaction()` builds a new `Connection` per
transaction, while the rest of the app uses boto3's default session. A handler registered on one
session would miss the others; botocore copies `BUILTIN_HANDLERS` into every session it creates
(moto's `mock_aws` hooks in the same way), so one registration reaches every client made after it.
Clients made before `install()` are not counted: `check_counted()` proves the wiring at run time.

Request units follow DynamoDB's on-demand billing rules, with item sizes computed from the
attribute values actually sent and received (names + values, the documented rule, approximated):
 - writes: 1 WRU per KB of each item put (1 for an update, delete or condition check, whose stored
   size the request does not show), doubled inside TransactWriteItems; plus one write per global
   secondary index whose key attribute the put item carries or the update names (a lower bound:
   an update of an item already in an index also rewrites the index entry);
 - reads: 1 RRU per 4 KB returned for a strongly consistent read, half for an eventually consistent
   one, doubled inside TransactGetItems, at least one unit per call (per key for BatchGetItem).
A Query's units count the items returned; items a filter discards are billed too (we do not filter).
"""
from __future__ import annotations

import math
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.handlers

_CONTEXT_KEY = "renova_bench_params"
_STARTED_KEY = "renova_bench_started"
_lock = threading.Lock()
_active: list["CallLog"] = []
_installed = False
# Table name -> the key attributes of its global secondary indexes (set by the benchmarks from the schema).
INDEX_KEYS: dict[str, frozenset[str]] = {}


@dataclass
class CallLog:
    calls: Counter = field(default_factory=Counter)  # (service, operation) -> calls
    read_units: float = 0.0
    write_units: float = 0.0
    op_units: dict = field(default_factory=dict)  # DynamoDB operation -> [read units, write units]
    scans: list[str] = field(default_factory=list)  # table names a Scan touched
    aws_ms: float = 0.0  # time spent inside AWS calls (client work + the backend's answer)

    def dynamodb(self) -> dict[str, int]:
        return {op: n for (service, op), n in sorted(self.calls.items()) if service == "dynamodb"}

    def service(self, name: str) -> dict[str, int]:
        return {op: n for (service, op), n in sorted(self.calls.items()) if service == name}

    def total(self, service: str = "dynamodb") -> int:
        return sum(n for (svc, _), n in self.calls.items() if svc == service)

    def units(self) -> dict[str, float]:
        return {"read": round(self.read_units, 2), "write": round(self.write_units, 2)}

    def units_per_call(self) -> dict[str, dict[str, float]]:
        """DynamoDB operation -> the mean request units of one call: what the cost model multiplies
        call counts by."""
        return {op: {"rru": round(r / self.calls[("dynamodb", op)], 3), "wru": round(w / self.calls[("dynamodb", op)], 3)}
                for op, (r, w) in sorted(self.op_units.items())}

    def as_dict(self) -> dict:
        by_service: dict[str, dict[str, int]] = {}
        for (service, op), n in sorted(self.calls.items()):
            by_service.setdefault(service, {})[op] = n
        return {"calls": by_service, "dynamodb_calls": self.total(), "scans": len(self.scans),
                "rru": round(self.read_units, 2), "wru": round(self.write_units, 2)}

    def add(self, other: "CallLog") -> None:
        self.calls.update(other.calls)
        self.read_units += other.read_units
        self.write_units += other.write_units
        for op, (r, w) in other.op_units.items():
            mine = self.op_units.setdefault(op, [0.0, 0.0])
            mine[0] += r
            mine[1] += w
        self.scans.extend(other.scans)
        self.aws_ms += other.aws_ms


def install() -> None:
    global _installed
    with _lock:
        if not _installed:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _remember_params))
            botocore.handlers.BUILTIN_HANDLERS.append(("after-call", _record))
            _installed = True


@contextmanager
def counting():
    """Count every AWS call made inside the block (nested blocks each see their own calls too)."""
    install()
    log = CallLog()
    with _lock:
        _active.append(log)
    try:
        yield log
    finally:
        with _lock:
            _active.remove(log)


def check_counted(services) -> None:
    """Fail loudly if a client the app uses escaped the counter (one made before `install()`)."""
    from chalicelib.store.checkpoints import CheckpointRepository

    with counting() as log:
        CheckpointRepository().get("bench-canary")  # PynamoDB's own client
        services.boto3_client("dynamodb").list_tables(Limit=1)  # the container's boto3 client
    seen = log.dynamodb()
    if seen.get("GetItem") != 1 or seen.get("ListTables") != 1:
        raise RuntimeError(f"the call counter misses clients (saw {seen}): install() must run "
                           "before the app creates its first AWS client")


# --- botocore handlers ------------------------------------------------------------------------

def _remember_params(params, context, **_):
    context[_CONTEXT_KEY] = params
    context[_STARTED_KEY] = time.perf_counter()


def _record(http_response, parsed, model, context, **_):
    if not _active:
        return
    service = model.service_model.service_name
    operation = model.name
    params = context.get(_CONTEXT_KEY) or {}
    elapsed_ms = (time.perf_counter() - context.get(_STARTED_KEY, time.perf_counter())) * 1000
    read = write = 0.0
    if service == "dynamodb":
        read, write = request_units(operation, params, parsed or {})
    with _lock:
        for log in _active:
            log.calls[(service, operation)] += 1
            log.read_units += read
            log.write_units += write
            log.aws_ms += elapsed_ms
            if service == "dynamodb":
                units = log.op_units.setdefault(operation, [0.0, 0.0])
                units[0] += read
                units[1] += write
                if operation == "Scan":
                    log.scans.append(params.get("TableName", "?"))


# --- request units ----------------------------------------------------------------------------

def request_units(operation: str, params: dict, response: dict) -> tuple[float, float]:
    """(read units, write units) one DynamoDB call is billed on demand."""
    if operation == "PutItem":
        return 0.0, _put_units(params["TableName"], params.get("Item", {}))
    if operation in ("UpdateItem", "DeleteItem"):
        return 0.0, 1 + _updated_index_keys(params)
    if operation == "BatchWriteItem":
        total = 0.0
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                put = request.get("PutRequest")
                total += _put_units(table, put["Item"]) if put else 1
        return 0.0, total
    if operation == "TransactWriteItems":
        total = 0.0
        for entry in params.get("TransactItems", []):
            if "Put" in entry:
                total += _put_units(entry["Put"]["TableName"], entry["Put"]["Item"])
            elif "Update" in entry:
                total += 1 + _updated_index_keys(entry["Update"])
            else:  # Delete or ConditionCheck
                total += 1
        return 0.0, 2 * total
    factor = 1.0 if params.get("ConsistentRead") else 0.5
    if operation == "GetItem":
        return factor * _read_blocks(item_size(response.get("Item") or {})), 0.0
    if operation in ("Query", "Scan"):
        return factor * _read_blocks(sum(item_size(i) for i in response.get("Items", []))), 0.0
    if operation == "BatchGetItem":
        keys = sum(len(r.get("Keys", [])) for r in params.get("RequestItems", {}).values())
        size = sum(item_size(i) for items in response.get("Responses", {}).values() for i in items)
        return 0.5 * max(keys, math.ceil(size / 4096)), 0.0
    if operation == "TransactGetItems":
        sizes = [item_size(r.get("Item") or {}) for r in response.get("Responses", [])]
        return 2.0 * sum(_read_blocks(s) for s in sizes), 0.0
    return 0.0, 0.0  # control plane calls (CreateTable, DescribeLimits ...) are not billed per request


def _put_units(table: str, item: dict) -> float:
    units = math.ceil(max(item_size(item), 1) / 1024)
    indexed = sum(1 for key in INDEX_KEYS.get(table, ()) if key in item)
    return float(units * (1 + indexed))


def _updated_index_keys(params: dict) -> int:
    names = set((params.get("ExpressionAttributeNames") or {}).values())
    return sum(1 for key in INDEX_KEYS.get(params.get("TableName", ""), ()) if key in names)


def _read_blocks(size: int) -> int:
    return max(1, math.ceil(size / 4096))


def item_size(item: dict) -> int:
    """Approximate DynamoDB item size in bytes from its wire form: attribute names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data.lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: member}) for member in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(member) for member in data)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in data.items())
    return 0
