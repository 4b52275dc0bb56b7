"""Payments, refunds and the keys that make money arrive exactly once (docs/payments.md).

- `~PAY#<payment_id>` (history of the account): a payment received, type `payment`, with the fields
  API.md names (id, invoice_id, amount_cents, method, paid_at, source). Ids sort by time, so the
  history reads newest first with one Query.
- `~REFUND#<refund_id>`: a refund made through the gateway, or requested from the finance team; in
  gsi1 under REFUNDS#<status> / <created, UTC>#<refund_id>, the finance team's list of every
  account's refunds, newest first (written with the refund: a refund is never rewritten).
- `RECEIPT#<key>` / `RECEIPT`: one per delivery that moved money or state — a gateway event id, a
  bank return movement (bank, nosso número, movement, date), a card charge. Created with a
  condition inside the transaction that applies it, so a duplicate can never apply twice.
- `GWPAY#<gateway>#<gateway payment id>` / `PAYMENT`: the payment a gateway's id became (refunds and
  chargebacks find it here; a second settlement of the same gateway payment is refused). An event
  that arrives before its payment (a refund first) is held on this item until the payment comes.
- `UNMATCHED` / `<instant>#<key>`: money that matched no invoice, for the finance team.
- `~PAYATTEMPT#<invoice_id>` (in the account): the invoice's "pay now" attempt — its number, who
  holds it and until when. Claimed with a version check before the gateway is called, so only one
  request at a time charges the card for an invoice (services/payments/pay_attempts.py).

A receipt whose e-mail and domain events are still to go out carries `notice_pending` and sits in
the `due` index (NOTICE#<day>) until they are out: a crash between the commit and the delivery
loses nothing (a redelivery of the webhook, or the next charge-cards run, sends them).

Items keyed outside the account partition declare their account in gsi1 (store/ownership.py)."""
import json
from datetime import date

