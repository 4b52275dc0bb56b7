"""Service invoices (NFS-e): one item per paid invoice, in the account's history
(pk = ACCOUNT#<id>, sk = ~NFSE#<invoice id>), created with attribute_not_exists in the settlement's
own transaction, so an invoice never gets two (docs/service-invoices.md).

- Work list: while something is to do (issue, cancel, substitute, a notice to send, a retry), the item
  sits in the sparse `due` index under NFSE#<shard> with due_sk = <UTC instant it is due>#<account>#<invoice>;
  the issue-service-invoices job reads each shard up to now (8 Queries, each returning only what is due)
  and an item leaves the list by dropping due_pk/due_sk.
- Lease: a worker claims the item (lease_owner, lease_until) with a versioned put before calling the
  SEFIN; a second worker reads the lease and leaves it, or loses the version condition.
- DPS numbers: one atomic counter per series (pk COUNTER#DPS#<series>), UpdateItem ADD; the number is
  written on the item once (version-checked) and the DPS id never changes for that invoice after.
- The DPS id (gsi1 DPS#<id>) finds the invoice of a DPS the local fake SEFIN lists.
- The finance team's list of failed NFS-e (gsi2 NFSE_STATUS#failed / <failed since, UTC>#<account>#<invoice>):
  set by `serialize` on every write while the status is failed and dropped on the write that leaves it,
  so the list follows the status with no write of its own. Sparse: only failed items are in it."""
from datetime import datetime, timezone

