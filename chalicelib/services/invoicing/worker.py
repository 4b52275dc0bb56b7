"""The invoicing worker: issue what one account owes for one run of the issue-invoices job.

At most once, whatever retries or concurrent workers do: every renewal period is recorded by a
conditional ~BILLED# marker in the transaction that creates its invoice, and the subscriptions it
bills (version-checked) move their `billed_through` and their index entry in that same transaction.
A worker that loses the race finds the markers taken and stops; one retried after a crash finds the
periods billed and only resends a notice left pending.

Cost per issued invoice (DynamoDB): the live-state Query, the nosso número counter (boleto), the
TransactWriteItems and the update that clears the notice flag; overdue invoices add one BatchGet.

The subscription's period itself does not move here: the invoice bills the next period (its lines
carry subscription_id, period_start, period_end) and settlement extends the subscription when it is
paid (PRODUCT.md §6). Its licenses do: a renewal in `active_only` mode bills the active members, and
the subscription keeps that quantity from then on (Operand: "Renovar automaticamente apenas as
licenças ativas" removes the licenses left over), in the same transaction, with an audit entry and a
`license.seats_changed` event (recorded as a notice with the change, published after the commit)."""
from dataclasses import dataclass, field
from datetime import date

from chalicelib.catalog import Catalog
from chalicelib.domain.invoice_calendar import coverage_end, due_date_of_run
from chalicelib.domain.enums import InvoiceStatus, RenewalMode
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.invoicing.account_bills import bill_account, overdue_invoice_ids, same_due_invoice_ids
from chalicelib.services.invoicing.drafts import AccountBill, Draft
from chalicelib.services.invoicing.records import (
    AlreadyBilled, invoice_item, issue_first_boleto, record_new_invoice, supersede,
)
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.plans.recurring import changes_mrr, positions
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.notices import EVENTS_KIND, NoticeItem, new_notice

JOB_ACTOR = "job:issue-invoices"
PIX_AUTOMATICO = "pix_automatico"
_log = get_logger("invoicing")


@dataclass
class IssueOutcome:
    account_id: str
    invoice_ids: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    already_issued: bool = False
    notices_resent: int = 0
    pix_charges: list = field(default_factory=list)  # pix_cycle_charges.ChargeOutcome of each invoice charged
    pix_pending: list[str] = field(default_factory=list)  # open Pix Automático invoices not charged yet


