"""Refunds (estorno) and chargebacks (PRODUCT.md §6, §8).

- `refund_payment` — for the cancellation flow and the finance team: within the 7-day
  withdrawal window, counted from the purchase or renewal date the cancellation judged it on
  (`window_start`), or from the payment's day when the finance team asks without one; a card
  payment is refunded through the gateway, a boleto or Pix payment becomes a refund request for
  the finance team (an item plus an e-mail). The refund is recorded in one transaction
  (refund_records.py).
- `gateway_event` — webhooks: a refund made at the gateway, a dispute opened by the cardholder
  (chargebacks.py). An event that arrives before its payment is held on the gateway payment lookup
  and applied when it settles (`apply_held`).

The finance team's alert (a refund to return by hand, a chargeback) and the chargeback's
`license.suspended` events are a notice (services/subscriptions/standing_notices.py, store/notices.py) written in
the transaction of the change and delivered right after the commit; a crash in between leaves the
notice on the check-overdue review list of its day, and that job delivers it (once: the e-mail keeps
the notice's id, the events their ids). A redelivered webhook finds its receipt and sends nothing."""
import logging
from datetime import date

from chalicelib.adapters.clock import SAO_PAULO
from chalicelib.adapters.gateways import EventKind, GatewayEvent
from chalicelib.domain.cancellation import withdrawal_deadline
from chalicelib.domain.cancellation import within_withdrawal_window as within_purchase_window
from chalicelib.domain.enums import PaymentMethod
from chalicelib.domain.settlement import refund_deadline, within_withdrawal_window
from chalicelib.errors import Conflict, NotFound
from chalicelib.observability.logging import get_logger, log_event
from chalicelib.services.payments.chargebacks import Chargebacks
from chalicelib.services.payments.receipts import receipt_item
from chalicelib.services.payments.refund_records import SETTLED, RefundOutcome, RefundRecords
from chalicelib.services.shared.ids import sortable_id
from chalicelib.services.shared.instants import frozen
from chalicelib.services.shared.retry import retrying
from chalicelib.store.payments import GATEWAY_PAYMENT_SK, GatewayPaymentItem, HeldEvent, PaymentItem, gateway_payment_pk

_log = get_logger("refunds")


class RefundWindowClosed(Conflict):
    code = "refund_window_closed"


class RefundService:
    def __init__(self, payments, billing, card_gateway, catalog, clock, notices, service_invoices,
                 service_invoice_due):
        """`notices`: StandingNotices, which delivers the notices recorded with each change;
        `service_invoices`, `service_invoice_due`: see RefundRecords (the invoice's NFS-e)."""
        self._payments = payments
        self._billing = billing
        self._gateway = card_gateway
        self._clock = clock
        self._records = RefundRecords(payments, billing, notices, service_invoices, service_invoice_due)
        self._chargebacks = Chargebacks(payments, billing, catalog, notices)

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
            return self._records.record(payment, refund_id, status, gateway_refund_id, reason, actor, clock)

        return retrying(attempt)

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
            return self._chargebacks.charge_back(payment, receipt, event_type, clock)
        refund_id = sortable_id("ref", clock.now())
        self._records.record(payment, refund_id, "refunded", None, f"Estorno feito no gateway ({event_type}).",
                             f"gateway:{payment.gateway}", clock, receipt=receipt)
        return "refunded"

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