from pynamodb.attributes import (
    BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.store.attributes import DateAttribute
from chalicelib.store.audit import AuditItem
from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem, account_pk, query_page, transaction
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.due import day_partitions
from chalicelib.store.invoices import (
    NOSSO_NUMERO_SK, REMITTANCE_KIND, InvoiceItem, NossoNumeroItem, invoice_lookup_pk, invoice_sk,
    nosso_numero_pk, remittance_due_pk,
)

PAYMENT_PREFIX = f"{HISTORY}PAY#"
PAY_ATTEMPT_PREFIX = f"{HISTORY}PAYATTEMPT#"
REFUND_PREFIX = f"{HISTORY}REFUND#"
RECEIPT_SK = "RECEIPT"
GATEWAY_PAYMENT_SK = "PAYMENT"
UNMATCHED_PK = "UNMATCHED"
NOTICE_KIND = "NOTICE"  # `due` index: receipts whose e-mail and events are still to go out


def payment_sk(payment_id: str) -> str:
    return f"{PAYMENT_PREFIX}{payment_id}"


def pay_attempt_sk(invoice_id: str) -> str:
    return f"{PAY_ATTEMPT_PREFIX}{invoice_id}"


def refund_sk(refund_id: str) -> str:
    return f"{REFUND_PREFIX}{refund_id}"


def refunds_partition(status: str) -> str:
    return f"REFUNDS#{status}"


def receipt_pk(key: str) -> str:
    return f"RECEIPT#{key}"


def gateway_payment_pk(gateway: str, gateway_payment_id: str) -> str:
    return f"GWPAY#{gateway}#{gateway_payment_id}"


class PaymentItem(BillingItem, discriminator="payment"):
    account_id = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()  # the invoice credited
    document_invoice_id = UnicodeAttribute(null=True)  # the invoice whose document was paid, if another
    amount_cents = NumberAttribute()  # received
    applied_cents = NumberAttribute()  # paid the invoice
    credit_cents = NumberAttribute(default=0)  # became account credit
    currency = UnicodeAttribute(default="BRL")
    method = UnicodeAttribute()  # card | pix | boleto
    source = UnicodeAttribute()  # gateway | bank_file
    gateway = UnicodeAttribute(null=True)  # stripe | asaas
    gateway_payment_id = UnicodeAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    nosso_numero = UnicodeAttribute(null=True)
    fee_cents = NumberAttribute(default=0)
    paid_at = UTCDateTimeAttribute()
    credited_on = DateAttribute(null=True)
    status = UnicodeAttribute(default="settled")  # settled | refunded | refund_requested | charged_back
    refunded_cents = NumberAttribute(default=0)
    receipt = UnicodeAttribute()
    version = VersionAttribute()


class RefundItem(BillingItem, discriminator="refund"):
    account_id = UnicodeAttribute()
    refund_id = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute(default="BRL")
    method = UnicodeAttribute()
    status = UnicodeAttribute()  # refunded (by the gateway) | requested (from the finance team)
    gateway_refund_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    requested_by = UnicodeAttribute()

    def serialize(self, null_check: bool = True):
        # The finance team's list (gsi1), in the refund's own write.
        self.gsi1pk = refunds_partition(self.status)
        self.gsi1sk = f"{utc_key(self.created_at)}#{self.refund_id}"
        return super().serialize(null_check=null_check)


class ReceiptItem(BillingItem, discriminator="payment_receipt"):
    key = UnicodeAttribute()
    outcome = UnicodeAttribute()  # settled | credited | duplicate_payment | refunded | held | ...
    account_id = UnicodeAttribute(null=True)
    payment_id = UnicodeAttribute(null=True)
    # Domain events the delivery caused (published with these ids, again if a crash interrupted it).
    events = UnicodeAttribute(null=True)
    notice_pending = BooleanAttribute(null=True)

    @property
    def event_list(self) -> list[dict]:
        return json.loads(self.events) if self.events else []


class HeldEvent(MapAttribute):
    """A gateway event that arrived before the payment it concerns."""

    receipt_key = UnicodeAttribute()
    kind = UnicodeAttribute()  # refunded | chargeback
    amount_cents = NumberAttribute(null=True)
    event_type = UnicodeAttribute()


class GatewayPaymentItem(BillingItem, discriminator="gateway_payment"):
    gateway = UnicodeAttribute()
    gateway_payment_id = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    payment_id = UnicodeAttribute(null=True)  # None while only held events are known
    invoice_id = UnicodeAttribute(null=True)
    held = ListAttribute(of=HeldEvent, default=list)
    version = VersionAttribute()


class PayAttemptItem(BillingItem, discriminator="pay_attempt"):
    """The invoice's current (or last) "pay now" attempt. Not `expires_at`: the table's TTL must never
    drop it, or a later attempt would reuse an old number and the gateway would replay its answer."""

    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    attempt = NumberAttribute()  # the gateway's idempotency key is made of the invoice and this number
    held_by = UnicodeAttribute(null=True)  # the request charging it now; None once let go
    held_until = UTCDateTimeAttribute(null=True)  # after this the holder is taken for dead
    finished = BooleanAttribute(default=False)  # the gateway answered (paid or declined): next time, a new number
    outcome = UnicodeAttribute(null=True)  # paid | declined, once finished
    updated_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class UnmatchedPaymentItem(BillingItem, discriminator="unmatched_payment"):
    receipt_key = UnicodeAttribute()
    source = UnicodeAttribute()
    method = UnicodeAttribute()
    amount_cents = NumberAttribute()
    reference = UnicodeAttribute()  # the invoice id or nosso número the payment named
    paid_at = UTCDateTimeAttribute()


_MAX_ID_BYTES = 256  # ids come from paths and payloads; DynamoDB keys stop at 1,024 bytes


def _plausible(*ids: str) -> bool:
    """An id too long to be one of ours is simply not found (never a DynamoDB validation error)."""
    return all(ids) and all(len(value.encode()) <= _MAX_ID_BYTES for value in ids)


class PaymentRepository:
    def receipt(self, key: str) -> ReceiptItem | None:
        try:
            return ReceiptItem.get(receipt_pk(key), RECEIPT_SK, consistent_read=True)
        except DoesNotExist:
            return None

    def record_receipt(self, receipt: ReceiptItem) -> bool:
        """Store a receipt on its own (deliveries that move nothing); False when it already exists."""
        try:
            receipt.save(condition=ReceiptItem.pk.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def receipt_and_invoice(self, key: str, account_id: str, invoice_id: str) -> tuple[ReceiptItem | None,
                                                                                          InvoiceItem | None]:
        """The delivery's receipt and the invoice it names, in one BatchGetItem."""
        if not _plausible(account_id, invoice_id):
            return self.receipt(key), None
        found = {(item.pk, item.sk): item for item in BillingItem.batch_get(
            [(receipt_pk(key), RECEIPT_SK), (account_pk(account_id), invoice_sk(invoice_id))], consistent_read=True)}
        receipt = found.get((receipt_pk(key), RECEIPT_SK))
        invoice = found.get((account_pk(account_id), invoice_sk(invoice_id)))
        return (receipt if isinstance(receipt, ReceiptItem) else None,
                invoice if isinstance(invoice, InvoiceItem) else None)

    def notice_delivered(self, receipt: ReceiptItem) -> None:
        receipt.update(actions=[ReceiptItem.notice_pending.remove(), ReceiptItem.due_pk.remove(),
                                ReceiptItem.due_sk.remove()])

    def pending_notices(self, day: date):
        for partition in day_partitions(NOTICE_KIND, day):
            yield from ReceiptItem.due_index.query(partition)

    def invoice(self, account_id: str, invoice_id: str) -> InvoiceItem | None:
        if not _plausible(account_id, invoice_id):
            return None
        try:
            return InvoiceItem.get(account_pk(account_id), invoice_sk(invoice_id), consistent_read=True)
        except DoesNotExist:
            return None

    def invoice_by_id(self, invoice_id: str) -> InvoiceItem | None:
        """An invoice known only by its id (gsi1; eventually consistent: version checks catch a stale copy)."""
        if not _plausible(invoice_id):
            return None
        found = InvoiceItem.lookup_index.query(invoice_lookup_pk(invoice_id), limit=1)
        return next(iter(found), None)

    def nosso_numero(self, key: str) -> NossoNumeroItem | None:
        """The boleto lookup written when the boleto was issued (key: domain.nosso_numero)."""
        try:
            return NossoNumeroItem.get(nosso_numero_pk(key), NOSSO_NUMERO_SK, consistent_read=True)
        except DoesNotExist:
            return None

    # --- boletos and their registration with the bank (services/payments/remittance.py) ----------
    def boletos_to_remit(self, day: date, shard: int):
        """The nosso número lookups of the boletos waiting for the remittance of `day`, in one shard
        of REMIT#<day> (one Query)."""
        yield from NossoNumeroItem.due_index.query(day_partitions(REMITTANCE_KIND, day)[shard])

    def boletos(self, pks: list[str]) -> list[NossoNumeroItem]:
        """The nosso número lookups with these partition keys, in that order (BatchGetItem)."""
        found = {item.pk: item for item in BillingItem.batch_get([(pk, NOSSO_NUMERO_SK) for pk in pks],
                                                                  consistent_read=True)}
        return [found[pk] for pk in pks if isinstance(found.get(pk), NossoNumeroItem)]

    def boleto_remitted(self, boleto: NossoNumeroItem, day: date, audit: AuditItem) -> None:
        """The boleto leaves the waiting list, marked remitted on `day`, with its audit entry (one
        transaction)."""
        with transaction() as tx:
            tx.update(boleto, actions=[NossoNumeroItem.remitted_on.set(day), NossoNumeroItem.due_pk.remove(),
                                       NossoNumeroItem.due_sk.remove()])
            tx.save(audit)

    def boleto_relisted(self, boleto: NossoNumeroItem, day: date) -> None:
        """The boleto moves to the waiting list of `day`."""
        boleto.update(actions=[NossoNumeroItem.due_pk.set(remittance_due_pk(boleto.pk, day))])

    def boleto_unlisted(self, boleto: NossoNumeroItem) -> None:
        """The boleto leaves the waiting list without being remitted."""
        boleto.update(actions=[NossoNumeroItem.due_pk.remove(), NossoNumeroItem.due_sk.remove()])

    def boleto_registration(self, boleto: NossoNumeroItem, registered: bool, day: date) -> None:
        """The bank's answer to the boleto's entry on `day`: confirmed (registered) or rejected."""
        attribute = NossoNumeroItem.registered_on if registered else NossoNumeroItem.rejected_on
        boleto.update(actions=[attribute.set(day)])

    def gateway_payment(self, gateway: str, gateway_payment_id: str) -> GatewayPaymentItem | None:
        if not _plausible(gateway_payment_id):
            return None
        try:
            return GatewayPaymentItem.get(gateway_payment_pk(gateway, gateway_payment_id), GATEWAY_PAYMENT_SK,
                                          consistent_read=True)
        except DoesNotExist:
            return None

    def payment(self, account_id: str, payment_id: str) -> PaymentItem | None:
        if not _plausible(account_id, payment_id):
            return None
        try:
            return PaymentItem.get(account_pk(account_id), payment_sk(payment_id), consistent_read=True)
        except DoesNotExist:
            return None

    def payments_page(self, account_id: str, limit: int, after_sk: str | None) -> tuple[list[PaymentItem], str | None]:
        return query_page(PaymentItem, account_pk(account_id), PaymentItem.sk.startswith(PAYMENT_PREFIX),
                          limit, after_sk, newest_first=True)

    def refunds(self, account_id: str) -> list[RefundItem]:
        return list(RefundItem.query(account_pk(account_id), RefundItem.sk.startswith(REFUND_PREFIX)))

    def refunds_by_status(self, status: str, limit: int, after: dict | None) -> tuple[list[RefundItem], dict | None]:
        """Every account's refunds in `status` (refunded | requested), newest first (gsi1; eventually
        consistent: a refund recorded a moment ago may show a bit later)."""
        result = RefundItem.lookup_index.query(refunds_partition(status), scan_index_forward=False, limit=limit,
                                               last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key

    def save_unmatched(self, item: UnmatchedPaymentItem) -> None:
        item.save()

    def pay_attempt(self, account_id: str, invoice_id: str) -> PayAttemptItem | None:
        try:
            return PayAttemptItem.get(account_pk(account_id), pay_attempt_sk(invoice_id), consistent_read=True)
        except DoesNotExist:
            return None

    def save_pay_attempt(self, item: PayAttemptItem) -> bool:
        """Write the attempt if nobody wrote it since it was read (its version); False otherwise."""
        try:
            item.save()
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
