"""The repositories the core use cases receive, in memory, behind the same methods as chalicelib/store.

One FakeTable plays the billing table for every repository (as the real ones share one DynamoDB
table), another the idempotency table. The write paths go through tests/fakes/dynamo.py, which judges
PynamoDB's own conditions, so a create on an existing key, a save of an item whose version moved, or
any failed condition in a WriteSet cancels the whole commit and raises what the real store raises.

Covered: BillingRepository (snapshot, WriteSet, drop_notice), CouponRepository, TrialRepository, AccountRepository (all but the gsi1 membership and
invitation pages), InvoiceReads, PaymentRepository, RetentionRepository (not the purge's raw client),
IdempotencyRepository, ReviewRepository. tests/usecases/test_store_contract.py keeps them honest against moto."""
from datetime import date, datetime, timezone

from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.store.accounts import (
    ACCOUNT_SK, AccountItem, InviteItem, MemberItem, email_invitations_pk, invite_sk, member_sk,
)
from chalicelib.store.base import BillingItem, account_pk
from chalicelib.store.billing import AccountSnapshot, WriteSet, _conflict_of, _counter_claim
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.due import day_partitions
from chalicelib.store.idempotency import RETENTION as IDEMPOTENCY_RETENTION, IdempotencyRecord
from chalicelib.store.invoice_reads import INVOICE_PREFIX
from chalicelib.store.invoices import (
    NOSSO_NUMERO_SK, InvoiceItem, NossoNumeroItem, OpenInvoiceItem, invoice_lookup_pk, invoice_sk, nosso_numero_pk,
    open_invoice_sk,
)
from chalicelib.store.payments import (
    GATEWAY_PAYMENT_SK, NOTICE_KIND, PAYMENT_PREFIX, RECEIPT_SK, REFUND_PREFIX, GatewayPaymentItem,
    PayAttemptItem, PaymentItem, ReceiptItem, RefundItem, _plausible, gateway_payment_pk, pay_attempt_sk, payment_sk,
    receipt_pk,
)
from chalicelib.store.retention import (
    DUE_KIND as PURGE_KIND, RETENTION_SK, RetentionItem, TaxRecordItem, retention_pk, tax_pk,
)
from chalicelib.store.reviews import REVIEW_KIND
from chalicelib.store.coupons import COUPONS_PK, CouponItem, coupon_sk
from chalicelib.store.subscriptions import RENEWAL_ISSUE_KIND, TRIAL_REMINDER_KIND, SubscriptionItem, TrialItem
from tests.fakes.dynamo import (
    FakeTable, FakeTransaction, InvalidTransaction, TransactionCancelled, delete_operation, put_operation,
    update_operation,
)


class FakeStore:
    """The tables: `billing` (every account's items, receipts, lookups...) and `idempotency`."""

    def __init__(self):
        self.billing = FakeTable(BillingItem)
        self.idempotency = FakeTable(IdempotencyRecord)

    def transaction(self) -> FakeTransaction:
        return FakeTransaction(self.billing)


class _Transaction:
    """`with store.tx() as tx:` like store.base.transaction(); raises TransactionCancelled."""

    def __init__(self, store: FakeStore):
        self.tx = store.transaction()

    def __enter__(self) -> FakeTransaction:
        return self.tx

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.tx.commit()


def _page(items: list, limit: int, after_sk: str | None, newest_first: bool = False):
    """store.base.query_page over items already in sort-key order (newest first if asked)."""
    if after_sk is not None:
        items = [item for item in items if (item.sk < after_sk if newest_first else item.sk > after_sk)]
    page = items[:limit]
    return page, (page[-1].sk if len(page) == limit else None)


# --- billing: snapshot and WriteSet --------------------------------------------------------------
class FakeWriteSet(WriteSet):
    """The real WriteSet (create, save, delete, update, require, the invoice number claims), committed
    on the fake table instead of DynamoDB: the same ordered writes, the same conflict per failed write."""

    def __init__(self, store: FakeStore):
        super().__init__()
        self._store = store

    def commit(self) -> None:
        # As WriteSet.commit: checks, deletes, puts, the counter claims (puts), then updates.
        claims = [_counter_claim(account_id, sorted(sequences))
                  for account_id, sequences in self._invoice_sequences.items()]
        ordered = self._checks + self._deletes + self._puts + claims + self._updates
        tx = self._store.transaction()
        for write in ordered:
            write.apply(tx)
        try:
            tx.commit()
        except (TransactionCancelled, InvalidTransaction) as exc:
            raise _conflict_of(exc, ordered) from exc


class FakeBillingRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def snapshot(self, account_id: str, consistent: bool = False) -> AccountSnapshot:
        snapshot = AccountSnapshot(account_id)
        for item in self._store.billing.query(account_pk(account_id), lambda sk: sk < HISTORY):
            snapshot.add(item)
        return snapshot

    def writes(self) -> WriteSet:
        return FakeWriteSet(self._store)

    def drop_notice(self, item) -> None:
        """store.notices.drop_notice: a delivered notice deleted (already gone: fine)."""
        self._store.billing.write_one("delete", delete_operation(item, type(item).pk.exists()))


# --- accounts ------------------------------------------------------------------------------------
class FakeAccountRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def create(self, account: AccountItem, owner: MemberItem, audit) -> None:
        with _Transaction(self._store) as tx:
            tx.save(account, condition=AccountItem.pk.does_not_exist())
            tx.save(owner, condition=MemberItem.pk.does_not_exist())
            tx.save(audit)

    def save_with_audit(self, item, audit) -> None:
        try:
            with _Transaction(self._store) as tx:
                tx.save(item)
                tx.save(audit)
        except (TransactionCancelled, InvalidTransaction) as exc:
            raise ConcurrentUpdate("O registro foi alterado por outra operação; tente novamente.") from exc

    def get(self, account_id: str) -> AccountItem | None:
        return self._store.billing.get(account_pk(account_id), ACCOUNT_SK, AccountItem)

    def get_member(self, account_id: str, user_id: str) -> MemberItem | None:
        return self._store.billing.get(account_pk(account_id), member_sk(user_id), MemberItem)

    def list_members(self, account_id: str) -> list[MemberItem]:
        return self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith("MEMBER#"), MemberItem)

    def members_page(self, account_id: str, limit: int, after_sk: str | None) -> tuple[list[MemberItem], str | None]:
        return _page(self.list_members(account_id), limit, after_sk)

    def accounts_by_id(self, account_ids: list[str]) -> dict[str, AccountItem]:
        found = (self.get(account_id) for account_id in dict.fromkeys(account_ids))
        return {account.account_id: account for account in found if account is not None}

    def invited_account_ids(self, email: str) -> list[str]:
        return [item.account_id for item in self._store.billing.index_query(
            "gsi1pk", email_invitations_pk(email), "gsi1sk", lambda v: v.startswith("ACCOUNT#"), InviteItem)]

    def invite(self, member: MemberItem, audit) -> None:
        invite = InviteItem(pk=member.pk, sk=invite_sk(member.email), account_id=member.account_id,
                        member_user_id=member.user_id, gsi1pk=email_invitations_pk(member.email), gsi1sk=member.pk)
        try:
            with _Transaction(self._store) as tx:
                tx.save(invite, condition=InviteItem.pk.does_not_exist())
                tx.save(member, condition=MemberItem.pk.does_not_exist())
                tx.save(audit)
        except TransactionCancelled as exc:
            raise Conflict("Este e-mail já foi convidado para a conta.", code="member_exists") from exc

    def has_invitation(self, account_id: str, email: str) -> bool:
        return self._store.billing.get(account_pk(account_id), invite_sk(email), InviteItem) is not None


# --- invoices ------------------------------------------------------------------------------------
class FakeInvoiceReads:
    def __init__(self, store: FakeStore):
        self._store = store

    def get(self, account_id: str, invoice_id: str) -> InvoiceItem | None:
        return self._store.billing.get(account_pk(account_id), invoice_sk(invoice_id), InvoiceItem)

    def get_many(self, account_id: str, invoice_ids: list[str]) -> list[InvoiceItem]:
        found = (self.get(account_id, invoice_id) for invoice_id in dict.fromkeys(invoice_ids))
        return [invoice for invoice in found if invoice is not None]

    def page(self, account_id: str, statuses: frozenset[str] | None, limit: int,
             after_sk: str | None) -> tuple[list[InvoiceItem], str | None]:
        items = self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(INVOICE_PREFIX),
                                          InvoiceItem, newest_first=True)
        if after_sk:
            items = [item for item in items if item.sk < after_sk]
        if statuses:
            items = [item for item in items if item.status in statuses]
        more = len(items) > limit
        items = items[:limit]
        return items, (items[-1].sk if more else None)

    def by_nosso_numero(self, key: str) -> NossoNumeroItem | None:
        return self._store.billing.get(nosso_numero_pk(key), NOSSO_NUMERO_SK, NossoNumeroItem)

    def accounts_to_issue(self, day: date, shard: int, after: dict | None = None,
                          limit: int = 1000) -> tuple[list[str], dict | None]:
        if after is not None:
            raise NotImplementedError("the fake lists a shard in one page")
        items = self._store.billing.index_query("due_pk", day_partitions(RENEWAL_ISSUE_KIND, day)[shard], "due_sk",
                                                model=SubscriptionItem)
        return list(dict.fromkeys(item.account_id for item in items)), None

    def open_pix_automatico_uncharged_due_on(self, due: date, shard: int):
        from chalicelib.store.reviews import REVIEW_KIND, first_review_day

        items = self._store.billing.index_query("due_pk", day_partitions(REVIEW_KIND, first_review_day(due))[shard],
                                                "due_sk", model=OpenInvoiceItem)
        return [item for item in items if isinstance(item, OpenInvoiceItem) and item.payment_method == "pix_automatico"
                and item.due_date == due and not item.pix_charge_status]

    def notice_sent(self, account_id: str, invoice_id: str) -> None:
        summary = OpenInvoiceItem(pk=account_pk(account_id), sk=open_invoice_sk(invoice_id))
        self._store.billing.write_one("update", update_operation(
            summary, [OpenInvoiceItem.notice_pending.remove()], OpenInvoiceItem.pk.exists()))


