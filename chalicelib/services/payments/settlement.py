"""Settlement: money received is recorded exactly once and applied in ONE DynamoDB transaction —
the receipt of the delivery (its uniqueness key), the payment, the gateway payment lookup, the
invoice (paid or partially paid, version-checked), its live summary, the subscriptions the invoice
bills (period extended, status restored), the account credit of an overpayment and the audit entry.
The domain events and the e-mail follow the commit.

Every way money arrives calls `settle` with an `IncomingPayment`: gateway webhooks (Stripe, Asaas,
the local fake), card charges made by the app, and bank return files."""
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.enums import Contract, InvoiceStatus, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.overdue import entitlements_for
from chalicelib.domain.periods import Period
from chalicelib.domain.reinstatement import (
    BLOCKED_REASONS, Blocked, cancelled_for_non_payment, reinstated_period, reinstatement_blocked,
)
from chalicelib.domain.settlement import (
    PAYABLE_STATUSES, Allocation, allocate, extended_period, status_after_payment,
)
from chalicelib.errors import ConcurrentUpdate, Conflict
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.payments.notices import PaymentNotices
from chalicelib.services.plans.invoice_schedule import schedule_next_issue
from chalicelib.services.subscriptions.standing_notices import finance_alert_notice
from chalicelib.store.base import account_pk
from chalicelib.store.billing import AccountSnapshot
from chalicelib.store.invoices import InvoiceItem, OpenInvoiceItem
from chalicelib.store.ownership import owned_by
from chalicelib.store.due import due_pk
from chalicelib.store.retention import RETENTION_SK, RetentionItem, retention_pk
from chalicelib.store.payments import (
    GATEWAY_PAYMENT_SK, NOTICE_KIND, RECEIPT_SK, GatewayPaymentItem, PaymentItem, ReceiptItem, UnmatchedPaymentItem,
    gateway_payment_pk, payment_sk, receipt_pk,
)
from chalicelib.store.subscriptions import PaymentPart, SubscriptionItem

_log = get_logger("settlement")
_MAX_SUPERSEDED_HOPS = 5
# Longer than any request runs (Lambda timeout): a notice pending for longer was interrupted.
NOTICE_GRACE = timedelta(minutes=2)


class Outcome(StrEnum):
    SETTLED = "settled"  # applied to an invoice (all of it, or with the rest as credit)
    CREDITED = "credited"  # nothing left to pay on the invoice: the whole amount became credit
    DUPLICATE = "duplicate"  # this delivery, or this gateway payment, was already recorded
    UNMATCHED = "unmatched"  # no invoice matched: kept for the finance team


@dataclass(frozen=True)
class IncomingPayment:
    receipt_key: str  # what makes this delivery unique (gateway event, bank movement, card charge)
    amount_cents: int
    method: str  # card | pix | boleto
    source: str  # gateway | bank_file
    paid_at: datetime
    invoice_id: str | None = None
    account_id: str | None = None  # when the delivery names it (Stripe metadata)
    nosso_numero_key: str | None = None  # bank files: domain.nosso_numero.return_file_key
    gateway: str | None = None
    gateway_payment_id: str | None = None
    bank_code: str | None = None
    nosso_numero: str | None = None
    fee_cents: int = 0
    credited_on: date | None = None
    actor: str = "system"

    @property
    def reference(self) -> str:
        return self.invoice_id or self.nosso_numero or self.receipt_key


@dataclass
class SettlementResult:
    outcome: Outcome
    payment: PaymentItem | None = None
    invoice: InvoiceItem | None = None
    allocation: Allocation | None = None
    held_applied: list = field(default_factory=list)
    # Manual renewal of subscriptions cancelled for non-payment (domain.reinstatement): the ones
    # this payment reinstated, or why it could not (the money then became credit to refund).
    reinstated: list = field(default_factory=list)
    not_reinstated: Blocked | None = None

    @property
    def message(self) -> str | None:
        """What a person is told about a reinstatement (pt-BR), when there is one."""
        return reinstatement_message(self.reinstated, self.not_reinstated, self.payment)


class DuplicateReceipt(Conflict):
    code = "duplicate_receipt"


class GatewayPaymentTaken(Conflict):
    code = "gateway_payment_taken"


