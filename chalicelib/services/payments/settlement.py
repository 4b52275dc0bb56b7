"""Settlement: money received is recorded exactly once and applied in ONE DynamoDB transaction
(settlement_transaction.py), planned in memory first (settlement_plan.py); the domain events and the
e-mail follow the commit, and a notice a crash interrupted is delivered again.

Every way money arrives calls `settle` with an `IncomingPayment` (incoming_payments.py): gateway
webhooks (Stripe, Asaas, the local fake), card charges made by the app, and bank return files."""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from chalicelib.errors import ConcurrentUpdate
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments import invoice_matching
from chalicelib.services.payments.incoming_payments import IncomingPayment, Outcome, SettlementResult, outcome_of
from chalicelib.services.payments.notices import PaymentNotices
from chalicelib.services.payments.receipts import receipt_item
from chalicelib.services.payments.reinstatements import Reinstatements, not_reinstated_by
from chalicelib.services.payments.settlement_plan import Plan, SettlementPlanner
from chalicelib.services.payments.settlement_transaction import DuplicateReceipt, GatewayPaymentTaken, commit
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem
from chalicelib.store.payments import PaymentItem, ReceiptItem, UnmatchedPaymentItem

_log = get_logger("settlement")
# Longer than any request runs (Lambda timeout): a notice pending for longer was interrupted.
NOTICE_GRACE = timedelta(minutes=2)