class InvoicingService:
    def __init__(self, repository, reads, catalog: Catalog, documents, notices, clock, bank_code: str,
                 cycle_charges, seats_removed):
        """`cycle_charges`: PixCycleCharges, which charges the Pix Automático invoices issued (and any
        an earlier run left uncharged) right after the commit. `seats_removed(account_id)`: called
        after a renewal in `active_only` mode lowered a subscription's seats, so the license keys of
        the seats no longer paid for are retired and their machines freed in the same run."""
        self._cycle_charges = cycle_charges
        self._seats_removed = seats_removed
        self._repo = repository
        self._reads = reads
        self._catalog = catalog
        self._documents = documents
        self._notices = notices
        self._clock = clock
        self._bank = bank_code

    def issue_for_account(self, account_id: str, issue_date: date) -> IssueOutcome:
        """Bill the account's renewals covered by the run of `issue_date` (due 7 days later)."""
        def retried(attempt: int, _error) -> None:
            log_event(_log, "invoicing retried", account_id=account_id, attempt=attempt)

        # A person changing a subscription while the worker runs: read again and retry.
        try:
            outcome = retrying(lambda: self._issue(account_id, issue_date), on_retry=retried)
        except AlreadyBilled:
            outcome = IssueOutcome(account_id, already_issued=True)
        outcome.pix_charges = self._charge_cycles(account_id, outcome.pix_pending)
        return outcome

    def _retire_removed_seats(self, account_id: str) -> None:
        try:
            self._seats_removed(account_id)
        except Exception as error:  # the renewal is committed; the keys' next check-in retires them
            log_event(_log, "license keys not retired", account_id=account_id, error=type(error).__name__)

    def _charge_cycles(self, account_id: str, invoice_ids: list[str]) -> list:
        """After the commit: the account's open Pix Automático invoices not charged yet (the ones just
        issued, or one a crash or an unreachable PSP left behind) get their cycle charge, once."""
        if not invoice_ids:
            return []
        try:
            return self._cycle_charges.charge_invoices(account_id, invoice_ids)
        except Exception as error:  # the invoices are issued; the next run charges what is left
            log_event(_log, "pix cycle charges failed", account_id=account_id, error=type(error).__name__)
            return []

    def _issue(self, account_id: str, issue_date: date) -> IssueOutcome:
        clock = frozen(self._clock)
        now = clock.now()
        snapshot = self._repo.snapshot(account_id, consistent=True)
        outcome = IssueOutcome(account_id)
        if snapshot.account is None:
            return outcome
        outcome.notices_resent = self._resend_pending_notices(snapshot)
        outcome.pix_pending = self._cycle_charges.uncharged(snapshot)  # from the snapshot read: no extra query
        due = due_date_of_run(issue_date)
        overdue = self._reads.get_many(account_id, overdue_invoice_ids(snapshot, now.date())
                                       + same_due_invoice_ids(snapshot, due))
        bill = bill_account(self._catalog, snapshot, overdue, due, coverage_end(due, snapshot.account.due_day))
        if bill.empty:
            return outcome
        invoices = [self._new_invoice(snapshot, draft, now) for draft in bill.drafts]
        try:
            seats = self._commit(clock, snapshot, bill, invoices)
        except Exception:
            self._discard_documents(invoices)
            raise
        if seats is not None:
            self._notices.publish_events(seats)
            self._retire_removed_seats(account_id)
        outcome.invoice_ids = [invoice.invoice_id for invoice in invoices]
        outcome.pix_pending += [invoice.invoice_id for invoice in invoices
                                if invoice.payment_method == PIX_AUTOMATICO and invoice.status == InvoiceStatus.OPEN]
        outcome.superseded = [invoice.invoice_id for invoice in bill.superseded]
        for index, invoice in enumerate(invoices):
            self._notify(snapshot, invoice, bill.superseded if index == 0 else [])
        log_event(_log, "invoices issued", account_id=account_id, invoices=len(invoices),
                  superseded=len(bill.superseded))
        return outcome

    def _new_invoice(self, snapshot: AccountSnapshot, draft: Draft, now) -> InvoiceItem:
        account = snapshot.account
        invoice = invoice_item(account.account_id, sortable_id("inv", now), draft, now,
                               snapshot.next_invoice_number(now.date()))
        # Without billing data, the 2ª via issues it later.
        issue_first_boleto(self._documents, invoice, account.billing_data, now.date(), self._bank)
        return invoice

    def _commit(self, clock, snapshot: AccountSnapshot, bill: AccountBill,
                invoices: list[InvoiceItem]) -> NoticeItem | None:
        """Returns the notice of the licenses renewed in `active_only` mode, if any, to publish."""
        account = snapshot.account
        today = clock.today()
        writes = self._repo.writes()
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        seats = _renewed_seats(bill)
        for draft, invoice in zip(bill.drafts, invoices):
            record_new_invoice(writes, invoice, draft)
        main = invoices[0]
        summaries = {summary.invoice_id: summary for summary in snapshot.open_invoices}
        for old in bill.superseded:
            supersede(old, main.invoice_id)
            writes.save(old)
            writes.delete(summaries[old.invoice_id], condition=OpenInvoiceItem.pk.exists())
        for subscription in _billed_subscriptions(bill):
            schedule_next_issue(self._catalog, subscription, account.due_day, today)
            writes.save(subscription)
        notice = None
        if seats:
            # metrics: fewer licenses from today, the day the change is committed (docs/metrics.md)
            mrr = changes_mrr(self._catalog, snapshot.subscriptions, mrr_before,
                              [change.subscription.subscription_id for change in seats], today)
            notice = _seats_notice(clock, account.account_id, seats, mrr)
            writes.create(notice)
            for change in seats:
                writes.save(audit_entry(clock, account.account_id, actor=JOB_ACTOR, action="license.seats_changed",
                                        target=change.subscription.subscription_id,
                                        before={"quantity": change.before}, after=change.summary))
        if bill.account_credit_cents != account.credit_cents:
            account.credit_cents = bill.account_credit_cents
            writes.save(account)
        for invoice in invoices:
            writes.save(audit_entry(clock, account.account_id, actor=JOB_ACTOR, action="invoice.issued",
                                    target=invoice.invoice_id, after=_audit_summary(invoice, bill, main)))
        writes.commit()
        return notice

    def _notify(self, snapshot: AccountSnapshot, invoice: InvoiceItem, superseded: list[InvoiceItem]) -> None:
        self._notices.issued(snapshot, invoice, superseded)
        if invoice.status == InvoiceStatus.OPEN:
            self._reads.notice_sent(invoice.account_id, invoice.invoice_id)

    def _resend_pending_notices(self, snapshot: AccountSnapshot) -> int:
        """A worker that crashed between its commit and its e-mail left the flag set: send now."""
        pending = [summary for summary in snapshot.open_invoices if summary.notice_pending]
        for summary in pending:
            invoice = self._reads.get(snapshot.account_id, summary.invoice_id)
            if invoice is not None:
                self._notify(snapshot, invoice, [])
        return len(pending)

    def _discard_documents(self, invoices: list[InvoiceItem]) -> None:
        for invoice in invoices:
            if invoice.pdf_key:
                self._documents.discard(invoice.pdf_key)


