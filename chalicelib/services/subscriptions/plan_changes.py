"""Changes of plan, periodicity, licenses and storage: the preview returns the quote, the change
writes it (subscription, account, the order's invoice and the audit entry) in one transaction.

A change after the next period's renewal invoice was issued, while that invoice is unpaid, also
supersedes it in the same transaction (version-checked: a payment or the invoicing job meanwhile wins
and the change gets 409) and issues its replacement — the rest of that invoice, plus the next period
re-priced when licenses or storage were added — with the same due date; the customer is told by
e-mail that the old boleto was replaced. See docs/invoicing.md, "Plan changes after the renewal
invoice was issued"."""
from dataclasses import replace
from datetime import datetime

from chalicelib.catalog import Catalog
from chalicelib.domain.enums import InvoiceStatus, Periodicity
from chalicelib.domain.periods import Period, period_starting
from chalicelib.errors import Conflict
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.subscriptions.change_quotes import open_invoice_candidates, quote
from chalicelib.services.subscriptions.change_terms import REISSUE_ORIGIN, ChangeRequest, NextPeriod, Quote
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.invoicing.drafts import Draft, invoice_line
from chalicelib.services.invoicing.records import invoice_item, open_summary, supersede
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.invoicing.orders import BilledPeriod, invoice_items
from chalicelib.services.plans.payment_rules import require_card_still_there
from chalicelib.services.plans.recurring import changed_notice, mrr_block, positions
from chalicelib.services.subscriptions.subscription_rules import changeable_subscription, subscription_summary
from chalicelib.services.subscriptions.superseded_renewals import pick_next_period_invoice
from chalicelib.store.billing import AccountSnapshot, WriteSet
from chalicelib.store.invoice_reads import InvoiceReads
from chalicelib.store.invoices import BilledPeriodItem, InvoiceItem, OpenInvoiceItem, billed_period_sk
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem

_PLAN_FIELDS = ("product_id", "periodicity", "quantity", "storage_gb")  # what subscription.changed lists
_ALREADY_BILLED = Conflict("Este período desta assinatura já foi faturado; confira as faturas em aberto.",
                           code="period_already_billed")