@dataclass
class _Target:
    invoice: InvoiceItem  # the invoice credited
    document_invoice_id: str | None  # the invoice whose document was paid, when another


@dataclass(frozen=True)
class _Renewed:
    subscription: SubscriptionItem  # period extended and/or status restored
    previous_status: str


@dataclass
class _Plan:
    payment: PaymentItem
    invoice: InvoiceItem
    allocation: Allocation
    renewed: list[_Renewed]
    events: list[dict]
    reinstated: list[SubscriptionItem] = field(default_factory=list)
    not_reinstated: Blocked | None = None
    purge_on: date | None = None  # the account's purge as read: a reinstatement cancels it, in the same transaction
    alert: object | None = None  # the finance team's refund request when nothing could be reinstated


class SettlementService:
    def __init__(self, payments, billing, catalog, clock, events, notices: PaymentNotices,
                 held_events: Callable, retention, standing_notices):
        """`retention`: RetentionService (`scheduled_purge`), for the retention window of a manual
        renewal; `standing_notices`: StandingNotices, which delivers the finance team's refund request
        written with the settlement right after the commit (after a crash, the check-overdue job does)."""
        self._retention = retention
        self._standing_notices = standing_notices
        self._payments = payments
        self._billing = billing
        self._catalog = catalog
        self._clock = clock
        self._events = events
        self._notices = notices
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
            receipt, named = self._receipt_and_invoice(incoming)
            if receipt is not None:
                return self._duplicate(receipt, clock)
            target = self._target(named)
            if target is None:
                return self._unmatched(incoming, clock, alert_unmatched)
            snapshot = self._billing.snapshot(target.invoice.account_id)
            plan = self._plan(incoming, target, snapshot, clock)
            try:
                receipt = self._commit(plan, incoming, snapshot, clock, claim)
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

    # --- finding the invoice ------------------------------------------------------------------
    def _receipt_and_invoice(self, incoming: IncomingPayment):
        """Has this delivery been applied, and which invoice does it name? One read when the delivery
        names the account (Stripe metadata), else the receipt then a lookup."""
        if incoming.account_id and incoming.invoice_id and not incoming.nosso_numero_key:
            return self._payments.receipt_and_invoice(incoming.receipt_key, incoming.account_id, incoming.invoice_id)
        receipt = self._payments.receipt(incoming.receipt_key)
        return receipt, (None if receipt else self._named_invoice(incoming))

    def _target(self, invoice: InvoiceItem | None) -> _Target | None:
        if invoice is None:
            return None
        first = invoice
        for _ in range(_MAX_SUPERSEDED_HOPS):
            if invoice.status != InvoiceStatus.SUPERSEDED or not invoice.superseded_by:
                break
            # Its items moved to a newer invoice: the payment pays them there (PRODUCT.md §4).
            newer = self._payments.invoice(invoice.account_id, invoice.superseded_by)
            if newer is None:
                break
            invoice = newer
        return _Target(invoice, first.invoice_id if invoice is not first else None)

    def _named_invoice(self, incoming: IncomingPayment) -> InvoiceItem | None:
        if incoming.nosso_numero_key:
            reference = self._payments.nosso_numero(incoming.nosso_numero_key)
            if reference is None:
                return None
            return self._payments.invoice(reference.account_id, reference.invoice_id)
        if not incoming.invoice_id:
            return None
        return self._payments.invoice_by_id(incoming.invoice_id)

    # --- what the payment does ----------------------------------------------------------------
    def _plan(self, incoming: IncomingPayment, target: _Target, snapshot: AccountSnapshot, clock) -> _Plan:
        invoice = target.invoice
        allocation = allocate(incoming.amount_cents, invoice.total_cents, invoice.paid_cents or 0, invoice.status)
        payment_id = sortable_id("pay", clock.now())
        payment = PaymentItem(
            pk=account_pk(invoice.account_id), sk=payment_sk(payment_id), account_id=invoice.account_id,
            payment_id=payment_id, invoice_id=invoice.invoice_id, document_invoice_id=target.document_invoice_id,
            amount_cents=incoming.amount_cents, applied_cents=allocation.applied_cents,
            credit_cents=allocation.credit_cents, method=incoming.method, source=incoming.source,
            gateway=incoming.gateway, gateway_payment_id=incoming.gateway_payment_id,
            bank_code=incoming.bank_code, nosso_numero=incoming.nosso_numero, fee_cents=incoming.fee_cents,
            paid_at=incoming.paid_at, credited_on=incoming.credited_on, receipt=incoming.receipt_key,
            created_at=clock.now(),
        )
        cancelled = _cancelled_for_non_payment(invoice, snapshot)
        blocked, purge_on = (self._blocked(snapshot, cancelled, clock.today())
                             if cancelled and allocation.applied_cents else (None, None))
        if blocked is not None:
            # Paying the debt of a subscription that can no longer come back buys nothing: the money is
            # kept as account credit and the finance team is asked to return it.
            allocation = Allocation(0, incoming.amount_cents, invoice.paid_cents or 0, InvoiceStatus(invoice.status))
            payment.applied_cents, payment.credit_cents = 0, incoming.amount_cents
        reinstated = []
        if allocation.settles_invoice and cancelled and blocked is None:
            reinstated = self._reinstate(invoice, cancelled, snapshot, clock.today())
        renewed = [_Renewed(subscription, SubscriptionStatus.CANCELLED.value) for subscription in reinstated]
        if allocation.settles_invoice:
            renewed += self._renewed(invoice, snapshot, clock.today(), skip={s.subscription_id for s in reinstated})
        events = self._events_of(payment, invoice, allocation, renewed)
        alert = _refund_request(payment, invoice, blocked, clock.now()) if blocked is not None else None
        return _Plan(payment, invoice, allocation, renewed, events, reinstated, blocked, purge_on, alert)

    def _blocked(self, snapshot: AccountSnapshot, cancelled: list[SubscriptionItem],
                 today: date) -> tuple[Blocked | None, date | None]:
        """(why none of `cancelled` can be reinstated, or None; the account's scheduled purge)."""
        account = snapshot.account
        purge_on = self._retention.scheduled_purge(account.account_id) if account else None
        reasons = [reinstatement_blocked(account_open=account is not None and account.status == "active",
                                         purge_on=purge_on, offered=self._offered(s), today=today)
                   for s in cancelled]
        # Reinstated if any can be: the others' lines are then simply paid, as they were before.
        return (reasons[0] if all(reasons) else None), purge_on

    def _offered(self, subscription: SubscriptionItem) -> bool:
        product = self._catalog.product(subscription.product_id)
        return product is not None and subscription.periodicity in product.prices

    def _reinstate(self, invoice: InvoiceItem, cancelled: list[SubscriptionItem], snapshot: AccountSnapshot,
                   today: date) -> list[SubscriptionItem]:
        """Manual renewal: active again from today, for as many periods as the invoice paid; the days
        since the cancellation are not billed, and renewals bill on from the new period's end."""
        reinstated = []
        due_day = snapshot.account.due_day if snapshot.account else None
        for subscription in cancelled:
            lines = _period_lines(invoice, subscription.subscription_id)
            if not self._offered(subscription):
                continue
            period = reinstated_period([Period(line.period_start, line.period_end) for line in lines],
                                       subscription.periodicity, today)
            subscription.status = SubscriptionStatus.ACTIVE.value
            subscription.auto_renew = True
            subscription.cancellation_cause = None
            subscription.current_period_start, subscription.current_period_end = period.start, period.end
            subscription.anchor_day = today.day
            subscription.billed_through = period.end
            # A new chain of periods: never mistaken for one billed before the cancellation.
            subscription.plan_revision = (subscription.plan_revision or 1) + 1
            subscription.period_payments = [PaymentPart(
                amount_cents=sum(line.amount_cents for line in invoice.lines
                                 if line.subscription_id == subscription.subscription_id), since=today)]
            schedule_next_issue(self._catalog, subscription, due_day, today)
            reinstated.append(subscription)
        return reinstated

    @staticmethod
    def _renewed(invoice: InvoiceItem, snapshot: AccountSnapshot, today: date,
                 skip: set[str] = frozenset()) -> list[_Renewed]:
        """The subscriptions the paid invoice bills whose period it extends or whose status it
        restores (the entitlements follow the status); `skip`: the ones it reinstated."""
        renewed = []
        for subscription in snapshot.subscriptions:
            if subscription.subscription_id in skip:
                continue
            lines = [line for line in invoice.lines if line.subscription_id == subscription.subscription_id
                     and line.period_start and line.period_end and line.period_end > line.period_start]
            if not lines:
                continue
            before = (subscription.current_period_start, subscription.current_period_end, subscription.status)
            _extend(subscription, lines)
            overdue = _still_overdue(snapshot, subscription.subscription_id, invoice.invoice_id, today)
            subscription.status = status_after_payment(subscription.status, overdue).value
            if (subscription.current_period_start, subscription.current_period_end, subscription.status) != before:
                renewed.append(_Renewed(subscription, before[2]))
        return renewed

    def _events_of(self, payment: PaymentItem, invoice: InvoiceItem, allocation: Allocation,
                   renewed: list[_Renewed]) -> list[dict]:
        events = []
        if allocation.settles_invoice:
            events.append(_event("invoice.paid", {
                "invoice_id": invoice.invoice_id, "payment_id": payment.payment_id,
                "amount_cents": payment.amount_cents, "currency": "BRL", "method": payment.method,
                "paid_at": payment.paid_at.isoformat()}, f"invoice.paid:{payment.payment_id}"))
        for entry in renewed:
            subscription = entry.subscription
            if entry.previous_status not in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CANCELLED) \
                    or subscription.status != SubscriptionStatus.ACTIVE:
                continue  # only a suspension or a cancellation blocked anything: past_due kept every entitlement
            if entry.previous_status == SubscriptionStatus.CANCELLED:
                product = self._catalog.product(subscription.product_id)
                events.append(_event("subscription.reinstated", {
                    "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                    "product_name": product.name if product else subscription.product_id,
                    "period_start": subscription.current_period_start.isoformat(),
                    "period_end": subscription.current_period_end.isoformat()},
                    f"subscription.reinstated:{payment.payment_id}:{subscription.subscription_id}"))
            product = self._catalog.product(subscription.product_id)
            contract = product.contract if product else Contract.MANDATORY
            granted = entitlements_for(contract, subscription.status)
            events.append(_event("license.restored", {
                "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                "license": granted.license.value, "support": granted.support, "updates": granted.updates},
                f"license.restored:{payment.payment_id}:{subscription.subscription_id}"))
        return events

    # --- the transaction ----------------------------------------------------------------------
    def _commit(self, plan: _Plan, incoming: IncomingPayment, snapshot: AccountSnapshot, clock,
                claim: GatewayPaymentItem | None) -> ReceiptItem:
        account_id = plan.invoice.account_id
        payment, invoice, allocation = plan.payment, plan.invoice, plan.allocation
        writes = self._billing.writes()
        receipt = receipt_item(incoming.receipt_key, _outcome(allocation), account_id, payment.payment_id,
                               plan.events, clock.now(), notice_day=clock.today())
        writes.create(receipt, conflict=DuplicateReceipt("Entrega já registrada."))
        writes.create(payment)
        if incoming.gateway_payment_id:
            self._gateway_lookup(writes, incoming, payment, claim, clock.now())
        if allocation.applied_cents:
            invoice.paid_cents = allocation.paid_cents
            invoice.status = allocation.status.value
            writes.save(invoice)
            self._open_summary(writes, snapshot, invoice)
        for entry in plan.renewed:
            writes.save(entry.subscription)
        if plan.reinstated and plan.purge_on is not None:
            # Back before the purge: the account is kept, as subscribing again keeps it. Conditional on
            # the schedule read, so a purge that moved or ran meanwhile makes this attempt read again.
            writes.delete(RetentionItem(pk=retention_pk(account_id), sk=RETENTION_SK),
                          condition=RetentionItem.purge_on == plan.purge_on.isoformat())
        elif plan.reinstated:  # none read: none may appear before this commit either
            writes.require(RetentionItem, retention_pk(account_id), RETENTION_SK, RetentionItem.pk.does_not_exist(),
                           ConcurrentUpdate("A conta mudou durante o pagamento; tente novamente."))
        if plan.alert is not None:
            writes.create(plan.alert)
        if allocation.credit_cents and snapshot.account is not None:
            snapshot.account.credit_cents = (snapshot.account.credit_cents or 0) + allocation.credit_cents
            writes.save(snapshot.account)
        writes.save(audit_entry(
            clock, account_id, actor=incoming.actor, action="payment.settled", target=invoice.invoice_id,
            after=_audit_after(payment, invoice, allocation, plan.renewed),
            reason=f"{incoming.source}:{incoming.receipt_key}"))
        writes.commit()
        return receipt

    def _gateway_lookup(self, writes, incoming, payment, claim, now) -> None:
        pk = gateway_payment_pk(incoming.gateway, incoming.gateway_payment_id)
        lookup = GatewayPaymentItem(
            pk=pk, sk=GATEWAY_PAYMENT_SK, gateway=incoming.gateway, gateway_payment_id=incoming.gateway_payment_id,
            account_id=payment.account_id, payment_id=payment.payment_id, invoice_id=payment.invoice_id,
            held=claim.held if claim else [], created_at=now, **owned_by(payment.account_id, pk, GATEWAY_PAYMENT_SK))
        taken = GatewayPaymentTaken("Pagamento do gateway já registrado.")
        if claim is None:
            writes.create(lookup, conflict=taken)
        else:  # held events wait there: take the item over, as long as nobody else did
            lookup.version = claim.version
            writes.save(lookup, GatewayPaymentItem.payment_id.does_not_exist(), conflict=taken)

    @staticmethod
    def _open_summary(writes, snapshot: AccountSnapshot, invoice: InvoiceItem) -> None:
        summary = next((o for o in snapshot.open_invoices if o.invoice_id == invoice.invoice_id), None)
        if summary is None:
            return
        if invoice.status == InvoiceStatus.PAID:
            writes.delete(summary)  # leaves "Meu Plano" and the charge-cards and review lists with it
        elif summary.status != invoice.status:  # only the status: jobs move its place in the due index
            writes.update(summary, [OpenInvoiceItem.status.set(invoice.status)])

    # --- after the commit ---------------------------------------------------------------------
    def _after_commit(self, plan: _Plan, snapshot: AccountSnapshot, claim, receipt: ReceiptItem) -> SettlementResult:
        log_event(_log, "payment settled", payment_id=plan.payment.payment_id, invoice_id=plan.invoice.invoice_id,
                  amount_cents=plan.payment.amount_cents, status=plan.invoice.status)
        self._deliver(receipt, plan.payment, plan.invoice, snapshot)
        held = []
        if claim is not None and claim.held:
            held = self.held_events(claim, plan.payment)
        if plan.alert is not None:
            self._standing_notices.deliver(plan.alert, snapshot)
        outcome = Outcome.SETTLED if plan.allocation.applied_cents else Outcome.CREDITED
        return SettlementResult(outcome, plan.payment, plan.invoice, plan.allocation, held,
                                plan.reinstated, plan.not_reinstated)

    def _deliver(self, receipt: ReceiptItem, payment: PaymentItem, invoice: InvoiceItem,
                 snapshot: AccountSnapshot) -> None:
        """The domain events and the e-mail of a settlement, then the receipt's notice is done. Sent
        again (same event ids, same e-mail id) if a crash came before the receipt was updated."""
        for event in receipt.event_list:
            self._events.publish(event["type"], receipt.account_id, event["data"], event_id=event["id"])
        reinstated = [event["data"] for event in receipt.event_list if event["type"] == "subscription.reinstated"]
        self._notices.payment_confirmed(snapshot, payment, invoice, message_key=receipt.key,
                                        queued_at=receipt.created_at, reinstated=reinstated,
                                        not_reinstated=_not_reinstated(payment, invoice))
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


def _extend(subscription: SubscriptionItem, lines) -> None:
    current = Period(subscription.current_period_start, subscription.current_period_end)
    extended = extended_period(current, [Period(line.period_start, line.period_end) for line in lines])
    if extended == current:
        return
    share = sum(line.amount_cents for line in lines
                if line.period_end == extended.end and line.period_start >= extended.start)
    subscription.current_period_start, subscription.current_period_end = extended.start, extended.end
    if extended.start >= current.end:  # a new period: what is paid for it starts from zero
        subscription.period_payments = [PaymentPart(amount_cents=share, since=extended.start)]
        if subscription.pending_payment_method:  # a switch of method takes over at the renewal
            subscription.payment_method = subscription.pending_payment_method
            subscription.pending_payment_method = None


def _period_lines(invoice: InvoiceItem, subscription_id: str) -> list:
    return [line for line in invoice.lines if line.subscription_id == subscription_id
            and line.period_start and line.period_end and line.period_end > line.period_start]


def _cancelled_for_non_payment(invoice: InvoiceItem, snapshot: AccountSnapshot) -> list[SubscriptionItem]:
    """The subscriptions the invoice bills a period of, when every one of them was cancelled for
    non-payment (an invoice that also bills a live subscription is simply paid)."""
    billed = [s for s in snapshot.subscriptions if _period_lines(invoice, s.subscription_id)]
    if billed and all(cancelled_for_non_payment(s.status, s.cancellation_cause) for s in billed):
        return billed
    return []


def _not_reinstated(payment: PaymentItem, invoice: InvoiceItem) -> bool:
    """Money that paid nothing of an invoice still owed: the debt of a subscription that could not
    come back (the only case settlement leaves a payable invoice untouched)."""
    return not payment.applied_cents and invoice.status in PAYABLE_STATUSES


def _refund_request(payment: PaymentItem, invoice: InvoiceItem, blocked: Blocked, now):
    return finance_alert_notice(
        payment.account_id, "Pedido de estorno: pagamento de assinatura que não pode ser reativada", [
            f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({payment.method})",
            f"Fatura: {invoice.label}", f"Valor recebido: {format_brl(payment.amount_cents)}",
            f"Motivo: {BLOCKED_REASONS[blocked]}", "O valor ficou como crédito da conta."],
        "Devolva o valor ao cliente e registre o estorno do pagamento (o crédito da conta é baixado com ele).",
        now)


def reinstatement_message(reinstated: list, not_reinstated: Blocked | None, payment: PaymentItem | None) -> str | None:
    if reinstated:
        return "; ".join(
            f"Assinatura reativada: licença liberada e novo período de {s.current_period_start:%d/%m/%Y} "
            f"a {s.current_period_end:%d/%m/%Y}, pago por esta fatura" for s in reinstated) + "."
    if not_reinstated is not None and payment is not None:
        return (f"A assinatura não pode mais ser reativada ({BLOCKED_REASONS[not_reinstated]}): os "
                f"{format_brl(payment.amount_cents)} viraram crédito da conta e a equipe financeira vai "
                "devolvê-los.")
    return None


def _still_overdue(snapshot: AccountSnapshot, subscription_id: str, paid_invoice_id: str, today: date) -> bool:
    return any(summary.invoice_id != paid_invoice_id and subscription_id in (summary.subscription_ids or [])
               and summary.due_date < today for summary in snapshot.open_invoices)


def _outcome(allocation: Allocation) -> str:
    return Outcome.SETTLED.value if allocation.applied_cents else Outcome.CREDITED.value


def receipt_item(key: str, outcome: str, account_id: str | None, payment_id: str | None, events: list[dict],
                 now: datetime, notice_day: date | None = None) -> ReceiptItem:
    """The receipt of a delivery; with `notice_day`, its notice (e-mail, events) still to go out."""
    pk = receipt_pk(key)
    ownership = owned_by(account_id, pk, RECEIPT_SK) if account_id else {}
    pending = {"notice_pending": True, "due_pk": due_pk(NOTICE_KIND, notice_day, key), "due_sk": key} \
        if notice_day else {}
    return ReceiptItem(pk=pk, sk=RECEIPT_SK, key=key, outcome=outcome, account_id=account_id,
                       payment_id=payment_id, events=json.dumps(events) if events else None, created_at=now,
                       **ownership, **pending)


def _event(event_type: str, data: dict, event_id: str) -> dict:
    return {"type": event_type, "data": data, "id": event_id}


def _audit_after(payment: PaymentItem, invoice: InvoiceItem, allocation: Allocation, renewed) -> dict:
    return {
        "payment_id": payment.payment_id, "amount_cents": payment.amount_cents,
        "applied_cents": allocation.applied_cents, "credit_cents": allocation.credit_cents,
        "method": payment.method, "invoice_status": invoice.status,
        "subscriptions": [{"id": r.subscription.subscription_id, "status": r.subscription.status,
                           "current_period_end": r.subscription.current_period_end.isoformat()} for r in renewed],
        "summary": f"{format_brl(payment.amount_cents)} recebidos",
    }