from pynamodb.attributes import (
    BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from chalicelib.store.backups import utc_key
from chalicelib.store.base import BillingItem, account_pk, transaction
from chalicelib.store.collection_keys import HISTORY
from chalicelib.store.due import shard_of
from chalicelib.store.schema import DUE_SHARDS

SERVICE_INVOICE_PREFIX = f"{HISTORY}NFSE#"
WORK_KIND = "NFSE"
DPS_LOOKUP_SK = "NFSE"
COUNTER_SK = "COUNTER"
# The statuses the finance team lists (gsi2); the others are read with their invoice.
LISTED_STATUSES = ("failed",)
# What the work list holds an item for.
ISSUE, CANCEL, SUBSTITUTE = "issue", "cancel", "substitute"


def service_invoice_sk(invoice_id: str) -> str:
    return f"{SERVICE_INVOICE_PREFIX}{invoice_id}"


def dps_lookup_pk(dps_id: str) -> str:
    return f"DPS#{dps_id}"


def work_partitions() -> list[str]:
    return [f"{WORK_KIND}#{shard}" for shard in range(DUE_SHARDS)]


def status_list_pk(status: str) -> str:
    return f"NFSE_STATUS#{status}"


def dps_counter_pk(series: str) -> str:
    return f"COUNTER#DPS#{series}"


class ServiceInvoiceItem(BillingItem, discriminator="service_invoice"):
    account_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    status = UnicodeAttribute()  # pending | issued | failed | cancelled (domain.service_invoices)
    product_id = UnicodeAttribute()  # whose national service code and description the DPS carries
    # What the DPS declares, decided when the invoice was paid (domain.service_invoice_rules), and what
    # the invoice keeps after a partial refund (the substitute's value).
    service_cents = NumberAttribute()
    discount_cents = NumberAttribute(default=0)
    kept_cents = NumberAttribute(null=True)
    paid_on = UnicodeAttribute()  # dCompet: the São Paulo day the invoice was paid (ISO)
    # The DPS: numbered once; `sent_at` set before each send, so a later attempt asks the SEFIN first.
    dps_series = UnicodeAttribute()
    dps_number = NumberAttribute(null=True)
    dps_id = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    # The NFS-e as authorised (its XML and DANFSe in the files bucket).
    access_key = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)
    issued_at = UTCDateTimeAttribute(null=True)
    xml_key = UnicodeAttribute(null=True)
    pdf_key = UnicodeAttribute(null=True)
    replaced_keys = ListAttribute(of=UnicodeAttribute, default=list)  # NFS-e this one substituted
    substitutes_key = UnicodeAttribute(null=True)  # the NFS-e a substitution in progress replaces
    cancelled_at = UTCDateTimeAttribute(null=True)
    # The work: what is to do, how many tries found the SEFIN away, since when it fails.
    action = UnicodeAttribute(null=True)  # issue | cancel | substitute
    attempts = NumberAttribute(default=0)
    failed_since = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)  # pt-BR, shown on the invoice while failed
    error_code = UnicodeAttribute(null=True)
    # The finance team's request about the last failure (opened once: the id is chosen first).
    request_id = UnicodeAttribute(null=True)
    request_pending = BooleanAttribute(null=True)
    # The "NFS-e emitida"/cancelled notice (e-mail and event) still to go out.
    notice_pending = UnicodeAttribute(null=True)  # issued | cancelled | failed
    lease_owner = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    def schedule(self, when: datetime) -> None:
        """On the job's list from `when` on."""
        self.due_pk = f"{WORK_KIND}#{shard_of(self.invoice_id)}"
        self.due_sk = f"{utc_key(when)}#{self.account_id}#{self.invoice_id}"

    def unschedule(self) -> None:
        self.due_pk = self.due_sk = None

    @property
    def scheduled(self) -> bool:
        return self.due_pk is not None

    @property
    def scheduled_for(self) -> datetime | None:
        """When the job takes it next (None: off the work list)."""
        if not self.scheduled or not self.due_sk:
            return None
        return datetime.strptime(self.due_sk.split("#", 1)[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

    def serialize(self, null_check: bool = True):
        if self.dps_id:
            self.gsi1pk, self.gsi1sk = dps_lookup_pk(self.dps_id), DPS_LOOKUP_SK
        if self.status in LISTED_STATUSES:
            since = self.failed_since or self.created_at
            self.gsi2pk = status_list_pk(self.status)
            self.gsi2sk = f"{utc_key(since)}#{self.account_id}#{self.invoice_id}"
        else:
            self.gsi2pk = self.gsi2sk = None
        return super().serialize(null_check=null_check)


class DpsCounterItem(BillingItem, discriminator="dps_counter"):
    """The last DPS number of a series (pk COUNTER#DPS#<series>, sk COUNTER)."""

    last = NumberAttribute(default=0)


def new_service_invoice(account_id: str, invoice_id: str, product_id: str, service_cents: int,
                        discount_cents: int, paid_on: str, series: str, now: datetime) -> ServiceInvoiceItem:
    """The pending NFS-e of an invoice just paid, on the work list at once."""
    item = ServiceInvoiceItem(
        pk=account_pk(account_id), sk=service_invoice_sk(invoice_id), account_id=account_id,
        invoice_id=invoice_id, status="pending", product_id=product_id, service_cents=service_cents,
        discount_cents=discount_cents, paid_on=paid_on, dps_series=series, action=ISSUE, created_at=now)
    item.schedule(now)
    return item


class ServiceInvoiceRepository:
    def get(self, account_id: str, invoice_id: str) -> ServiceInvoiceItem | None:
        try:
            return ServiceInvoiceItem.get(account_pk(account_id), service_invoice_sk(invoice_id),
                                          consistent_read=True)
        except DoesNotExist:
            return None

    def save(self, item: ServiceInvoiceItem, audit=None) -> bool:
        """Put the item on condition that its version is still the one read (with its audit entry,
        in one transaction); False when another writer (a worker, a refund) changed it meanwhile."""
        if audit is not None:
            try:
                with transaction() as tx:
                    tx.save(item)
                    tx.save(audit)
            except TransactWriteError as error:
                if any(reason is not None and reason.code == "ConditionalCheckFailed"
                       for reason in error.cancellation_reasons or []):
                    return False
                raise
            return True
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def due(self, now: datetime, limit: int) -> list[ServiceInvoiceItem]:
        """What is due by `now` on every shard of the work list, oldest first within a shard."""
        bound = f"{utc_key(now)}#~"
        items = []
        for partition in work_partitions():
            items += list(ServiceInvoiceItem.due_index.query(partition, ServiceInvoiceItem.due_sk <= bound,
                                                             limit=limit))
        return items

    def by_status(self, status: str, limit: int, after: dict | None) -> tuple[list[ServiceInvoiceItem], dict | None]:
        """NFS-e of every account in a listed status (LISTED_STATUSES), the latest to fail first (gsi2;
        eventually consistent: an NFS-e that failed a moment ago may show a bit later)."""
        result = ServiceInvoiceItem.list_index.query(status_list_pk(status), scan_index_forward=False, limit=limit,
                                                     last_evaluated_key=after)
        items = list(result)
        return items, result.last_evaluated_key

    def by_dps_id(self, dps_id: str) -> ServiceInvoiceItem | None:
        for item in ServiceInvoiceItem.lookup_index.query(dps_lookup_pk(dps_id), limit=1):
            return item
        return None

    def next_dps_number(self, series: str) -> int:
        counter = DpsCounterItem(pk=dps_counter_pk(series), sk=COUNTER_SK)
        counter.update(actions=[DpsCounterItem.last.add(1), DpsCounterItem.type.set(DpsCounterItem)])
        return int(counter.last)
