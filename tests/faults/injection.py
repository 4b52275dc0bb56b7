"""DynamoDB fault injection at botocore's HTTP exchange, for every DynamoDB call of the process
(PynamoDB models, PynamoDB transactions, plain boto3 clients) on any backend (moto in-process,
DynamoDB Local over HTTP).

How: `Endpoint._do_get_response` — one HTTP attempt — is wrapped. For a call a rule picks, the
request never reaches the backend; botocore receives the HTTP answer DynamoDB gives for that fault
(status, `__type`, message, `CancellationReasons`) and parses it with its own parser. Everything
above stays real: botocore's retry mode and backoff (its sleeps are recorded, not slept), PynamoDB's
exception mapping, our repositories, services, routes and jobs.

    with DynamoFaults() as faults:
        faults.add(throttle("TransactWriteItems", times=2))
        response = client.call("POST", "/v1/accounts", token, {"name": "x"})
    faults.injected["TransactWriteItems"]   # 2
    faults.backoff_sleeps                   # botocore's delays between attempts

The same context manager wraps a job (`run_job(...)`), a webhook delivery (`client.call("POST",
"/v1/webhooks/stripe", ...)`) or anything else; `crash_after(n)` kills the caller after n
successful writes, to rerun it and compare with a clean run (tests/faults/test_jobs_faults.py).
"""
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable
from unittest import mock

import botocore.endpoint
from botocore.awsrequest import AWSResponse

ALWAYS = 10**9
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
_PROTOCOL = "com.amazonaws.dynamodb.v20120810"


class SimulatedCrash(BaseException):
    """The process dies here (a Lambda timeout or kill): not an Exception, so no handler in the app
    catches it, exactly like a real kill."""


@dataclass
class Fault:
    """What DynamoDB answers instead of serving the call."""

    status: int
    error_type: str
    message: str
    cancellation: str | None = None  # TransactionCanceledException: the reason given to every item

    def body(self, request_body: dict) -> dict:
        body = {"__type": self.error_type, "message": self.message}
        if self.cancellation is not None:
            count = len(request_body.get("TransactItems", [])) or 1
            reasons = [{"Code": self.cancellation, "Message": self.message}] + [{"Code": "None"}] * (count - 1)
            random.shuffle(reasons)
            codes = ", ".join(reason["Code"] for reason in reasons)
            body = {"__type": self.error_type, "Message": f"Transaction cancelled, please refer cancellation "
                                                          f"reasons for specific reasons [{codes}]",
                    "CancellationReasons": reasons}
        return body


PROVISIONED_THROUGHPUT_EXCEEDED = Fault(
    400, f"{_PROTOCOL}#ProvisionedThroughputExceededException",
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
    "provisioning level with the UpdateTable API.")
THROTTLING = Fault(400, "com.amazon.coral.availability#ThrottlingException",
                   "Rate of requests exceeds the allowed throughput.")
REQUEST_LIMIT_EXCEEDED = Fault(400, f"{_PROTOCOL}#RequestLimitExceeded",
                               "Throughput exceeds the current throughput limit for your account.")
INTERNAL_SERVER_ERROR = Fault(500, f"{_PROTOCOL}#InternalServerError", "Internal server error")
TRANSACTION_CONFLICT = Fault(400, f"{_PROTOCOL}#TransactionCanceledException",
                             "Transaction is ongoing for the item", cancellation="TransactionConflict")
TRANSACTION_THROTTLED = Fault(400, f"{_PROTOCOL}#TransactionCanceledException",
                              "Throughput exceeds the current capacity for one or more global secondary indexes.",
                              cancellation="ThrottlingError")
TRANSACTION_IN_PROGRESS = Fault(400, f"{_PROTOCOL}#TransactionInProgressException",
                                "Transaction is being processed")

THROTTLES = {"ProvisionedThroughputExceededException": PROVISIONED_THROUGHPUT_EXCEEDED,
             "ThrottlingException": THROTTLING, "RequestLimitExceeded": REQUEST_LIMIT_EXCEEDED}


@dataclass
class Rule:
    operations: frozenset[str] | None  # None: every operation
    fault: Fault | None                # None with crash: the call raises SimulatedCrash
    times: int = 1
    when: Callable[[str, dict], bool] | None = None  # (operation, request body) → applies?
    skip: int = 0                      # let this many matching calls through first
    seen: int = 0
    fired: int = 0

    def picks(self, operation: str, body: dict) -> bool:
        if self.operations is not None and operation not in self.operations:
            return False
        if self.when is not None and not self.when(operation, body):
            return False
        self.seen += 1
        if self.seen <= self.skip or self.fired >= self.times:
            return False
        self.fired += 1
        return True


