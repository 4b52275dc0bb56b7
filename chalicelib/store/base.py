"""PynamoDB base model of the billing table and the shared connection settings.

Every entity of an account lives in the account's item collection (pk = ACCOUNT#<id>), told apart by
the `type` discriminator, so one Query returns them already typed.
"""
from datetime import datetime, timezone
from functools import lru_cache

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.settings import get_settings

_settings = get_settings()


class BaseMeta:
    region = _settings.aws_region
    host = _settings.aws_endpoint_url
    billing_mode = "PAY_PER_REQUEST"


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
    return Connection(region=BaseMeta.region, host=BaseMeta.host)


def transaction() -> TransactWrite:
    return TransactWrite(connection=connection())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
