"""Reads an account's live state in one Query and writes a use case's changes in one transaction."""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pynamodb.exceptions import TransactWriteError

from chalicelib.domain.invoice_numbers import invoice_number, number_sequence
from chalicelib.errors import AppError, ConcurrentUpdate, NotFound
# A snapshot reads every kind of live item, and PynamoDB refuses a `type` it does not know: these
# imports register the kinds no other import here brings (scheduled cancellation, batch seat, notice).
from chalicelib.store import batches as _batches, cancellations as _cancellations, notices as _notices  # noqa: F401
from chalicelib.store.accounts import AccountItem, MemberItem
from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.invoices import INVOICE_COUNTER_SK, InvoiceCounterItem, InvoiceItem, OpenInvoiceItem
from chalicelib.store.notices import NoticeItem, drop_notice
from chalicelib.store.subscriptions import CardItem, SubscriptionItem, UsageItem


@dataclass
class AccountSnapshot:
    """Everything live of one account, as one Query returned it."""

    account_id: str
    account: AccountItem | None = None
    members: list[MemberItem] = field(default_factory=list)
    subscriptions: list[SubscriptionItem] = field(default_factory=list)
    card: CardItem | None = None
    open_invoices: list[OpenInvoiceItem] = field(default_factory=list)
    usage: UsageItem | None = None
    # Live items of other kinds (a scheduled cancellation, a batch seat), for the use cases that need them.
    others: list[BillingItem] = field(default_factory=list)
    # Invoice numbers handed out by next_invoice_number since this snapshot was read.
    invoice_numbers_taken: int = field(default=0, repr=False)

    def add(self, item: BillingItem) -> None:
        if isinstance(item, AccountItem):
            self.account = item
        elif isinstance(item, MemberItem):
            self.members.append(item)
        elif isinstance(item, SubscriptionItem):
            self.subscriptions.append(item)
        elif isinstance(item, CardItem):
            self.card = item
        elif isinstance(item, OpenInvoiceItem):
            self.open_invoices.append(item)
        elif isinstance(item, UsageItem):
            self.usage = item
        else:
            self.others.append(item)

    def require_account(self) -> AccountItem:
        """The account item, or the 404 a missing (or purged) account answers."""
        if self.account is None:
            raise NotFound("Conta não encontrada.", code="account_not_found")
        return self.account

    def subscription(self, subscription_id: str) -> SubscriptionItem:
        """One of the account's subscriptions, or the 404 of an unknown one."""
        for subscription in self.subscriptions:
            if subscription.subscription_id == subscription_id:
                return subscription
        raise NotFound("Assinatura não encontrada.", code="subscription_not_found")

    def next_invoice_number(self, issue_date: date) -> str:
        """The number of the next invoice the use case creates, following the account's counter as
        this snapshot read it. WriteSet.create of the invoice claims it; a writer that committed
        numbers since the read makes that transaction fail (ConcurrentUpdate: read again, retry)."""
        counter = self.other(InvoiceCounterItem, INVOICE_COUNTER_SK)
        self.invoice_numbers_taken += 1
        return invoice_number(issue_date.year, (counter.last if counter else 0) + self.invoice_numbers_taken)

    def other(self, item_type: type, sk: str):
        """The live item of `item_type` with sort key `sk`, if the account has one."""
        return next((item for item in self.others if isinstance(item, item_type) and item.sk == sk), None)


@dataclass
class _Write:
    conflict: AppError  # what a failed condition on this write means
    apply: Callable  # (transaction) -> None


