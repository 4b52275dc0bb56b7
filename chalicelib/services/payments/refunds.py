"""Refunds (estorno) and chargebacks (PRODUCT.md §6, §8).

- `refund_payment` — for the cancellation flow and the finance team: within the 7-day
  withdrawal window, counted from the purchase or renewal date the cancellation judged it on
  (`window_start`), or from the payment's day when the finance team asks without one; a card
  payment is refunded through the gateway, a boleto or Pix payment becomes a refund request for
  the finance team (an item plus an e-mail). The payment, the invoice (`refunded`), the account
  credit the payment created and the audit entry change in one transaction.
- `gateway_refund` / `chargeback` — webhooks: a refund made at the gateway, a dispute opened by the
  cardholder (the subscriptions the payment paid are suspended and the team alerted). An event that
  arrives before its payment is held on the gateway payment lookup and applied when it settles.
  A chargeback also reopens the invoice: it is owed again, and paying it restores the subscriptions.

The finance team's alert (a refund to return by hand, a chargeback) and the chargeback's
`license.suspended` events are a notice (services/subscriptions/standing_notices.py, store/notices.py) written in
the transaction of the change and delivered right after the commit; a crash in between leaves the
notice on the check-overdue review list of its day, and that job delivers it (once: the e-mail keeps
the notice's id, the events their ids). A redelivered webhook finds its receipt and sends nothing."""
import logging
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.adapters.gateways import EventKind, GatewayEvent
from chalicelib.domain.cancellation import withdrawal_deadline
from chalicelib.domain.cancellation import within_withdrawal_window as within_purchase_window
from chalicelib.domain.enums import Contract, InvoiceStatus, PaymentMethod, SubscriptionStatus
from chalicelib.domain.money import format_brl
from chalicelib.domain.overdue import entitlements_for
from chalicelib.domain.settlement import refund_deadline, within_withdrawal_window
from chalicelib.errors import Conflict, NotFound
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.shared.audit import audit_entry
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.services.payments.settlement import receipt_item
from chalicelib.services.subscriptions.standing_notices import finance_alert_notice
from chalicelib.store.base import account_pk
from chalicelib.store.invoices import OpenInvoiceItem, open_invoice_sk
from chalicelib.store.payments import (
    GATEWAY_PAYMENT_SK, GatewayPaymentItem, HeldEvent, PaymentItem, RefundItem, gateway_payment_pk, refund_sk,
)

_log = get_logger("refunds")
SETTLED = "settled"
REFUNDED = "refunded"
REFUND_REQUESTED = "refund_requested"
CHARGED_BACK = "charged_back"
# Statuses a chargeback suspends (a cancelled or already suspended subscription stays as it is).
_SUSPENDABLE = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE,
                          SubscriptionStatus.PENDING_CANCELLATION})


@dataclass(frozen=True)
class RefundOutcome:
    refund_id: str
    payment_id: str
    invoice_id: str
    amount_cents: int
    method: str
    status: str  # refunded (money on its way back through the gateway) | requested (finance team)
    paid_on: date
    deadline: date


class RefundWindowClosed(Conflict):
    code = "refund_window_closed"


def _open_summaries(snapshot, invoice_id: str):
    return (summary for summary in snapshot.open_invoices if summary.invoice_id == invoice_id)


