"""Reading invoices: one by id, a few at once, an account's list by status (newest first), the
subscriptions due for a run of the invoicing job, the open invoices on a job's list of a day, and
the invoice of a nosso número."""
from datetime import date

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.domain.enums import PaymentMethod
from chalicelib.store.base import account_pk
from chalicelib.store.due import day_partitions
from chalicelib.store.invoices import (
    CARD_CHARGE_KIND, NOSSO_NUMERO_SK, InvoiceItem, NossoNumeroItem, OpenInvoiceItem, invoice_sk, nosso_numero_pk,
    open_invoice_sk,
)
from chalicelib.store.reviews import REVIEW_KIND, first_review_day
from chalicelib.store.subscriptions import RENEWAL_ISSUE_KIND, SubscriptionItem

INVOICE_PREFIX = invoice_sk("")


class InvoiceReads:
    def get(self, account_id: str, invoice_id: str) -> InvoiceItem | None:
        try:
            return InvoiceItem.get(account_pk(account_id), invoice_sk(invoice_id), consistent_read=True)
        except DoesNotExist:
            return None

    def get_many(self, account_id: str, invoice_ids: list[str]) -> list[InvoiceItem]:
        """One BatchGetItem (consistent) for a handful of invoices of one account."""
        if not invoice_ids:
            return []
        keys = [(account_pk(account_id), invoice_sk(invoice_id)) for invoice_id in invoice_ids]
        return list(InvoiceItem.batch_get(keys, consistent_read=True))

    def page(self, account_id: str, statuses: frozenset[str] | None, limit: int,
             after_sk: str | None) -> tuple[list[InvoiceItem], str | None]:
        """Newest first. A status filter is applied by DynamoDB on the account's invoices: an
        account holds a few dozen invoices a year, so the items skipped cost little (and the open
        ones are also on the live summaries, OPENINV#)."""
        kwargs = {"scan_index_forward": False, "page_size": limit + 1}
        if statuses:
            kwargs["filter_condition"] = InvoiceItem.status.is_in(*statuses)
        if after_sk:
            kwargs["last_evaluated_key"] = {"pk": {"S": account_pk(account_id)}, "sk": {"S": after_sk}}
        items = []
        for item in InvoiceItem.query(account_pk(account_id), InvoiceItem.sk.startswith(INVOICE_PREFIX), **kwargs):
            items.append(item)
            if len(items) > limit:
                break
        more = len(items) > limit
        items = items[:limit]
        return items, (items[-1].sk if more else None)

    def by_nosso_numero(self, key: str) -> NossoNumeroItem | None:
        """The invoice of a boleto (key: domain.nosso_numero.nosso_numero_key / return_file_key)."""
        try:
            return NossoNumeroItem.get(nosso_numero_pk(key), NOSSO_NUMERO_SK, consistent_read=True)
        except DoesNotExist:
            return None

    def accounts_to_issue(self, day: date, shard: int, after: dict | None = None,
                          limit: int = 1000) -> tuple[list[str], dict | None]:
        """One page of the accounts with a subscription whose renewal the run of `day` bills, in one
        shard of ISSUE#<day>; the second value is where the next page starts (None: the last)."""
        result = SubscriptionItem.due_index.query(day_partitions(RENEWAL_ISSUE_KIND, day)[shard], limit=limit,
                                                  last_evaluated_key=after)
        accounts = list(dict.fromkeys(item.account_id for item in result))
        return accounts, result.last_evaluated_key

    def open_card_invoices_due(self, day: date, shard: int):
        """The live summaries of the card invoices to charge on `day`, in one shard of CHARGE#<day>
        (one Query, read lazily: the charge-cards job moves each item off the list as it goes)."""
        yield from OpenInvoiceItem.due_index.query(day_partitions(CARD_CHARGE_KIND, day)[shard])

    def open_boleto_invoices_due_on(self, due: date, shard: int):
        """The live summaries of the open boleto invoices due on `due`, in one shard. They sit on
        check-overdue's review list from the day they are created, for their first review day
        (store/reviews.py), so they need no index entry of their own; DynamoDB filters out the
        other kinds of items and invoices there (one Query)."""
        condition = (OpenInvoiceItem.payment_method == PaymentMethod.BOLETO.value) & (OpenInvoiceItem.due_date == due)
        partition = day_partitions(REVIEW_KIND, first_review_day(due))[shard]
        yield from OpenInvoiceItem.due_index.query(partition, filter_condition=condition)

    def open_pix_automatico_uncharged_due_on(self, due: date, shard: int):
        """The live summaries of the open Pix Automático invoices due on `due` whose cycle charge is not
        recorded yet, in one shard: on check-overdue's review list as any open invoice (see
        open_boleto_invoices_due_on), filtered by DynamoDB (one Query)."""
        condition = ((OpenInvoiceItem.payment_method == "pix_automatico") & (OpenInvoiceItem.due_date == due)
                     & OpenInvoiceItem.pix_charge_status.does_not_exist())
        partition = day_partitions(REVIEW_KIND, first_review_day(due))[shard]
        yield from OpenInvoiceItem.due_index.query(partition, filter_condition=condition)

    def notice_sent(self, account_id: str, invoice_id: str) -> None:
        """Clear the open summary's pending-notice flag (gone already if the invoice was settled)."""
        summary = OpenInvoiceItem(pk=account_pk(account_id), sk=open_invoice_sk(invoice_id))
        try:
            summary.update(actions=[OpenInvoiceItem.notice_pending.remove()],
                           condition=OpenInvoiceItem.pk.exists())
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