class WriteSet:
    """The writes of one use case, committed in one transaction. Each conditional write carries the
    error its failed condition means, so callers get a precise 409 rather than a generic one. Without
    one, the condition (a version, an item's existence or value) guards what the use case read, so
    its failure is ConcurrentUpdate: read again and retry. A business rule passes its own Conflict."""

    def __init__(self):
        self._checks: list[_Write] = []
        self._deletes: list[_Write] = []
        self._puts: list[_Write] = []
        self._updates: list[_Write] = []
        self._invoice_sequences: dict[str, list[int]] = {}  # account id -> sequences of the invoices created

    def save(self, item: BillingItem, condition=None, conflict: AppError | None = None) -> None:
        """Put `item`; items with a version attribute also require the version they were read at."""
        self._puts.append(_Write(conflict or ConcurrentUpdate(),
                                 lambda tx: tx.save(item, condition=condition)))

    def create(self, item: BillingItem, conflict: AppError | None = None) -> None:
        self.save(item, type(item).pk.does_not_exist(), conflict)
        if isinstance(item, InvoiceItem):
            # Refused here rather than later: an invoice without a number would leave a gap nobody sees.
            if item.number is None:
                raise ValueError(f"invoice {item.invoice_id} created without a number "
                                 "(AccountSnapshot.next_invoice_number)")
            self._invoice_sequences.setdefault(item.account_id, []).append(number_sequence(item.number))

    def delete(self, item: BillingItem, condition=None, conflict: AppError | None = None) -> None:
        self._deletes.append(_Write(conflict or ConcurrentUpdate(),
                                    lambda tx: tx.delete(item, condition=condition)))

    def update(self, item: BillingItem, actions: list, condition=None, conflict: AppError | None = None) -> None:
        """Change only some attributes (an item others may be changing too, e.g. a live summary)."""
        self._updates.append(_Write(conflict or ConcurrentUpdate(),
                                    lambda tx: tx.update(item, actions=actions, condition=condition)))

    def require(self, model, hash_key: str, range_key: str, condition, conflict: AppError) -> None:
        self._checks.append(_Write(conflict, lambda tx: tx.condition_check(
            model, hash_key, range_key, condition=condition)))

    def commit(self) -> None:
        # PynamoDB sends condition checks, deletes, puts, then updates: cancellation reasons follow it.
        claims = [_counter_claim(account_id, sorted(sequences))
                  for account_id, sequences in self._invoice_sequences.items()]
        ordered = self._checks + self._deletes + self._puts + claims + self._updates
        try:
            with transaction() as tx:
                for write in ordered:
                    write.apply(tx)
        except TransactWriteError as exc:
            raise _conflict_of(exc, ordered) from exc


def _counter_claim(account_id: str, sequences: list[int]) -> _Write:
    """The account's invoice counter moved to the last number created, on condition that it still
    holds the number before the first: the numbers are then this transaction's alone, without a gap."""
    first, last = sequences[0], sequences[-1]
    if sequences != list(range(first, last + 1)):
        raise ValueError(f"invoice numbers of {account_id} are not consecutive: {sequences}")
    counter = InvoiceCounterItem(pk=account_pk(account_id), sk=INVOICE_COUNTER_SK, account_id=account_id,
                                 last=last)
    condition = InvoiceCounterItem.pk.does_not_exist() if first == 1 else InvoiceCounterItem.last == first - 1
    return _Write(ConcurrentUpdate(), lambda tx: tx.save(counter, condition=condition))


def _conflict_of(exc: TransactWriteError, ordered: list[_Write]) -> AppError:
    reasons = exc.cancellation_reasons or []
    for write, reason in zip(ordered, reasons):
        if reason is not None and reason.code == "ConditionalCheckFailed":
            return write.conflict
    # Cancelled with no failed condition, for reasons store/base.py did not resend as transient:
    # nothing was written, and a fresh read and a new attempt is what the caller can do.
    return ConcurrentUpdate()


class BillingRepository:
    def snapshot(self, account_id: str, consistent: bool = False) -> AccountSnapshot:
        """The account's live items (sort keys before `~`): one Query, whatever its history."""
        snapshot = AccountSnapshot(account_id)
        for item in BillingItem.query(account_pk(account_id), BillingItem.sk < HISTORY,
                                      consistent_read=consistent):
            snapshot.add(item)
        return snapshot


    def writes(self) -> WriteSet:
        return WriteSet()

    def drop_notice(self, item: NoticeItem) -> None:
        """A delivered notice (store/notices.py) deleted; already gone is fine."""
        drop_notice(item)
