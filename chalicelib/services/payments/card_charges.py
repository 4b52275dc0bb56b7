"""Card charges (PRODUCT.md §5): the `charge-cards` job charges open card invoices on their due date
and retries a failure on the configured days after the first one (default 1, 3 and 5), with an
e-mail each time; after the last, the invoice stays open and joins the check-overdue job's list. `pay_now` is the
manual renewal: charge the account's card at once and settle on success; it claims the invoice's
attempt first (pay_attempts.py), so concurrent or repeated requests charge the card once.

Work is found in the `due` index (CHARGE#<day>#<shard>, on the invoice's live summary), never by
a Scan; a checkpoint lets a run after missed days catch up. The gateway's idempotency key is
(invoice, attempt), so a run repeated after a crash never charges one attempt twice."""
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.adapters.gateways import CardCharge, ChargeResult
from chalicelib.domain.settlement import PAYABLE_STATUSES
from chalicelib.errors import Conflict, NotFound
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.instants import frozen
from chalicelib.services.payments.pay_attempts import DECLINED, PAID, PayAttempts
from chalicelib.services.payments.incoming_payments import IncomingPayment, SettlementResult
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem, card_charge_due
from chalicelib.store.reviews import review_due
from chalicelib.store.schema import DUE_SHARDS
from chalicelib.store.subscriptions import CardItem

JOB = "charge-cards"
FIRST_RUN_LOOKBACK_DAYS = 7  # with no checkpoint yet, look this far back for invoices left behind
_log = get_logger("card_charges")


@dataclass
class ChargeRun:
    business_date: date
    processed: int = 0
    charged: int = 0
    failed: int = 0
    retries_scheduled: int = 0
    exhausted: int = 0  # last retry failed: the overdue rules take over
    skipped: int = 0  # paid or closed meanwhile
    notices: int = 0  # payment notices delivered after a crash

    def as_dict(self) -> dict:
        return {"job": JOB, "date": self.business_date.isoformat(), "processed": self.processed,
                "charged": self.charged, "failed": self.failed, "retries_scheduled": self.retries_scheduled,
                "exhausted": self.exhausted, "skipped": self.skipped, "notices": self.notices}


def retry_day(first_failure: date, failed_attempts: int, retry_days: tuple[int, ...]) -> date | None:
    """When to try again after `failed_attempts` failures (None: no retry left)."""
    if failed_attempts > len(retry_days):
        return None
    return first_failure + timedelta(days=retry_days[failed_attempts - 1])