class SettlementService:
    def __init__(self, payments, billing, catalog, clock, events, notices: PaymentNotices,
                 held_events: Callable, retention, standing_notices, service_invoices,
                 service_invoice_due: Callable[[str, str], None]):
        """`retention`: RetentionService (`scheduled_purge`), for the retention window of a manual
        renewal; `standing_notices`: StandingNotices, which delivers the finance team's refund request
        written with the settlement right after the commit (after a crash, the check-overdue job does).
        `service_invoices`: ServiceInvoiceOpening (the pending NFS-e written with the payment);
        `service_invoice_due(account_id, invoice_id)`: asks for it to be issued now, best effort (the
        issue-service-invoices job issues whatever this leaves)."""
        self._service_invoice_due = service_invoice_due
        self._standing_notices = standing_notices
        self._payments = payments
        self._billing = billing
        self._clock = clock
        self._events = events
        self._notices = notices
        self._planner = SettlementPlanner(catalog, Reinstatements(catalog, retention), service_invoices)
        # (GatewayPaymentItem, PaymentItem) -> list: the refunds service applies the refunds and chargebacks a
        # gateway sent before this payment settled; required, or those events would stay held for good.
        self.held_events = held_events

    def settle(self, incoming: IncomingPayment, alert_unmatched: bool = True) -> SettlementResult:
        """Record the payment once and apply it; `alert_unmatched=False` when the caller reports
        unmatched money itself (a bank file lists them in one e-mail)."""
        clock = frozen(self._clock)
        claim = None  # the gateway payment lookup holding early events, once found: taken over at its version

        def attempt() -> SettlementResult:
            nonlocal claim
            receipt, named = invoice_matching.receipt_and_invoice(self._payments, incoming)
            if receipt is not None:
                return self._duplicate(receipt, clock)
            target = invoice_matching.target(self._payments, named)
            if target is None:
                return self._unmatched(incoming, clock, alert_unmatched)
            snapshot = self._billing.snapshot(target.invoice.account_id)
            plan = self._planner.plan(incoming, target, snapshot, clock)
            try:
                receipt = commit(self._billing.writes(), plan, incoming, snapshot, clock, claim)
            except DuplicateReceipt:  # the same delivery won a race with this one
                return self._duplicate(self._payments.receipt(incoming.receipt_key), clock)
            except GatewayPaymentTaken as taken:
                claim = self._payments.gateway_payment(incoming.gateway, incoming.gateway_payment_id)
                if claim is None or claim.payment_id:
                    return self._same_gateway_payment(incoming, claim, clock)
                # Only held events there, written since this attempt read: the next attempt takes the
                # lookup over and applies them after its commit. The last attempt answers this.
                raise ConcurrentUpdate("Não foi possível registrar o pagamento agora; tente novamente.") from taken
            return self._after_commit(plan, snapshot, claim, receipt)

        return retrying(attempt)

    # --- after the commit ---------------------------------------------------------------------
    def _after_commit(self, plan: Plan, snapshot: AccountSnapshot, claim, receipt: ReceiptItem) -> SettlementResult:
        log_event(_log, "payment settled", payment_id=plan.payment.payment_id, invoice_id=plan.invoice.invoice_id,
                  amount_cents=plan.payment.amount_cents, status=plan.invoice.status)
        self._deliver(receipt, plan.payment, plan.invoice, snapshot)
        held = []
        if claim is not None and claim.held:
            held = self.held_events(claim, plan.payment)
        if plan.alert is not None:
            self._standing_notices.deliver(plan.alert, snapshot)
        if plan.service_invoice is not None:
            self._ask_service_invoice(plan.invoice)
        return SettlementResult(outcome_of(plan.allocation), plan.payment, plan.invoice, plan.allocation, held,
                                plan.reinstated, plan.not_reinstated)

    def _ask_service_invoice(self, invoice: InvoiceItem) -> None:
        """The payment is recorded whatever happens here: the NFS-e waits on the job's list."""
        try:
            self._service_invoice_due(invoice.account_id, invoice.invoice_id)
        except Exception:
            _log.exception("service invoice left to the job",
                           extra={"fields": {"invoice_id": invoice.invoice_id}})

    def _deliver(self, receipt: ReceiptItem, payment: PaymentItem, invoice: InvoiceItem,
                 snapshot: AccountSnapshot) -> None:
        """The domain events and the e-mail of a settlement, then the receipt's notice is done. Sent
        again (same event ids, same e-mail id) if a crash came before the receipt was updated."""
        for event in receipt.event_list:
            self._events.publish(event["type"], receipt.account_id, event["data"], event_id=event["id"])
        reinstated = [event["data"] for event in receipt.event_list if event["type"] == "subscription.reinstated"]
        self._notices.payment_confirmed(snapshot, payment, invoice, message_key=receipt.key,
                                        queued_at=receipt.created_at, reinstated=reinstated,
                                        not_reinstated=not_reinstated_by(payment, invoice))
        self._payments.notice_delivered(receipt)

    def redeliver(self, receipt: ReceiptItem) -> None:
        """A settlement whose notice a crash interrupted: read what it needs and deliver it."""
        payment = self._payments.payment(receipt.account_id, receipt.payment_id)
        invoice = self._payments.invoice(receipt.account_id, payment.invoice_id) if payment else None
        if payment is None or invoice is None:  # purged meanwhile: nothing left to tell
            self._payments.notice_delivered(receipt)
            return
        self._deliver(receipt, payment, invoice, self._billing.snapshot(receipt.account_id))
        log_event(_log, "payment notice delivered again", receipt=receipt.key)

    def deliver_pending(self, days, committed_before: datetime) -> int:
        """Notices a crash left behind on `days` (the charge-cards job sweeps them); receipts newer
        than `committed_before` belong to requests still running."""
        pending = [receipt for day in days for receipt in self._payments.pending_notices(day)
                   if receipt.notice_pending and receipt.created_at <= committed_before]
        for receipt in pending:
            self.redeliver(receipt)
        return len(pending)

    # --- nothing to apply ---------------------------------------------------------------------
    def _duplicate(self, receipt: ReceiptItem, clock) -> SettlementResult:
        # Still pending well after its commit: the first delivery died before its notice. (Younger,
        # the first delivery is most likely sending it right now: a concurrent duplicate leaves it.)
        if receipt.notice_pending and clock.now() - receipt.created_at >= NOTICE_GRACE:
            self.redeliver(receipt)
        log_event(_log, "duplicate delivery", level=logging.INFO, receipt=receipt.key)
        return SettlementResult(Outcome.DUPLICATE)

    def _same_gateway_payment(self, incoming: IncomingPayment, lookup, clock) -> SettlementResult:
        """Another delivery of a gateway payment already recorded (the webhook of a charge the app
        settled at once): its receipt is kept, nothing else changes."""
        account_id = lookup.account_id if lookup else None
        self._payments.record_receipt(receipt_item(incoming.receipt_key, "duplicate_payment", account_id,
                                                   lookup.payment_id if lookup else None, [], clock.now()))
        return SettlementResult(Outcome.DUPLICATE)

    def _unmatched(self, incoming: IncomingPayment, clock, alert: bool) -> SettlementResult:
        """No invoice matched: the money is kept on record for the finance team, never dropped."""
        now = clock.now()
        if not self._payments.record_receipt(receipt_item(incoming.receipt_key, "unmatched", None, None, [], now)):
            return SettlementResult(Outcome.DUPLICATE)
        item = UnmatchedPaymentItem(
            pk="UNMATCHED", sk=f"{now.isoformat()}#{incoming.receipt_key}", receipt_key=incoming.receipt_key,
            source=incoming.source, method=incoming.method, amount_cents=incoming.amount_cents,
            reference=incoming.reference, paid_at=incoming.paid_at, created_at=now)
        self._payments.save_unmatched(item)
        log_event(_log, "unmatched payment", level=logging.WARNING, receipt=incoming.receipt_key,
                  amount_cents=incoming.amount_cents)
        if alert:
            self._notices.unmatched_payment(item)
        return SettlementResult(Outcome.UNMATCHED)