# --- payments ------------------------------------------------------------------------------------
class FakePaymentRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def _get(self, pk, sk, model):
        return self._store.billing.get(pk, sk, model)

    def receipt(self, key: str) -> ReceiptItem | None:
        return self._get(receipt_pk(key), RECEIPT_SK, ReceiptItem)

    def record_receipt(self, receipt: ReceiptItem) -> bool:
        return self._store.billing.write_one("put", put_operation(receipt, ReceiptItem.pk.does_not_exist()))

    def receipt_and_invoice(self, key: str, account_id: str, invoice_id: str):
        if not _plausible(account_id, invoice_id):
            return self.receipt(key), None
        return self.receipt(key), self.invoice(account_id, invoice_id)

    def notice_delivered(self, receipt: ReceiptItem) -> None:
        # Model.update without a condition other than the version, as the real one.
        operation = update_operation(receipt, [ReceiptItem.notice_pending.remove(), ReceiptItem.due_pk.remove(),
                                               ReceiptItem.due_sk.remove()])
        if not self._store.billing.write_one("update", operation):
            raise ConcurrentUpdate()
        receipt.notice_pending = receipt.due_pk = receipt.due_sk = None

    def pending_notices(self, day: date):
        for partition in day_partitions(NOTICE_KIND, day):
            yield from self._store.billing.index_query("due_pk", partition, "due_sk", model=ReceiptItem)

    def invoice(self, account_id: str, invoice_id: str) -> InvoiceItem | None:
        if not _plausible(account_id, invoice_id):
            return None
        return self._get(account_pk(account_id), invoice_sk(invoice_id), InvoiceItem)

    def invoice_by_id(self, invoice_id: str) -> InvoiceItem | None:
        if not _plausible(invoice_id):
            return None
        found = self._store.billing.index_query("gsi1pk", invoice_lookup_pk(invoice_id), "gsi1sk", model=InvoiceItem)
        return found[0] if found else None

    def nosso_numero(self, key: str) -> NossoNumeroItem | None:
        return self._get(nosso_numero_pk(key), NOSSO_NUMERO_SK, NossoNumeroItem)

    def gateway_payment(self, gateway: str, gateway_payment_id: str) -> GatewayPaymentItem | None:
        if not _plausible(gateway_payment_id):
            return None
        return self._get(gateway_payment_pk(gateway, gateway_payment_id), GATEWAY_PAYMENT_SK, GatewayPaymentItem)

    def payment(self, account_id: str, payment_id: str) -> PaymentItem | None:
        if not _plausible(account_id, payment_id):
            return None
        return self._get(account_pk(account_id), payment_sk(payment_id), PaymentItem)

    def payments_page(self, account_id: str, limit: int, after_sk: str | None) -> tuple[list[PaymentItem], str | None]:
        items = self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(PAYMENT_PREFIX),
                                          PaymentItem, newest_first=True)
        return _page(items, limit, after_sk, newest_first=True)

    def refunds(self, account_id: str) -> list[RefundItem]:
        return self._store.billing.query(account_pk(account_id), lambda sk: sk.startswith(REFUND_PREFIX), RefundItem)

    def refunds_by_status(self, status: str, limit: int, after: dict | None):
        from chalicelib.store.payments import refunds_partition

        hits = self._store.billing.index_query("gsi1pk", refunds_partition(status), "gsi1sk", model=RefundItem)
        return list(reversed(hits))[:limit], None

    def save_unmatched(self, item) -> None:
        self._store.billing.write_one("put", put_operation(item))

    def pay_attempt(self, account_id: str, invoice_id: str) -> PayAttemptItem | None:
        return self._get(account_pk(account_id), pay_attempt_sk(invoice_id), PayAttemptItem)

    def save_pay_attempt(self, item: PayAttemptItem) -> bool:
        if not self._store.billing.write_one("put", put_operation(item)):
            return False
        item.update_local_version_attribute()
        return True


