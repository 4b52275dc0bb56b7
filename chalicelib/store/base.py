"""PynamoDB base model of the billing table and the shared connection settings.

Every entity of an account lives in the account's item collection (pk = ACCOUNT#<id>), told apart by
the `type` discriminator, so one Query returns them already typed.
"""
import random
import time
from datetime import datetime, timezone
from functools import lru_cache

from botocore.exceptions import ClientError
from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.errors import AppError, Conflict, Throttled
from chalicelib.settings import get_settings

_settings = get_settings()

# Retries (docs/reliability.md "Faults"). Every PynamoDB call — models and transactions — goes
# through botocore's `standard` retry mode, PynamoDB's default, made explicit here: up to
# 1 + MAX_RETRY_ATTEMPTS attempts with exponential backoff and full jitter on throttling
# (ProvisionedThroughputExceeded, Throttling, RequestLimitExceeded, TransactionInProgress) and on
# transient 5xx. What botocore does not retry is a transaction cancelled for a transient reason
# (TransactionConflict, ThrottlingError): nothing of it was written, so it is sent again here, a few
# times. When DynamoDB is still busy after that, the caller gets 409 (conflict) or 429 (throttled)
# in the error shape instead of a 500 — never a half-written transaction.
MAX_RETRY_ATTEMPTS = 3
TRANSACTION_ATTEMPTS = 3
TRANSIENT_CANCELLATIONS = frozenset({"TransactionConflict", "ThrottlingError"})
THROTTLING_CODES = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException",
                              "RequestLimitExceeded", "TransactionInProgressException"})
_BACKOFF_BASE_SECONDS = 0.05
_sleep = time.sleep  # tests record the backoff instead of waiting
_CONFLICT_CODE = "transaction_conflict"


class BaseMeta:
    region = _settings.aws_region
    host = _settings.aws_endpoint_url
    billing_mode = "PAY_PER_REQUEST"
    max_retry_attempts = MAX_RETRY_ATTEMPTS  # botocore standard mode (PynamoDB's "LEGACY" setting)


class LookupIndex(GlobalSecondaryIndex):
    """Secondary lookups: a user's memberships, an invoice by nosso número, a payment by gateway id."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Sparse, write-sharded date index: what a scheduled job must handle on a day."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class BillingItem(Model):
    class Meta(BaseMeta):
        table_name = _settings.billing_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)

    lookup_index = LookupIndex()
    due_index = DueIndex()


def query_page(model, pk: str, range_condition, limit: int, after_sk: str | None,
               newest_first: bool = False) -> tuple[list, str | None]:
    """One page of a partition; the position is the last sort key, for a signed cursor."""
    kwargs = {"limit": limit, "scan_index_forward": not newest_first}
    if after_sk:
        kwargs["last_evaluated_key"] = {"pk": {"S": pk}, "sk": {"S": after_sk}}
    result = model.query(pk, range_condition, **kwargs)
    items = list(result)
    last = result.last_evaluated_key
    return items, (last["sk"]["S"] if last else None)


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


@lru_cache(maxsize=1)
def connection() -> Connection:
    # TransactWrite needs a connection to the same endpoint and region as the models. One per
    # process: each new Connection builds a botocore session and client (tens of milliseconds).
    return Connection(region=BaseMeta.region, host=BaseMeta.host, max_retry_attempts=MAX_RETRY_ATTEMPTS)


class RetryingTransactWrite(TransactWrite):
    """TransactWrite that resends a transaction cancelled only for transient reasons."""

    def _commit(self):
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                return super()._commit()
            except TransactWriteError as exc:
                if _transient_cancellation(exc) and attempt < TRANSACTION_ATTEMPTS:
                    _sleep(random.uniform(0, _BACKOFF_BASE_SECONDS * 2 ** attempt))
                    continue
                busy = store_busy(exc)
                if busy is not None:
                    raise busy from exc
                raise  # a condition failed: the repository decides what that means


def transaction() -> TransactWrite:
    return RetryingTransactWrite(connection=connection())


def _transient_cancellation(error: BaseException) -> set[str]:
    """The reasons of a transaction cancelled only for transient reasons (else empty)."""
    reasons = {reason.code for reason in getattr(error, "cancellation_reasons", None) or [] if reason}
    codes = reasons - {"None"}
    return codes if codes and codes <= TRANSIENT_CANCELLATIONS else set()


def store_busy(error: BaseException) -> AppError | None:
    """The answer for a DynamoDB call that failed only because DynamoDB was busy, or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        transient = _transient_cancellation(error)
        if "ThrottlingError" in transient:
            return Throttled()
        if transient:
            return Conflict("Outra operação alterava os mesmos dados ao mesmo tempo; tente novamente.",
                            code=_CONFLICT_CODE)
        code = getattr(error, "cause_response_code", None)
        if code is None and isinstance(error, ClientError):
            code = error.response.get("Error", {}).get("Code")
        if code in THROTTLING_CODES:
            return Throttled()
        error = error.__cause__ or error.__context__
    return None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