def _billed_subscriptions(bill: AccountBill):
    """Each subscription billed, its billing cursor moved past the last period billed."""
    seen = {}
    for draft in bill.drafts:
        for renewal in draft.renewals:
            subscription = renewal.subscription
            subscription.billed_through = renewal.terms.period.end
            subscription.renewals_billed += 1
            seen[subscription.subscription_id] = subscription
    return seen.values()


@dataclass(frozen=True)
class _SeatsRenewed:
    subscription: object  # SubscriptionItem, its quantity already the renewed one
    before: int
    effective: date  # the first day of the renewed period

    @property
    def summary(self) -> dict:
        return {"quantity": self.subscription.quantity, "renewal_mode": self.subscription.renewal_mode,
                "effective_date": self.effective.isoformat()}


def _renewed_seats(bill: AccountBill) -> list[_SeatsRenewed]:
    """Subscriptions renewed in `active_only` mode with fewer licenses than purchased: the purchased
    quantity becomes the renewed one, so Meu Plano and the entitlements show the seats paid for."""
    changes = {}
    for draft in bill.drafts:
        for renewal in draft.renewals:
            subscription, quantity = renewal.subscription, renewal.terms.quantity
            if subscription.renewal_mode != RenewalMode.ACTIVE_ONLY or quantity == subscription.quantity:
                continue
            changes[subscription.subscription_id] = _SeatsRenewed(subscription, subscription.quantity,
                                                                   renewal.terms.period.start)
            subscription.quantity = quantity
    return list(changes.values())


def _seats_notice(clock, account_id: str, seats: list[_SeatsRenewed], mrr: dict[str, dict]) -> NoticeItem:
    now = clock.now()
    events = [{"type": "license.seats_changed", "id": f"license.seats_changed:{change.subscription.subscription_id}:"
                                                      f"{change.effective.isoformat()}",
               "data": {"subscription_id": change.subscription.subscription_id,
                        "product_id": change.subscription.product_id, "quantity": change.subscription.quantity,
                        "previous_quantity": change.before, "effective_date": change.effective.isoformat(),
                        "reason": "active_only_renewal",
                        **({"mrr": mrr[change.subscription.subscription_id]}
                           if change.subscription.subscription_id in mrr else {})}} for change in seats]
    return new_notice(account_id, sortable_id("ntc", now), EVENTS_KIND, {"events": events}, now.date(), now)


def _audit_summary(invoice: InvoiceItem, bill: AccountBill, main: InvoiceItem) -> dict:
    summary = {"origin": invoice.origin, "due_date": invoice.due_date.isoformat(),
               "total_cents": invoice.total_cents, "payment_method": invoice.payment_method,
               "nosso_numero": invoice.nosso_numero,
               "periods": [f"{line.subscription_id}:{line.period_start.isoformat()}"
                           for line in invoice.lines if line.kind == "subscription" and line.period_start]}
    if invoice is main and bill.superseded:
        summary["superseded"] = [old.invoice_id for old in bill.superseded]
    return summary