# --- the review list -----------------------------------------------------------------------------
class FakeReviewRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def items_to_review(self, day: date):
        for partition in day_partitions(REVIEW_KIND, day):
            yield from self._store.billing.index_query("due_pk", partition, "due_sk")


# --- retention -----------------------------------------------------------------------------------
class FakeRetentionRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def schedule(self, item: RetentionItem, audit) -> None:
        with _Transaction(self._store) as tx:
            tx.save(item)
            tx.save(audit)

    def cancel(self, account_id: str, audit) -> bool:
        item = RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK)
        try:
            with _Transaction(self._store) as tx:
                tx.delete(item, condition=RetentionItem.pk.exists())
                tx.save(audit)
        except TransactionCancelled:
            return False
        return True

    def get(self, account_id: str) -> RetentionItem | None:
        return self._store.billing.get(retention_pk(account_id), RETENTION_SK, RetentionItem)

    def due_on(self, day: date) -> list[str]:
        return [item.account_id for partition in day_partitions(PURGE_KIND, day)
                for item in self._store.billing.index_query("due_pk", partition, "due_sk", model=RetentionItem)]

    def tax_records(self, account_id: str) -> list[TaxRecordItem]:
        return self._store.billing.query(tax_pk(account_id), model=TaxRecordItem)


# --- coupons and trials --------------------------------------------------------------------------
class FakeCouponRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def get(self, code: str) -> CouponItem | None:
        return self._store.billing.get(COUPONS_PK, coupon_sk(code), CouponItem)

    def all(self) -> list[CouponItem]:
        return self._store.billing.query(COUPONS_PK, lambda sk: sk.startswith("COUPON#"), CouponItem)

    def create(self, coupon: CouponItem, audit) -> None:
        try:
            with _Transaction(self._store) as tx:
                tx.save(coupon, condition=CouponItem.pk.does_not_exist())
                tx.save(audit)
        except TransactionCancelled as exc:
            raise Conflict(f"Já existe um cupom com o código {coupon.code}.", code="coupon_code_taken") from exc

    def deactivate(self, coupon: CouponItem, audit) -> None:
        with _Transaction(self._store) as tx:
            tx.update(coupon, actions=[CouponItem.active.set(False)], condition=CouponItem.pk.exists())
            tx.save(audit)
        coupon.active = False


class FakeTrialRepository:
    def __init__(self, store: FakeStore):
        self._store = store

    def due_on(self, day: date) -> list[TrialItem]:
        return [item for partition in day_partitions(TRIAL_REMINDER_KIND, day)
                for item in self._store.billing.index_query("due_pk", partition, "due_sk", model=TrialItem)]

    def claim_reminder(self, trial: TrialItem, day: date, audit) -> bool:
        try:
            with _Transaction(self._store) as tx:
                tx.update(trial, actions=[TrialItem.reminded_on.set(day), TrialItem.due_pk.remove(),
                                          TrialItem.due_sk.remove()], condition=TrialItem.due_pk.exists())
                tx.save(audit)
        except TransactionCancelled:
            return False
        return True


# --- idempotency ---------------------------------------------------------------------------------
class FakeIdempotencyRepository:
    def __init__(self, store: FakeStore):
        self._table = store.idempotency

    def claim(self, key: str, body_hash: str) -> IdempotencyRecord | None:
        record = IdempotencyRecord(pk=key, body_hash=body_hash,
                                   expires_at=datetime.now(timezone.utc) + IDEMPOTENCY_RETENTION)
        if not self._table.write_one("put", put_operation(record, IdempotencyRecord.pk.does_not_exist())):
            return None
        return record

    def get(self, key: str) -> IdempotencyRecord | None:
        return self._table.get(key)

    def complete(self, record: IdempotencyRecord, status: int, body: str) -> None:
        self._table.write_one("update", update_operation(record, [
            IdempotencyRecord.status.set("done"), IdempotencyRecord.response_status.set(status),
            IdempotencyRecord.response_body.set(body)]))
        record.status, record.response_status, record.response_body = "done", status, body

    def release(self, record: IdempotencyRecord) -> None:
        self._table.write_one("delete", delete_operation(record))