class CardChargeService:
    def __init__(self, payments, billing, invoice_reads, gateway, gateway_name: str, settlement, notices,
                 checkpoints, clock, retry_days: tuple[int, ...]):
        self._payments = payments
        self._billing = billing
        self._invoice_reads = invoice_reads
        self._gateway = gateway
        self._gateway_name = gateway_name
        self._settlement = settlement
        self._notices = notices
        self._checkpoints = checkpoints
        self._clock = clock
        self._retry_days = retry_days
        self._attempts = PayAttempts(payments, clock)

    # --- manual renewal -----------------------------------------------------------------------
    def pay_now(self, account_id: str, invoice_id: str, actor: str) -> SettlementResult:
        """Charge the account's card for what the invoice still owes; settle at once on success.
        409 `invoice_not_payable`, `no_card`, `card_declined` (with the gateway's reason) or
        `payment_in_progress` (another request holds the invoice's attempt)."""
        snapshot = self._billing.snapshot(account_id, consistent=True)
        snapshot.require_account()
        self._payable_invoice(account_id, invoice_id)
        if snapshot.card is None:
            raise Conflict("A conta não tem cartão cadastrado: cadastre um cartão para pagar agora.",
                           code="no_card")
        claim = self._attempts.claim(account_id, invoice_id)
        try:
            # Read again while holding the attempt: a payment that finished since the first read
            # (its attempt is let go only after its settlement committed) is seen here.
            invoice = self._payable_invoice(account_id, invoice_id)
            result = self._charge(invoice, snapshot.card, claim.idempotency_key)
        except BaseException:
            self._attempts.release(claim)  # no answer: the next request asks again with the same key
            raise
        if not result.succeeded:
            self._attempts.finish(claim, DECLINED)
            raise Conflict(f"O cartão foi recusado: {result.failure_message or 'cobrança não aprovada'}",
                           code="card_declined", details={"reason": result.failure_code or "declined"})
        try:
            settled = self._settle(invoice, result, actor)
        except BaseException:
            # Charged but not recorded: the same key gets this same charge back, settled once.
            self._attempts.release(claim)
            raise
        self._attempts.finish(claim, PAID)
        return settled

    def _payable_invoice(self, account_id: str, invoice_id: str) -> InvoiceItem:
        invoice = self._payments.invoice(account_id, invoice_id)
        if invoice is None:
            raise NotFound("Fatura não encontrada.", code="invoice_not_found")
        if invoice.status not in PAYABLE_STATUSES:
            raise Conflict("Esta fatura não tem valor em aberto para pagar.", code="invoice_not_payable",
                           details={"status": invoice.status})
        return invoice

    # --- the job ------------------------------------------------------------------------------
    def run_due(self, today: date) -> ChargeRun:
        run = ChargeRun(today)
        # Today's list may still grow (a card subscription made this afternoon): every run reads
        # today again; what was handled left the list, so nothing is charged twice.
        window = self._checkpoints.open_window(JOB, today, FIRST_RUN_LOOKBACK_DAYS, today_stays_open=True)
        days = window.days
        # Payment notices a crash left behind (this job's own, or a webhook never redelivered).
        run.notices = self._settlement.deliver_pending(days, self._clock.now())
        for day in days:
            for shard in range(DUE_SHARDS):
                for summary in self._invoice_reads.open_card_invoices_due(day, shard):
                    self._attempt(summary, run)
        self._checkpoints.close_window(JOB, window)
        return run

    def _attempt(self, summary: OpenInvoiceItem, run: ChargeRun) -> None:
        run.processed += 1
        invoice = self._payments.invoice(summary.account_id, summary.invoice_id)
        if invoice is None or invoice.status not in PAYABLE_STATUSES:
            run.skipped += 1
            return
        snapshot = self._billing.snapshot(summary.account_id)
        attempt = (summary.charge_attempts or 0) + 1
        if snapshot.card is None:
            result = ChargeResult(False, None, "no_card", "nenhum cartão cadastrado")
        else:
            result = self._charge(invoice, snapshot.card, f"{invoice.invoice_id}:attempt-{attempt}")
        if result.succeeded:
            self._settle(invoice, result, f"job:{JOB}")
            run.charged += 1
            return
        self._failed(summary, invoice, snapshot, attempt, result, run)

    def _failed(self, summary, invoice, snapshot, attempt: int, result: ChargeResult, run: ChargeRun) -> None:
        clock = frozen(self._clock)
        first_failure = summary.charge_failed_on or run.business_date
        next_day = retry_day(first_failure, attempt, self._retry_days)
        if next_day:
            due = card_charge_due(summary.account_id, summary.invoice_id, next_day)
        else:  # no retry left: the overdue rules take over (check-overdue's list, store/reviews.py)
            due = review_due(summary.account_id, summary.invoice_id, run.business_date + timedelta(days=1))
        writes = self._billing.writes()
        # Only the run that read this attempt count moves it on (two overlapping runs: one e-mail).
        writes.update(summary, [OpenInvoiceItem.charge_attempts.set(attempt),
                                OpenInvoiceItem.charge_failed_on.set(first_failure),
                                OpenInvoiceItem.due_pk.set(due["due_pk"]), OpenInvoiceItem.due_sk.set(due["due_sk"])],
                      condition=_attempts_were(summary.charge_attempts or 0))
        writes.save(audit_entry(clock, summary.account_id, actor=f"job:{JOB}", action="card.charge_failed",
                                target=summary.invoice_id, reason=result.failure_code or "declined",
                                after={"attempt": attempt, "next_attempt_on": next_day.isoformat() if next_day else None}))
        try:
            writes.commit()
        except Conflict:
            run.skipped += 1
            return
        run.failed += 1
        if next_day:
            run.retries_scheduled += 1
        else:
            run.exhausted += 1
        log_event(_log, "card charge failed", level=logging.INFO, invoice_id=summary.invoice_id, attempt=attempt,
                  reason=result.failure_code, next_attempt_on=next_day.isoformat() if next_day else None)
        self._notices.card_charge_failed(snapshot, invoice.label, _owed(invoice),
                                         result.failure_message or "cobrança não aprovada", next_day)

    # --- shared -------------------------------------------------------------------------------
    def _charge(self, invoice: InvoiceItem, card: CardItem, idempotency_key: str) -> ChargeResult:
        return self._gateway.charge(CardCharge(
            invoice_id=invoice.invoice_id, account_id=invoice.account_id, amount_cents=_owed(invoice),
            customer_ref=card.gateway_customer or "", payment_method_token=card.gateway_token,
            idempotency_key=idempotency_key))

    def _settle(self, invoice: InvoiceItem, result: ChargeResult, actor: str) -> SettlementResult:
        return self._settlement.settle(IncomingPayment(
            receipt_key=f"charge:{self._gateway_name}:{result.payment_id}", amount_cents=_owed(invoice),
            method="card", source="gateway", paid_at=self._clock.now(), invoice_id=invoice.invoice_id,
            account_id=invoice.account_id, gateway=self._gateway_name, gateway_payment_id=result.payment_id,
            actor=actor))


def _owed(invoice: InvoiceItem) -> int:
    return invoice.total_cents - (invoice.paid_cents or 0)


def _attempts_were(count: int):
    condition = OpenInvoiceItem.charge_attempts == count
    return condition | OpenInvoiceItem.charge_attempts.does_not_exist() if count == 0 else condition