def throttle(*operations: str, times: int = 1, code: str = "ProvisionedThroughputExceededException",
             when=None, skip: int = 0) -> Rule:
    return Rule(frozenset(operations) or None, THROTTLES[code], times, when, skip)


def transaction_conflict(times: int = 1, when=None, skip: int = 0) -> Rule:
    return Rule(frozenset({"TransactWriteItems"}), TRANSACTION_CONFLICT, times, when, skip)


def fail(fault: Fault, *operations: str, times: int = 1, when=None, skip: int = 0) -> Rule:
    return Rule(frozenset(operations) or None, fault, times, when, skip)


def crash_after(writes: int) -> Rule:
    """Let `writes` write calls succeed, then kill the caller at the next one."""
    return Rule(WRITE_OPERATIONS, None, 1, None, skip=writes)


@dataclass
class DynamoFaults:
    rules: list[Rule] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)      # attempts that reached botocore's HTTP layer
    injected: Counter = field(default_factory=Counter)   # attempts answered with a fault
    backoff_sleeps: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _patches: list = field(default_factory=list)

    def add(self, *rules: Rule) -> "DynamoFaults":
        self.rules.extend(rules)
        return self

    def __enter__(self) -> "DynamoFaults":
        original = botocore.endpoint.Endpoint._do_get_response
        faults = self

        def do_get_response(endpoint, request, operation_model, context):
            if operation_model.service_model.service_name != "dynamodb":
                return original(endpoint, request, operation_model, context)
            operation = operation_model.name
            body = _json(request.body)
            with faults._lock:
                faults.calls[operation] += 1
                rule = next((r for r in faults.rules if r.picks(operation, body)), None)
                if rule is not None:
                    faults.injected[operation] += 1
            if rule is None:
                return original(endpoint, request, operation_model, context)
            if rule.fault is None:
                raise SimulatedCrash(f"killed at {operation}")
            return original(_Substitute(endpoint, _response(request, rule.fault, body)), request,
                            operation_model, context)

        class _RecordingTime:
            @staticmethod
            def sleep(seconds):
                faults.backoff_sleeps.append(seconds)

            def __getattr__(self, name):
                return getattr(time, name)

        self._patches = [mock.patch.object(botocore.endpoint.Endpoint, "_do_get_response", do_get_response),
                         mock.patch.object(botocore.endpoint, "time", _RecordingTime())]
        for patch in self._patches:
            patch.start()
        return self

    def __exit__(self, *exc) -> None:
        for patch in reversed(self._patches):
            patch.stop()
        self._patches = []

    def attempts(self, operation: str) -> int:
        return self.calls[operation]


def _json(body) -> dict:
    if not body:
        return {}
    try:
        return json.loads(body.decode() if isinstance(body, bytes) else body)
    except (ValueError, AttributeError):
        return {}


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


def _response(request, fault: Fault, request_body: dict) -> AWSResponse:
    content = json.dumps(fault.body(request_body)).encode()
    headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "fault-injected",
               "content-length": str(len(content))}
    return AWSResponse(request.url, fault.status, headers, _Raw(content))


class _OnlyThisAnswer:
    """The endpoint's event emitter, except that `before-send` yields the fault's answer and calls no
    handler (moto's stubber is one: it would execute the request)."""

    def __init__(self, emitter, response):
        self._emitter = emitter
        self._response = response

    def emit(self, event_name, **kwargs):
        if event_name.startswith("before-send."):
            return [(None, self._response)]
        return self._emitter.emit(event_name, **kwargs)


class _Substitute:
    """Stands in for the endpoint during one faulted attempt: botocore's own parsing runs on the
    fault's answer; nothing is sent."""

    _add_modeled_error_fields = botocore.endpoint.Endpoint._add_modeled_error_fields

    def __init__(self, endpoint, response):
        self._event_emitter = _OnlyThisAnswer(endpoint._event_emitter, response)
        self._response_parser_factory = endpoint._response_parser_factory

    def _send(self, request):
        raise AssertionError("a faulted attempt must not reach the network")
