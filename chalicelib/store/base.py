"""PynamoDB base model of the billing table and the shared connection settings.

Every entity of an account lives in the account's item collection (pk = ACCOUNT#<id>), told apart by
the `type` discriminator, so one Query returns them already typed.

Endpoint, region and table names are not fixed at import: `bind_models(settings)` points every model
(and the transactions' connection) at a settings object, and the composition root calls it for the
container it installs (chalicelib.wiring). Until then the models use the environment's settings.
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
    # region, host and each model's table_name are set by bind_models (at the end of this module).
    billing_mode = "PAY_PER_REQUEST"
    max_retry_attempts = MAX_RETRY_ATTEMPTS  # botocore standard mode (PynamoDB's "LEGACY" setting)


class LookupIndex(GlobalSecondaryIndex):
    """Secondary lookups: a user's memberships, an invoice by nosso número, a payment by gateway id."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ListIndex(GlobalSecondaryIndex):
    """A second sparse lookup, for items whose gsi1 already serves another lookup (an NFS-e's DPS id):
    the finance team's list of failed NFS-e."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Sparse, write-sharded date index: what a scheduled job must handle on a day."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class BillingItem(Model):
    class Meta(BaseMeta):
        table_name = None  # settings.billing_table, set by bind_models

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    created_at = UTCDateTimeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)

    lookup_index = LookupIndex()
    list_index = ListIndex()
    due_index = DueIndex()


# The models bound to a table, each with the Settings field naming its table; subclasses (the
# discriminated item types) share their root's Meta and table.
_TABLE_FIELDS: dict[type[Model], str] = {BillingItem: "billing_table"}
_bound_settings = None


def bound_to(table_field: str):
    """Class decorator for a model of another table: `table_field` is the Settings field naming it.
    A model imported after the binding gets the current one."""
    def register(model: type[Model]) -> type[Model]:
        _TABLE_FIELDS[model] = table_field
        if _bound_settings is not None:
            _bind(model, table_field, _bound_settings)
        return model
    return register


def _binding_key(settings) -> tuple:
    fields = sorted(set(_TABLE_FIELDS.values()))
    return (settings.aws_endpoint_url, settings.aws_region, *(getattr(settings, f) for f in fields))


def bind_models(settings) -> None:
    """Point every model, its indexes and the transactions' connection at the endpoint, region and
    tables of `settings`. A no-op when they already point there: dropping the cached connections
    costs a new botocore client each (tens of milliseconds)."""
    global _bound_settings
    if _bound_settings is not None and _binding_key(_bound_settings) == _binding_key(settings):
        _bound_settings = settings
        return
    BaseMeta.region = settings.aws_region
    BaseMeta.host = settings.aws_endpoint_url
    for model, table_field in _TABLE_FIELDS.items():
        _bind(model, table_field, settings)
    connection.cache_clear()
    _bound_settings = settings


def _bind(root: type[Model], table_field: str, settings) -> None:
    family = [root]
    for model in family:
        family.extend(model.__subclasses__())
        meta = model.Meta
        meta.region, meta.host = settings.aws_region, settings.aws_endpoint_url
        meta.table_name = getattr(settings, table_field)
        # PynamoDB caches a TableConnection per model class (items, queries, batches and the
        # operations TransactWrite/TransactGet collect) and rebuilds it only on a new table name, not
        # on a new host: drop it so the next call connects to the new binding.
        if "_connection" in vars(model):
            model._connection = None


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
    # bind_models clears it, so a transaction always goes where the models go.
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


bind_models(get_settings())  # the default container's settings, until a container binds its own
