"""Requests to the finance team ("Solicitações") and their message threads.

Both grow with time, so they are history (sort keys after `~`, collection_keys.py):
- Request: pk=ACCOUNT#<id>, sk=~REQ#<request_id>; in gsi1 under REQUESTS#<status>, sorted by last
  activity, which is how the finance team lists them across accounts without a Scan.
- Message: pk=ACCOUNT#<id>, sk=~REQMSG#<request_id>#<message_id> (ids sort by time: the thread reads
  oldest first).
- Reference: pk=REQUEST#<request_id> → its account, for the admin routes that only know the request
  id; it belongs to the account (ownership.owned_by), so the purge deletes it.
"""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.errors import ConcurrentUpdate
from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.ownership import owned_by

REF_SK = "REQUEST"


REQUEST_PREFIX = f"{HISTORY}REQ#"


def request_sk(request_id: str) -> str:
    return f"{REQUEST_PREFIX}{request_id}"


def message_prefix(request_id: str) -> str:
    return f"{HISTORY}REQMSG#{request_id}#"


def ref_pk(request_id: str) -> str:
    return f"REQUEST#{request_id}"


def status_partition(status: str) -> str:
    return f"REQUESTS#{status}"


class RequestItem(BillingItem, discriminator="request"):
    account_id = UnicodeAttribute()
    request_id = UnicodeAttribute()
    request_type = UnicodeAttribute()
    status = UnicodeAttribute()
    text = UnicodeAttribute()
    opened_by = UnicodeAttribute()
    last_activity_at = UTCDateTimeAttribute()
    message_count = NumberAttribute(default=0)
    version = VersionAttribute()

    def index_by_status(self) -> None:
        """Keep the admin listing (gsi1) in step with status and last activity."""
        self.gsi1pk = status_partition(self.status)
        self.gsi1sk = f"{utc_key(self.last_activity_at)}#{self.request_id}"


class RequestMessageItem(BillingItem, discriminator="request_message"):
    account_id = UnicodeAttribute()
    request_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    author = UnicodeAttribute()  # "customer" or "finance"
    author_id = UnicodeAttribute()
    text = UnicodeAttribute()


class RequestRefItem(BillingItem, discriminator="request_ref"):
    account_id = UnicodeAttribute()
    request_id = UnicodeAttribute()


def new_message_item(request: RequestItem, message_id: str, author: str, author_id: str, text: str,
                     created_at) -> RequestMessageItem:
    return RequestMessageItem(
        pk=request.pk, sk=message_prefix(request.request_id) + message_id, account_id=request.account_id,
        request_id=request.request_id, message_id=message_id, author=author, author_id=author_id,
        text=text, created_at=created_at,
    )


class RequestRepository:
    def open(self, request: RequestItem, first_message: RequestMessageItem, audit) -> None:
        pk, sk = ref_pk(request.request_id), REF_SK
        ref = RequestRefItem(pk=pk, sk=sk, account_id=request.account_id, request_id=request.request_id,
                             created_at=request.created_at, **owned_by(request.account_id, pk, sk))
        with transaction() as tx:
            tx.save(request, condition=RequestItem.pk.does_not_exist())
            tx.save(first_message, condition=RequestMessageItem.pk.does_not_exist())
            tx.save(ref, condition=RequestRefItem.pk.does_not_exist())
            tx.save(audit)

    def add_message(self, request: RequestItem, message: RequestMessageItem, audit) -> None:
        """Save the request's new state with its message; a concurrent change raises ConcurrentUpdate."""
        try:
            with transaction() as tx:
                tx.save(request)
                tx.save(message, condition=RequestMessageItem.pk.does_not_exist())
                tx.save(audit)
        except TransactWriteError as exc:
            raise ConcurrentUpdate("A solicitação foi alterada por outra operação; tente novamente.") from exc

    def get(self, account_id: str, request_id: str) -> RequestItem | None:
        try:
            return RequestItem.get(account_pk(account_id), request_sk(request_id))
        except DoesNotExist:
            return None

    def account_of(self, request_id: str) -> str | None:
        try:
            return RequestRefItem.get(ref_pk(request_id), REF_SK).account_id
        except DoesNotExist:
            return None

    def list(self, account_id: str, limit: int, after_sk: str | None) -> tuple[list[RequestItem], str | None]:
        return _page(RequestItem.query(
            account_pk(account_id), RequestItem.sk.startswith(REQUEST_PREFIX), scan_index_forward=False,
            limit=limit, last_evaluated_key=_key(account_pk(account_id), after_sk)))

    def messages(self, account_id: str, request_id: str, limit: int,
                 after_sk: str | None) -> tuple[list[RequestMessageItem], str | None]:
        return _page(RequestMessageItem.query(
            account_pk(account_id), RequestMessageItem.sk.startswith(message_prefix(request_id)),
            limit=limit, last_evaluated_key=_key(account_pk(account_id), after_sk)))

    def by_status(self, status: str, limit: int, after: dict | None) -> tuple[list[RequestItem], dict | None]:
        """Requests of every account with this status, most recent activity first (gsi1)."""
        result = RequestItem.lookup_index.query(status_partition(status), scan_index_forward=False,
                                                limit=limit, last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key


def _key(pk: str, sk: str | None) -> dict | None:
    return {"pk": {"S": pk}, "sk": {"S": sk}} if sk else None


def _page(result) -> tuple[list, str | None]:
    items = list(result)
    last = result.last_evaluated_key
    return items, (last["sk"]["S"] if last else None)