class RefundService:
    def __init__(self, payments, billing, card_gateway, catalog, clock, notices):
        """`notices`: StandingNotices, which delivers the notices recorded with each change."""
        self._payments = payments
        self._billing = billing
        self._gateway = card_gateway
        self._catalog = catalog
        self._clock = clock
        self._notices = notices

    # --- asked by people (cancellation within the window, the finance team) -------------------
    def refund_payment(self, account_id: str, payment_id: str, reason: str, actor: str,
                       window_start: date | None = None) -> RefundOutcome:
        """Refund a whole payment within the withdrawal window. Raises NotFound (payment_not_found),
        Conflict (payment_not_refundable) or RefundWindowClosed (refund_window_closed, 409).
        `window_start`: the purchase or renewal date a cancellation judged the window on
        (domain.cancellation.withdrawal_window_start); a renewal paid early is refunded on it."""
        clock = frozen(self._clock)
        payment = self._refundable(account_id, payment_id, clock.today(), window_start)
        by_gateway = payment.method == PaymentMethod.CARD and payment.gateway_payment_id
        refund_id = sortable_id("ref", clock.now())
        gateway_refund_id = None
        if by_gateway:
            # The gateway's idempotency key: a retry of this refund never returns the money twice.
            result = self._gateway.refund(payment.gateway_payment_id, payment.amount_cents, f"refund:{payment_id}")
            gateway_refund_id = result.refund_id
        status = "refunded" if by_gateway else "requested"
        return self._apply(account_id, payment_id, refund_id, status, gateway_refund_id, reason, actor, clock)

    def _refundable(self, account_id: str, payment_id: str, today: date,
                    window_start: date | None = None) -> PaymentItem:
        payment = self._payments.payment(account_id, payment_id)
        if payment is None:
            raise NotFound("Pagamento não encontrado.", code="payment_not_found")
        if payment.status != SETTLED:
            raise Conflict("Este pagamento já foi estornado ou contestado.", code="payment_not_refundable",
                           details={"status": payment.status})
        if window_start is not None:
            if not within_purchase_window(window_start, today):
                deadline = withdrawal_deadline(window_start)
                raise RefundWindowClosed(
                    f"O estorno só é possível até 7 dias após a compra ou a renovação: esta começou em "
                    f"{window_start:%d/%m/%Y} e o prazo terminou em {deadline:%d/%m/%Y}.",
                    details={"window_start": window_start.isoformat(), "deadline": deadline.isoformat()})
            return payment
        paid_on = payment.paid_at.astimezone(SAO_PAULO).date()
        deadline = refund_deadline(paid_on)
        if not within_withdrawal_window(paid_on, today):
            raise RefundWindowClosed(
                f"O estorno só é possível até 7 dias após o pagamento: este foi pago em "
                f"{paid_on:%d/%m/%Y} e o prazo terminou em {deadline:%d/%m/%Y}.",
                details={"paid_on": paid_on.isoformat(), "deadline": deadline.isoformat()})
        return payment

    def _apply(self, account_id, payment_id, refund_id, status, gateway_refund_id, reason, actor, clock):
        def attempt() -> RefundOutcome:
            payment = self._payments.payment(account_id, payment_id)
            if payment.status != SETTLED:  # a concurrent refund won: report what it did
                raise Conflict("Este pagamento já foi estornado.", code="payment_not_refundable",
                               details={"status": payment.status})
            return self._refund_writes(payment, refund_id, status, gateway_refund_id, reason, actor, clock)

        return retrying(attempt)

    def _refund_writes(self, payment, refund_id, status, gateway_refund_id, reason, actor, clock,
                       receipt=None) -> RefundOutcome:
        snapshot = self._billing.snapshot(payment.account_id)
        invoice = self._payments.invoice(payment.account_id, payment.invoice_id)
        account = snapshot.account
        # The credit this payment created comes back only while it is still unused: nothing twice.
        credit_back = min(payment.credit_cents or 0, account.credit_cents or 0) if account else 0
        amount = payment.applied_cents + credit_back
        writes = self._billing.writes()
        if receipt is not None:
            writes.create(receipt)
        payment.status = REFUNDED if status == "refunded" else REFUND_REQUESTED
        payment.refunded_cents = amount
        writes.save(payment)
        if invoice is not None and payment.applied_cents:
            invoice.paid_cents = max((invoice.paid_cents or 0) - payment.applied_cents, 0)
            invoice.status = InvoiceStatus.REFUNDED.value  # nothing is owed on it any more
            writes.save(invoice)
            for summary in _open_summaries(snapshot, invoice.invoice_id):
                writes.delete(summary)
        if credit_back:
            account.credit_cents -= credit_back
            writes.save(account)
        refund = RefundItem(pk=account_pk(payment.account_id), sk=refund_sk(refund_id), account_id=payment.account_id,
                            refund_id=refund_id, payment_id=payment.payment_id, invoice_id=payment.invoice_id,
                            amount_cents=amount, method=payment.method, status=status,
                            gateway_refund_id=gateway_refund_id, reason=reason, requested_by=actor,
                            created_at=clock.now())
        writes.create(refund)
        action = "payment.refunded" if status == "refunded" else "payment.refund_requested"
        writes.save(audit_entry(clock, payment.account_id, actor=actor, action=action, target=payment.payment_id,
                                before={"status": SETTLED}, reason=reason,
                                after={"status": payment.status, "refund_id": refund_id, "amount_cents": amount,
                                       "invoice_id": payment.invoice_id}))
        # The money goes back by hand: the finance team's alert is written with the refund.
        alert = self._refund_request_notice(payment, refund_id, amount, clock) if status == "requested" else None
        if alert is not None:
            writes.create(alert)
        writes.commit()
        log_event(_log, "payment refunded", payment_id=payment.payment_id, status=status, amount_cents=amount)
        if alert is not None:
            self._notices.deliver(alert, snapshot)
        paid_on = payment.paid_at.astimezone(SAO_PAULO).date()
        return RefundOutcome(refund_id, payment.payment_id, payment.invoice_id, amount, payment.method, status,
                             paid_on, refund_deadline(paid_on))

    @staticmethod
    def _refund_request_notice(payment: PaymentItem, refund_id: str, amount: int, clock):
        return finance_alert_notice(
            payment.account_id, "Pedido de estorno para devolver", [
                f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({payment.method})",
                f"Fatura: {payment.invoice_id}", f"Valor a devolver: {format_brl(amount)}",
                f"Pedido: {refund_id}"],
            "Devolva o valor ao cliente (transferência ou Pix) e registre a devolução.", clock.now())

    # --- told by the gateway (webhooks) -------------------------------------------------------
    def gateway_event(self, event: GatewayEvent, receipt_key: str) -> str:
        """A refund or chargeback webhook; returns what happened (for logs and the answer)."""
        clock = frozen(self._clock)
        if not event.payment_id:
            return self._record(receipt_key, "ignored", None, clock)

        def attempt() -> str:
            if self._payments.receipt(receipt_key) is not None:
                return "duplicate"
            lookup = self._payments.gateway_payment(event.gateway, event.payment_id)
            if lookup is None or not lookup.payment_id:
                return self._hold(event, receipt_key, lookup, clock)
            payment = self._payments.payment(lookup.account_id, lookup.payment_id)
            return self._apply_event(event.kind, event.event_type, payment, receipt_key, clock)

        # A delivery of the same event, the payment settling, or another event changed what was read.
        return retrying(attempt)

    def apply_held(self, lookup: GatewayPaymentItem, payment: PaymentItem) -> list[str]:
        """Events held before `payment` settled (called by settlement right after it)."""
        clock = frozen(self._clock)
        outcomes = []
        for held in lookup.held:
            current = self._payments.payment(payment.account_id, payment.payment_id)
            outcomes.append(self._apply_event(EventKind(held.kind), held.event_type, current,
                                              f"{held.receipt_key}:applied", clock))
        return outcomes

    def _apply_event(self, kind: EventKind, event_type: str, payment: PaymentItem, receipt_key: str, clock) -> str:
        if payment.status != SETTLED:
            return self._record(receipt_key, f"already_{payment.status}", payment, clock)
        receipt = receipt_item(receipt_key, kind.value, payment.account_id, payment.payment_id, [], clock.now())
        if kind is EventKind.CHARGEBACK:
            return self._charged_back(payment, receipt, event_type, clock)
        refund_id = sortable_id("ref", clock.now())
        self._refund_writes(payment, refund_id, "refunded", None, f"Estorno feito no gateway ({event_type}).",
                            f"gateway:{payment.gateway}", clock, receipt=receipt)
        return "refunded"

    def _charged_back(self, payment: PaymentItem, receipt, event_type: str, clock) -> str:
        snapshot = self._billing.snapshot(payment.account_id)
        invoice = self._payments.invoice(payment.account_id, payment.invoice_id)
        billed = {line.subscription_id for line in (invoice.lines if invoice else []) if line.subscription_id}
        suspended = [s for s in snapshot.subscriptions if s.subscription_id in billed and s.status in _SUSPENDABLE]
        writes = self._billing.writes()
        writes.create(receipt)
        payment.status = CHARGED_BACK
        writes.save(payment)
        if invoice is not None and payment.applied_cents:
            self._reopen(writes, invoice, payment, snapshot, clock)
        for subscription in suspended:
            subscription.status = SubscriptionStatus.SUSPENDED.value
            writes.save(subscription)
        writes.save(audit_entry(clock, payment.account_id, actor=f"gateway:{payment.gateway}",
                                action="payment.charged_back", target=payment.payment_id,
                                before={"status": SETTLED}, reason=f"Contestação no gateway ({event_type}).",
                                after={"status": CHARGED_BACK, "suspended": [s.subscription_id for s in suspended]}))
        alert = finance_alert_notice(
            payment.account_id, "Contestação de pagamento (chargeback)", [
                f"Conta: {payment.account_id}", f"Pagamento: {payment.payment_id} ({format_brl(payment.amount_cents)})",
                f"Fatura: {payment.invoice_id}",
                f"Assinaturas suspensas: {', '.join(s.subscription_id for s in suspended) or 'nenhuma'}"],
            "Responda à contestação no painel do gateway e fale com o cliente.", clock.now(),
            events=self._suspension_events(payment, suspended))
        writes.create(alert)
        writes.commit()
        self._notices.deliver(alert, snapshot)
        return "charged_back"

    @staticmethod
    def _reopen(writes, invoice, payment: PaymentItem, snapshot, clock) -> None:
        """The money went back to the cardholder: the invoice is owed again, and shows as open, so
        paying it (by card now, or another way) settles it and restores the subscriptions."""
        invoice.paid_cents = max((invoice.paid_cents or 0) - payment.applied_cents, 0)
        invoice.status = (InvoiceStatus.PARTIALLY_PAID if invoice.paid_cents else InvoiceStatus.OPEN).value
        writes.save(invoice)
        if not list(_open_summaries(snapshot, invoice.invoice_id)):
            writes.create(OpenInvoiceItem(
                pk=invoice.pk, sk=open_invoice_sk(invoice.invoice_id), account_id=invoice.account_id,
                invoice_id=invoice.invoice_id, status=invoice.status, due_date=clock.today(),
                total_cents=invoice.total_cents, payment_method=invoice.payment_method,
                subscription_ids=sorted({line.subscription_id for line in invoice.lines if line.subscription_id}),
                created_at=clock.now()))

    def _suspension_events(self, payment: PaymentItem, suspended) -> list[dict]:
        """`license.suspended` per subscription the chargeback suspends (published with the notice)."""
        events = []
        for subscription in suspended:
            product = self._catalog.product(subscription.product_id)
            left = entitlements_for(product.contract if product else Contract.MANDATORY, SubscriptionStatus.SUSPENDED)
            events.append({"type": "license.suspended", "data": {
                "subscription_id": subscription.subscription_id, "product_id": subscription.product_id,
                "license": left.license.value, "support": left.support, "updates": left.updates},
                "id": f"license.suspended:chargeback:{payment.payment_id}:{subscription.subscription_id}"})
        return events

    def _hold(self, event: GatewayEvent, receipt_key: str, lookup: GatewayPaymentItem | None, clock) -> str:
        """The payment is not known yet: keep the event on its lookup item until it settles."""
        pk = gateway_payment_pk(event.gateway, event.payment_id)
        held = HeldEvent(receipt_key=receipt_key, kind=event.kind.value, amount_cents=event.amount_cents,
                         event_type=event.event_type)
        writes = self._billing.writes()
        writes.create(receipt_item(receipt_key, "held", None, None, [], clock.now()))
        if lookup is None:
            writes.create(GatewayPaymentItem(pk=pk, sk=GATEWAY_PAYMENT_SK, gateway=event.gateway,
                                             gateway_payment_id=event.payment_id, held=[held], created_at=clock.now()))
        else:
            lookup.held = [*lookup.held, held]
            writes.save(lookup, GatewayPaymentItem.payment_id.does_not_exist())
        writes.commit()
        log_event(_log, "gateway event held until its payment", level=logging.INFO, receipt=receipt_key,
                  kind=event.kind.value)
        return "held"

    def _record(self, receipt_key: str, outcome: str, payment: PaymentItem | None, clock) -> str:
        account_id = payment.account_id if payment else None
        created = self._payments.record_receipt(
            receipt_item(receipt_key, outcome, account_id, payment.payment_id if payment else None, [], clock.now()))
        return outcome if created else "duplicate"