class PlanChangeService:
    def __init__(self, repository, catalog: Catalog, clock, notices, reads: InvoiceReads, boletos):
        self._repo = repository
        self._catalog = catalog
        self._clock = clock
        self._notices = notices  # InvoiceNotices
        self._reads = reads
        self._boletos = boletos  # OrderBoletos: the order's boleto and its invoice-issued e-mail

    @property
    def notices(self):
        """The invoice notices (e-mail and event) of a superseded renewal invoice and its replacement."""
        return self._notices

    def preview(self, account_id: str, subscription_id: str, request: ChangeRequest) -> Quote:
        today = self._clock.today()
        snapshot = self._repo.snapshot(account_id)
        subscription = changeable_subscription(snapshot, subscription_id)
        return quote(self._catalog, snapshot, subscription, request, today,
                     *self._open_invoices(snapshot, subscription, request))

    def apply(self, account_id: str, subscription_id: str, request: ChangeRequest,
              actor: str) -> tuple[Quote, str | None]:
        """The quote, written: the subscription, the account (credit, default method), the order's
        invoice, the superseded next-period invoice and its replacement, and the audit entry, in one
        transaction. Returns the quote (with `reissued_invoice_id`) and the order's invoice id."""
        clock = frozen(self._clock)
        now = clock.now()
        snapshot = self._repo.snapshot(account_id, consistent=True)
        subscription = changeable_subscription(snapshot, subscription_id)
        result = quote(self._catalog, snapshot, subscription, request, now.date(),
                       *self._open_invoices(snapshot, subscription, request))
        before = subscription_summary(subscription)
        mrr_before = positions(self._catalog, snapshot.subscriptions)
        writes = self._repo.writes()
        order = self._add_invoice(writes, snapshot, subscription, result, now)
        invoice_id = order.invoice_id if order else None
        replacement = None
        if result.next_period is not None:
            replacement = self._supersede(writes, snapshot, subscription, result.next_period, invoice_id, now)
            result = replace(result, reissued_invoice_id=replacement.invoice_id if replacement else None)
        self._void_unpaid(writes, snapshot, result, invoice_id)
        self._update_subscription(subscription, result)
        if result.is_plan_change:  # the new plan's renewals follow its own first period
            subscription.billed_through = None
            schedule_next_issue(self._catalog, subscription, snapshot.account.due_day, now.date())
        writes.save(subscription)
        account_changes = self._update_account(snapshot, result)
        if account_changes:
            writes.save(snapshot.account)
        require_card_still_there(writes, account_id, result.payment_method)
        after = subscription_summary(subscription) | account_changes | {
            "charge_now_cents": result.charge_now_cents, "invoice_id": invoice_id}
        if result.voided:
            after |= {"voided_invoice_ids": [invoice.invoice_id for invoice in result.voided]}
        if result.next_period is not None:
            after |= {"superseded_invoice_id": result.next_period.superseded_invoice_id,
                      "reissued_invoice_id": result.reissued_invoice_id}
        writes.save(audit_entry(clock, account_id, actor=actor, action="subscription.changed",
                                target=subscription_id, before=before, after=after))
        changed = changed_notice(subscription, [name for name in _PLAN_FIELDS if before[name] != after[name]],
                                 mrr_block(subscription_id, mrr_before, positions(self._catalog, snapshot.subscriptions),
                                           now.date()), now)
        writes.create(changed)
        try:
            writes.commit()
        except Exception:
            self._boletos.discard(order)
            self._boletos.discard(replacement)
            raise
        self.notices.publish_events(changed)
        self._boletos.announce(snapshot, order)
        if result.next_period is not None:
            self.notices.replaced(snapshot, result.next_period.superseded, replacement, order.label if order else None)
        return result, invoice_id

    def _open_invoices(self, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                       request: ChangeRequest) -> tuple[InvoiceItem | None, list[InvoiceItem]]:
        """The open invoice billing the next period, when one was issued, and the subscription's other
        open invoices (what of the current period is unpaid): one BatchGet, only when there are any."""
        candidates = open_invoice_candidates(snapshot, subscription, request)
        if not candidates:
            return None, []
        invoices = self._reads.get_many(snapshot.account_id, candidates)
        return pick_next_period_invoice(invoices, subscription), invoices

    @staticmethod
    def _void_unpaid(writes: WriteSet, snapshot: AccountSnapshot, result: Quote, order_invoice_id: str | None) -> None:
        """The current period's unpaid invoices gave no credit: the change's invoice supersedes them
        (voided when it charges nothing). A late payment of their boleto is still credited."""
        for invoice in result.voided:
            if order_invoice_id:
                supersede(invoice, order_invoice_id)
            else:
                invoice.status = InvoiceStatus.VOID.value
            writes.save(invoice)
            summary = next((s for s in snapshot.open_invoices if s.invoice_id == invoice.invoice_id), None)
            if summary is not None:
                writes.delete(summary, condition=OpenInvoiceItem.pk.exists())

    def _supersede(self, writes: WriteSet, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                   next_period: NextPeriod, order_invoice_id: str | None, now: datetime) -> InvoiceItem | None:
        """The issued invoice superseded (its boleto no longer payable: never registered, a late payment
        of it goes to its successor or to the account credit), its summary gone, its replacement issued."""
        old = next_period.superseded
        replacement = None
        if next_period.replaced:
            lines = [*next_period.kept, *(invoice_line(line) for line in next_period.added)]
            draft = Draft(REISSUE_ORIGIN, next_period.payment_method, next_period.due_date, lines=lines)
            replacement = invoice_item(old.account_id, sortable_id("inv", now), draft, now,
                                       snapshot.next_invoice_number(now.date()))
            # Its boleto at once, told in the boleto_replaced e-mail rather than invoice_issued.
            self._boletos.issue(replacement, [], snapshot.account, writes)
            writes.create(replacement)
            if replacement.status == "open":
                writes.create(open_summary(replacement, notice_pending=False))
        supersede(old, replacement.invoice_id if replacement else order_invoice_id)
        writes.save(old)
        summary = next((s for s in snapshot.open_invoices if s.invoice_id == old.invoice_id), None)
        if summary is not None:
            writes.delete(summary, condition=OpenInvoiceItem.pk.exists())
        if replacement is not None and next_period.repriced_period_start is not None:
            # The period stays billed once: its marker now names the invoice that bills it.
            marker = BilledPeriodItem(old.pk, billed_period_sk(subscription.subscription_id,
                                                               subscription.plan_revision,
                                                               next_period.repriced_period_start))
            writes.update(marker, [BilledPeriodItem.invoice_id.set(replacement.invoice_id)],
                          condition=BilledPeriodItem.pk.exists())
        return replacement

    def _add_invoice(self, writes: WriteSet, snapshot: AccountSnapshot, subscription: SubscriptionItem,
                     result: Quote, now: datetime) -> InvoiceItem | None:
        if not result.charge_now_cents:
            return None
        billed = []
        if result.is_plan_change:  # the new plan's first period is billed; additions are not periods
            billed = [BilledPeriod(subscription.subscription_id, subscription.plan_revision + 1,
                                   result.new_period.start)]
        invoice, related = invoice_items(snapshot.account_id, result.order, origin="change",
                                         payment_method=result.order_method, now=now, billed=billed,
                                         number=snapshot.next_invoice_number(now.date()))
        self._boletos.issue(invoice, related, snapshot.account, writes)
        writes.create(invoice)
        for item in related:
            writes.create(item, conflict=_ALREADY_BILLED if isinstance(item, BilledPeriodItem) else None)
        return invoice

    @staticmethod
    def _update_subscription(subscription: SubscriptionItem, result: Quote) -> None:
        plan = result.plan
        subscription.quantity = plan.quantity
        subscription.storage_gb = plan.storage_gb
        subscription.period_payments = [PaymentPart(amount_cents=amount, since=since)
                                        for amount, since in result.payments]
        if result.is_plan_change:
            subscription.product_id = plan.product.id
            subscription.periodicity = plan.periodicity.value
            subscription.current_period_start = result.new_period.start
            subscription.current_period_end = result.new_period.end
            subscription.anchor_day = _anchor_day(result.new_period, plan.periodicity)
            subscription.plan_revision += 1
            # The new plan starts now, paid by the method chosen for it.
            subscription.payment_method = result.payment_method
            subscription.pending_payment_method = None
        elif result.make_default and result.payment_method != subscription.payment_method:
            subscription.pending_payment_method = result.payment_method  # from the next renewal

    @staticmethod
    def _update_account(snapshot: AccountSnapshot, result: Quote) -> dict:
        account = snapshot.account
        changes = {}
        credit = result.account_credit_after_cents
        if credit != account.credit_cents:
            changes["account_credit_cents"] = credit
            account.credit_cents = credit
        if result.make_default and account.default_payment_method != result.payment_method:
            changes["default_payment_method"] = result.payment_method
            account.default_payment_method = result.payment_method
        return changes


def _anchor_day(period: Period, periodicity: Periodicity) -> int:
    """A whole new period keeps its start day (Jan 31 renews on Feb 28, then Mar 31); a period
    stretched or shortened by credit renews on the day it ends."""
    return period.start.day if period == period_starting(period.start, periodicity) else period.end.day

